"""The officials' reads of volunteer organisations: the review queue of a jurisdiction and one
organisation with its members (names masked) and review history."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from portal.accounts.models import division_prefix
from portal.accounts.permissions import is_official
from volunteers.models import Organisation


def organisation_list_for_official(
    *, official, status: str = Organisation.Status.SUBMITTED
) -> QuerySet[Organisation]:
    """Organisations of the official's jurisdiction in a state, oldest first (the queue)."""
    if not is_official(official):
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(
            division__code__startswith=division_prefix(official.jurisdiction_id), status=status
        )
        .select_related("division")
        .annotate(member_count=Count("members"))
        .order_by("created_at", "id")
    )


def organisation_get_for_official(*, official, pk: int) -> Organisation | None:
    """An organisation in the official's jurisdiction (in any state), else None."""
    if not is_official(official):
        return None
    organisation = Organisation.objects.select_related("division").filter(pk=pk).first()
    if organisation is None or not official.covers(organisation.division_id):
        return None
    return organisation


def organisation_review_history(*, organisation: Organisation):
    return organisation.reviews.select_related("actor").order_by("-at", "-id")
