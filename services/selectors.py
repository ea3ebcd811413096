"""Read paths of the services app: the public face of listings, the provider's own lists,
upcoming slots. Other apps (search, matching, openData) read listings only through here."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.accounts.permissions import is_provider_staff
from providers.selectors import public_provider_q
from services.models import Category, Listing, Slot


def listing_public_q(prefix: str = "") -> Q:
    """Listings anyone may see: published, not hidden, of a public provider."""
    return Q(
        **{f"{prefix}status": Listing.Status.PUBLISHED, f"{prefix}hidden_reason": ""}
    ) & public_provider_q(f"{prefix}provider__")


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
