"""Read paths of the services app: the public face of listings, the provider's own lists,
upcoming slots. Other apps (search, matching, openData) read listings only through here."""

from __future__ import annotations

from django.contrib.postgres.search import SearchRank
from django.db.models import Count, F, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Division
from portal.accounts.permissions import is_provider_staff
from portal.errors import DomainError
from providers.domains import Domain
from services.filters import ListingSearchFilter, SearchParameterError
from services.models import Category, Listing, Slot
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


def listing_search(*, params, page: int = 1, page_size: int = SEARCH_PAGE_SIZE) -> dict:
    """Search public listings: validated filters, ranking, one page, facet counts.

    Raises SearchError (a 400 with the fields named) for bad parameters.
    """
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
