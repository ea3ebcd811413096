"""Reads of what service leaves on a volunteer's record: hour disputes (the volunteer's own,
an organiser's queue) and certificates (the holder's own, and the public check of a code)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from portal.privacy import mask_name
from volunteers.certificate_codes import certificate_code_normalise
from volunteers.models import Certificate, HourDispute, HourRecord, Organisation
from volunteers.selectors.core import is_manager_of

# --- Disputes -----------------------------------------------------------------------------------


def hour_record_get_for_volunteer(*, user, pk: int) -> HourRecord | None:
    """One of the user's own hour records (nobody else's, whoever asks)."""
    if not (user and user.is_authenticated):
        return None
    return (
        HourRecord.objects.select_related("activity__organisation", "volunteer")
        .filter(pk=pk, volunteer__user=user)
        .first()
    )


def dispute_list_for_record(*, record: HourRecord) -> QuerySet[HourDispute]:
    return record.disputes.select_related("record__activity").order_by("-created_at", "-id")


def dispute_list_for_volunteer(*, user) -> QuerySet[HourDispute]:
    return (
        HourDispute.objects.filter(volunteer__user=user)
        .select_related("record__activity")
        .order_by("-created_at", "-id")
    )


def dispute_list_open_for_organisation(*, organisation: Organisation) -> QuerySet[HourDispute]:
    """The organiser's queue: open disputes on its activities' records, oldest first."""
    return (
        HourDispute.objects.filter(
            status=HourDispute.Status.OPEN, record__activity__organisation=organisation
        )
        .select_related("record__activity", "volunteer")
        .order_by("created_at", "id")
    )


def dispute_get_for_manager(*, user, pk: int) -> HourDispute | None:
    dispute = (
        HourDispute.objects.select_related("record__activity__organisation", "volunteer")
        .filter(pk=pk)
        .first()
    )
    if dispute is None or not is_manager_of(user, dispute.record.activity.organisation_id):
        return None
    return dispute


# --- Certificates -------------------------------------------------------------------------------


def certificate_list_for_user(*, user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(volunteer__user=user).order_by("-issued_at", "-id")


def certificate_get_for_owner(*, user, pk: int) -> Certificate | None:
    """The holder's own certificate; anyone else's does not exist for them."""
    if not (user and user.is_authenticated):
        return None
    return (
        Certificate.objects.select_related("volunteer").filter(pk=pk, volunteer__user=user).first()
    )


def mask_volunteer_number(number: str) -> str:
    """`5101002026000017` → `5101********0017`: enough to match a paper copy, not to list."""
    number = number or ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def certificate_verify(code: str) -> dict | None:
    """The public check of a code: what the certificate says, with the holder's name and
    volunteer number masked (never an ID number or phone); None if no certificate has it."""
    normalised = certificate_code_normalise(code)
    if normalised is None:
        return None
    certificate = Certificate.objects.select_related("volunteer").filter(code=normalised).first()
    if certificate is None:
        return None
    return {
        "code": certificate.code,
        "holder": mask_name(certificate.volunteer.real_name),
        "volunteer_number": mask_volunteer_number(certificate.volunteer.number),
        "period_start": certificate.period_start,
        "period_end": certificate.period_end,
        "minutes": certificate.minutes,
        "hours": certificate.hours,
        "activity_count": certificate.activity_count,
        "issued_on": timezone.localtime(certificate.issued_at).date(),
        "valid": certificate.is_valid,
        "revoked_on": timezone.localtime(certificate.revoked_at).date()
        if certificate.revoked_at
        else None,
    }
