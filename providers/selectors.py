"""Read paths for providers."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.accounts.permissions import in_jurisdiction, is_official, is_provider_staff
from providers.models import Provider


def provider_list_for_official(*, official) -> QuerySet[Provider]:
    """Organisations inside the official's jurisdiction, any status."""
    return in_jurisdiction(Provider.objects.select_related("division"), official)


def provider_get_for_official(*, official, pk) -> Provider | None:
    return provider_list_for_official(official=official).filter(pk=pk).first()


def provider_list_for_staff(*, user) -> QuerySet[Provider]:
    if not is_provider_staff(user):
        return Provider.objects.none()
    return Provider.objects.filter(memberships__user=user).select_related("division")


def provider_list_visible(*, viewer) -> QuerySet[Provider]:
    """What the viewer may list: officials their jurisdiction, staff their own, others approved."""
    if is_official(viewer):
        return provider_list_for_official(official=viewer)
    if is_provider_staff(viewer):
        return provider_list_for_staff(user=viewer)
    return Provider.objects.filter(status=Provider.Status.APPROVED).select_related("division")


def memberships_export(user) -> list[dict]:
    return [
        {
            "provider": m.provider.name,
            "credit_code": m.provider.credit_code,
            "role": m.role,
            "since": m.created_at.isoformat(),
        }
        for m in user.provider_memberships.select_related("provider")
    ]
