"""Read paths of the services app: the public face of listings, the provider's own lists,
upcoming slots. Other apps (search, matching, openData) read listings only through here."""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.search import SearchRank
from django.db.models import Count, F, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.accounts.models import Division
from portal.accounts.permissions import is_provider_staff
from portal.errors import DomainError
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
    Slot,
)
from services.search import build_query


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
    search = ListingSearchFilter(params, queryset=listing_list_public())
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
        rank = SearchRank(F("search_vector"), query)
        if has_distance:  # nearer is better: rank shrinks with distance (halves at 5 km)
            rank = rank / (Value(1.0) + F("distance_km") / Value(5.0))
        ordered = matches.annotate(score=rank).order_by("-score", "pk")
    elif sort == "distance" or (has_distance and sort in ("", "relevance")):
        ordered = matches.order_by("distance_km", "pk")
    elif sort == "price":
        ordered = matches.order_by("price_fen", "pk")
    elif sort == "-price":
        ordered = matches.order_by("-price_fen", "pk")
    else:
        ordered = matches.order_by("pk")

    page = max(1, page)
    offset = (page - 1) * page_size
    rows = list(ordered[offset : offset + page_size + 1])
    facets_base = matches.order_by()
    facets = {
        "domain": list(
            facets_base.values(value=F("domain"))
            .annotate(count=Count("pk"))
            .order_by("-count", "value")
        ),
        "category": list(
            facets_base.values(value=F("category_id"))
            .annotate(count=Count("pk"))
            .order_by("-count", "value")[:30]
        ),
        "district": list(
            facets_base.values(value=F("district"))
            .annotate(count=Count("pk"))
            .order_by("-count", "value")
        ),
    }
    _label_facets(facets)
    return {
        "results": rows[:page_size],
        "has_next": len(rows) > page_size,
        "page": page,
        "facets": facets,
        "sort": sort,
        "params": data,
    }


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
