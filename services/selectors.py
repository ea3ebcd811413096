"""Read paths of the services app: the public face of listings, the provider's own lists,
upcoming slots. Other apps (search, matching, openData) read listings only through here."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.search import SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, FloatField, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Left, Round
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import open_data
from portal.accounts.models import Division
from portal.accounts.permissions import is_provider_staff
from portal.errors import DomainError
from portal.search import build_query
from providers.domains import Domain
from services.filters import ListingSearchFilter, SearchParameterError
from services.models import (
    Address,
    Booking,
    Category,
    Dependant,
    FamilyDoctorContract,
    FamilyDoctorPackage,
    Listing,
    Payment,
    Plan,
    PrepaidPackage,
    ScheduleRule,
    Slot,
)


def listing_public_q(prefix: str = "") -> Q:
    """Listings anyone may see: published, not hidden, of a public provider (the flag the
    visibility refresh keeps; services.services.visibility)."""
    return Q(**{f"{prefix}is_public": True})


def listing_list_public() -> QuerySet[Listing]:
    return Listing.objects.filter(listing_public_q()).select_related(
        "provider", "branch__division", "category"
    )


def listing_get_public(*, pk) -> Listing | None:
    return listing_list_public().filter(pk=pk).first()


def listing_list_for_provider(*, provider) -> QuerySet[Listing]:
    return Listing.objects.filter(provider=provider).select_related(
        "provider", "branch", "category"
    )


def listing_list_for_staff(*, user) -> QuerySet[Listing]:
    if not is_provider_staff(user):
        return Listing.objects.none()
    return Listing.objects.filter(provider__memberships__user=user).select_related(
        "provider", "branch", "category"
    )


def listing_get_for_staff(*, user, pk) -> Listing | None:
    return listing_list_for_staff(user=user).filter(pk=pk).first()


def slot_list_upcoming(*, listing, limit: int = 20, only_free: bool = False, now=None):
    now = now or timezone.now()
    slots = Slot.objects.filter(listing=listing, starts_at__gt=now)
    if only_free:
        slots = slots.filter(remaining__gt=0)
    return slots.order_by("starts_at")[:limit]


def category_list(*, domains: list[str] | None = None) -> QuerySet[Category]:
    categories = Category.objects.all()
    if domains is not None:
        categories = categories.filter(domain__in=domains)
    return categories


# --- Search ------------------------------------------------------------------------------------

SEARCH_PAGE_SIZE = 20


def listing_search(
    *, params, page: int = 1, page_size: int = SEARCH_PAGE_SIZE, viewer=None
) -> dict:
    """Search public listings: validated filters, ranking, one page, facet counts.

    `address` (the id of one of the viewer's saved addresses) stands for its coordinates.
    Raises SearchError (a 400 with the fields named) for bad parameters.
    """
    if "address" in params:
        params = _address_as_point(params, viewer)
    unknown = ListingSearchFilter.unknown_parameters(params)
    if unknown:
        raise SearchError({name: [_("未知的查询参数。")] for name in unknown})
    # Filter and rank on the listing table alone (its denormalised columns and indexes); the
    # related rows are fetched for the one page shown, not joined to every match.
    search = ListingSearchFilter(params, queryset=Listing.objects.filter(listing_public_q()))
    if not search.is_valid():
        raise SearchError(search.form.errors.get_json_data())
    try:
        matches = search.qs
    except SearchParameterError as exc:
        raise SearchError({k: [{"message": str(v)}] for k, v in exc.errors.items()}) from None
    data = search.form.cleaned_data
    query = build_query(data.get("q") or "")
    sort = data.get("sort") or ("relevance" if query is not None else "")
    has_distance = data.get("lat") is not None

    ordered = matches
    if sort == "relevance" and query is not None:
        # Text rank, lifted by the residents' score (unrated listings count as 3.5 of 5) and
        # shrunk by distance.
        quality = Coalesce(F("quality_score"), Value(3.5), output_field=FloatField())
        rank = SearchRank(F("search_vector"), query) * (Value(1.0) + quality / Value(5.0))
        if has_distance:  # nearer is better: rank shrinks with distance (halves at 5 km)
            rank = rank / (Value(1.0) + F("distance_km") / Value(5.0))
        ordered = matches.annotate(score=rank).order_by("-score", "pk")
    elif sort == "distance" or (has_distance and sort in ("", "relevance")):
        ordered = matches.order_by("distance_km", "pk")
    elif sort == "rating":
        ordered = matches.order_by(F("quality_score").desc(nulls_last=True), "-review_count", "pk")
    elif sort == "price":
        ordered = matches.order_by("price_fen", "pk")
    elif sort == "-price":
        ordered = matches.order_by("-price_fen", "pk")
    else:
        ordered = matches.order_by("pk")

    page = max(1, page)
    key = _search_cache_key(params, page, page_size)
    ttl = settings.SEARCH_CACHE_SECONDS
    cached = cache.get(key) if ttl else None
    if cached is None:
        offset = (page - 1) * page_size
        extra = ["distance_km"] if has_distance else []
        hits = list(ordered.values_list("pk", *extra)[offset : offset + page_size + 1])
        facets = _facets(matches)
        _label_facets(facets)
        cached = {"hits": hits, "facets": facets}
        if ttl:
            cache.set(key, cached, ttl)
    hits = cached["hits"]
    # Rows are read live: a listing hidden since (licence, standing) is left out even when the
    # ids came from the cache.
    found = listing_list_public().in_bulk([hit[0] for hit in hits[:page_size]])
    rows = []
    for hit in hits[:page_size]:
        listing = found.get(hit[0])
        if listing is not None:
            listing.distance_km = hit[1] if has_distance else None
            rows.append(listing)
    return {
        "results": rows,
        "has_next": len(hits) > page_size,
        "page": page,
        "facets": cached["facets"],
        "sort": sort,
        "params": data,
    }


def _search_cache_key(params, page: int, page_size: int) -> str:
    items = sorted(
        (name, value)
        for name in params
        for value in (params.getlist(name) if hasattr(params, "getlist") else [params[name]])
    )
    digest = hashlib.sha256(repr((items, page, page_size)).encode()).hexdigest()[:32]
    return f"search:v1:{digest}"


FACET_LIMITS = {"domain": None, "category": 30, "district": None}


def _facets(matches) -> dict[str, list[dict]]:
    """Counts by domain, category and district in one pass over the matches (GROUPING SETS)
    rather than one query each. The matches' SQL is Django's, with its parameters bound."""
    inner, params = (
        matches.order_by().values("domain", "category_id", "district").query.sql_with_params()
    )
    head = (
        "SELECT m.domain, m.category_id, m.district, GROUPING(m.domain), "
        "GROUPING(m.category_id), COUNT(*)"
    )
    tail = "GROUP BY GROUPING SETS ((m.domain), (m.category_id), (m.district))"
    # The inner SQL is Django's; its parameters are bound by the driver below.
    sql = f"{head} FROM ({inner}) AS m {tail}"
    facets: dict[str, list[dict]] = {name: [] for name in FACET_LIMITS}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for domain, category, district, no_domain, no_category, count in cursor.fetchall():
            if not no_domain:
                facets["domain"].append({"value": domain, "count": count})
            elif not no_category:
                facets["category"].append({"value": category, "count": count})
            else:
                facets["district"].append({"value": district, "count": count})
    for name, limit in FACET_LIMITS.items():
        facets[name].sort(key=lambda f: (-f["count"], f["value"]))
        facets[name] = facets[name][:limit]
    return facets


class SearchError(DomainError):
    """Bad search parameters (HTTP 400): `fields` maps each parameter to its messages."""

    def __init__(self, fields: dict):
        super().__init__(_("搜索条件有误，请检查标出的项目。"), code="invalid_search")
        self.fields = {
            name: [e["message"] if isinstance(e, dict) else str(e) for e in errors]
            for name, errors in fields.items()
        }


def _label_facets(facets: dict) -> None:
    """Give each facet value the label people read."""
    domains = dict(Domain.choices)
    categories = dict(
        Category.objects.filter(pk__in=[f["value"] for f in facets["category"]]).values_list(
            "code", "name"
        )
    )
    districts = dict(
        Division.objects.filter(code__in=[f["value"] for f in facets["district"]]).values_list(
            "code", "name"
        )
    )
    for name, labels in (("domain", domains), ("category", categories), ("district", districts)):
        for facet in facets[name]:
            facet["label"] = str(labels.get(facet["value"], facet["value"]))


# --- The listing page --------------------------------------------------------------------------


def _address_as_point(params, viewer):
    """Replace `address=<id>` by the saved address's lat/lng (only the viewer's own)."""
    params = params.copy()
    value = params.pop("address")
    value = value[-1] if isinstance(value, list) else value
    if "lat" in params or "lng" in params:
        raise SearchError({"address": [_("常用地址与经纬度不能同时提供。")]})
    address = None
    if str(value).isdigit() and getattr(viewer, "is_authenticated", False):
        address = Address.objects.filter(owner=viewer, pk=int(value)).first()
    if address is None:
        raise SearchError({"address": [_("没有这个常用地址（需登录，且只能使用自己的地址）。")]})
    params["lat"], params["lng"] = str(address.latitude), str(address.longitude)
    return params


def listing_page_extras(*, listing: Listing) -> dict:
    """What the public listing page shows beside the listing: the provider's active staff
    (masked, with valid certificates), its licences, and the booking policy."""
    from providers.selectors import valid_certificates_prefetch

    provider = listing.provider
    return {
        "staff": provider.staff.filter(is_active=True).prefetch_related(
            valid_certificates_prefetch()
        )[:12],
        "licences": provider.licences.all(),
        "package": listing.package_uses
        and {
            "uses": listing.package_uses,
            "price_yuan": f"{listing.package_price_fen / 100:.2f}",
            "days": listing.package_valid_days,
        },
    }


# --- Bookings ------------------------------------------------------------------------------------

BOOKING_RELATED = ("listing__branch", "listing__category", "provider", "slot", "dependant")


def booking_list_for_resident(*, user, when: str = "upcoming", now=None) -> QuerySet[Booking]:
    now = now or timezone.now()
    bookings = Booking.objects.filter(resident=user).select_related(*BOOKING_RELATED)
    if when == "upcoming":
        return bookings.filter(ends_at__gte=now, status__in=Booking.ACTIVE).order_by("starts_at")
    if when == "past":
        return bookings.exclude(ends_at__gte=now, status__in=Booking.ACTIVE).order_by("-starts_at")
    return bookings


def booking_get_for_resident(*, user, pk) -> Booking | None:
    return (
        Booking.objects.filter(resident=user, pk=pk)
        .select_related(*BOOKING_RELATED, "address", "staff")
        .prefetch_related("events", "payments")
        .first()
    )


DESK_VIEWS = {
    "today": gettext_lazy("今日"),
    "upcoming": gettext_lazy("即将开始"),
    "requested": gettext_lazy("待确认"),
    "past": gettext_lazy("已结束"),
}


def booking_list_for_provider(
    *, provider, view: str = "upcoming", status: str = "", now=None
) -> QuerySet[Booking]:
    """The booking desk: today's, upcoming, awaiting confirmation, or past bookings."""
    now = now or timezone.now()
    bookings = Booking.objects.filter(provider=provider).select_related(
        *BOOKING_RELATED, "resident", "staff", "address"
    )
    today = timezone.localdate(now)
    if view == "today":
        bookings = bookings.filter(starts_at__date=today).order_by("starts_at")
    elif view == "requested":
        bookings = bookings.filter(status=Booking.Status.REQUESTED).order_by("confirm_by")
    elif view == "past":
        bookings = bookings.filter(ends_at__lt=now).order_by("-starts_at")
    else:
        bookings = bookings.filter(ends_at__gte=now).order_by("starts_at")
    if status:
        bookings = bookings.filter(status=status)
    return bookings


def booking_week_for_provider(*, provider, start: dt.date) -> list[dict]:
    """The calendar view: seven days from `start`, each with its bookings in time order."""
    days = [start + dt.timedelta(days=i) for i in range(7)]
    bookings = (
        Booking.objects.filter(
            provider=provider, starts_at__date__gte=days[0], starts_at__date__lte=days[-1]
        )
        .exclude(status__in=[Booking.Status.EXPIRED])
        .select_related("listing", "staff", "resident", "dependant")
        .order_by("starts_at")
    )
    by_day: dict[dt.date, list] = {day: [] for day in days}
    for booking in bookings:
        by_day[timezone.localtime(booking.starts_at).date()].append(booking)
    return [{"day": day, "bookings": by_day[day]} for day in days]


def booking_get_for_staff(*, user, pk) -> Booking | None:
    return (
        Booking.objects.filter(pk=pk, provider__memberships__user=user)
        .select_related(*BOOKING_RELATED, "resident", "address", "staff")
        .prefetch_related("events", "payments")
        .first()
    )


def staff_choices_for(*, provider) -> QuerySet:
    return provider.staff.filter(is_active=True).order_by("name")


# --- A resident's own records ------------------------------------------------------------------


def dependant_list(*, user) -> QuerySet[Dependant]:
    return Dependant.objects.filter(owner=user, removed_at__isnull=True)


def address_list(*, user) -> QuerySet[Address]:
    return Address.objects.filter(owner=user).select_related("division")


def payment_list_for_resident(*, user) -> QuerySet[Payment]:
    return Payment.objects.filter(resident=user).select_related(
        "provider", "booking__listing", "package__listing"
    )


def package_list_for_resident(*, user) -> QuerySet[PrepaidPackage]:
    return PrepaidPackage.objects.filter(resident=user).select_related("listing", "provider")


def plan_list_for_resident(*, user) -> QuerySet[Plan]:
    return (
        Plan.objects.filter(resident=user)
        .select_related("listing__provider", "dependant")
        .prefetch_related("occurrences")
    )


def doctor_package_list_public() -> QuerySet[FamilyDoctorPackage]:
    from providers.selectors import public_provider_q

    return (
        FamilyDoctorPackage.objects.filter(is_active=True)
        .filter(public_provider_q("provider__"))
        .select_related("provider")
        .prefetch_related("included_categories", "team")
    )


def contract_list_for_resident(*, user) -> QuerySet[FamilyDoctorContract]:
    return FamilyDoctorContract.objects.filter(resident=user).select_related(
        "package__provider", "dependant"
    )


# --- Open data ---------------------------------------------------------------------------------
# Row sets the openData app publishes. Each is one SELECT that PostgreSQL can run as
# `COPY (<sql>) TO STDOUT WITH CSV`: every column computed in SQL, in the order of its keys,
# ordered by the primary key. Only what providers publish; bookings only as counts.

SHANGHAI = ZoneInfo("Asia/Shanghai")

OPEN_LISTING_KEYS = (
    "id",
    "provider_id",
    "branch_id",
    "category_code",
    "category_name",
    "domain",
    "district",
    "title",
    "description",
    "price_fen",
    "price_unit",
    "delivery_mode",
    "duration_minutes",
    "subsidies",
    "quality_score",
    "review_count",
)
OPEN_SCHEDULE_KEYS = ("id", "listing_id", "weekday", "opens_at", "closes_at")
CANCELLED = (Booking.Status.CANCELLED_BY_RESIDENT, Booking.Status.CANCELLED_BY_PROVIDER)


def open_listing_rows() -> QuerySet:
    """Public listings: what is offered, by whom, where, at what price, with its score.

    Domain and district come from the category and the branch themselves, so a listing the
    search index has not caught up with still lands in the right cell."""
    return open_data.open_rows(
        Listing.objects.filter(listing_public_q()),
        OPEN_LISTING_KEYS,
        category_code=F("category_id"),
        category_name=F("category__name"),
        domain=F("category__domain"),
        district=Left("branch__division_id", 6),
        subsidies=open_data.joined("subsidies"),
        quality_score=Round("quality_score", 2),
    )


def open_listing_schedule_rows(*, today: dt.date | None = None) -> QuerySet:
    """The weekly opening of public listings, from the rules in force on `today`; weekday is
    ISO (1 = Monday; the rules count from 0). Exceptions and booked places are not included."""
    today = today or timezone.localdate(timezone=SHANGHAI)
    rules = ScheduleRule.objects.filter(listing_public_q("listing__")).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
    )
    return open_data.open_rows(
        rules,
        OPEN_SCHEDULE_KEYS,
        weekday=F("weekday") + 1,
        opens_at=F("start"),
        closes_at=F("end"),
    )


def open_booking_volume_rows(*, months: int = 24, today: dt.date | None = None) -> list[dict]:
    """Bookings per month (of the service time, Asia/Shanghai), district and domain over the
    last `months` months to `today` inclusive: all, completed, cancelled by either side.

    Raw counts of every booking, public listing or not; openData suppresses small cells."""
    if months < 1:
        raise ValueError("months must be at least 1")
    today = today or timezone.localdate(timezone=SHANGHAI)
    index = today.year * 12 + today.month - 1 - (months - 1)
    first = dt.date(index // 12, index % 12 + 1, 1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=SHANGHAI)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)
    # A booking's starts_at is its slot's start (copied when booked, moved with a reschedule).
    rows = (
        Booking.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .annotate(
            month=open_data.month_text("starts_at"),
            district=Left("listing__branch__division_id", 6),
            domain=F("listing__category__domain"),
        )
        .values("month", "district", "domain")
        .annotate(
            bookings=Count("pk"),
            completed=Count("pk", filter=Q(status=Booking.Status.COMPLETED)),
            cancelled=Count("pk", filter=Q(status__in=CANCELLED)),
        )
        .order_by("month", "district", "domain")
    )
    return list(rows)


def person_names() -> set[str]:
    """Every person's name the services app holds: the family members residents book for,
    removed ones included. Addresses and bookings have no name of their own (a booking is for
    the resident or a family member), and residents' names belong to the accounts app.
    Family members of erased accounts carry a placeholder (已注销), not a name."""
    names = (
        Dependant.objects.filter(owner__erased_at__isnull=True)
        .values_list("name", flat=True)
        .distinct()
    )
    return {name.strip() for name in names if name and name.strip()}
