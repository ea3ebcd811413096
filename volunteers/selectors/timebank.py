"""Reads of the time bank (时间银行): a volunteer's accounts and statements, the family members
they may give hours to, the services one can spend hours on, and the redemptions an
organisation has to deliver.

A volunteer reads only their own accounts (theirs and those of the family members they keep);
an organisation's managers read its redemptions with the holder's name masked, the real name
and phone only through volunteers.services.timebank.redemption_contact_reveal (audit-logged).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F, Q, QuerySet, Sum, Window
from django.db.models.expressions import RowRange
from django.utils import timezone

from portal.accounts.models import division_prefix
from services.models import Dependant
from volunteers.models import (
    Organisation,
    TimeBankAccount,
    TimeBankPosting,
    TimeBankRedemption,
    TimeBankService,
)
from volunteers.selectors.core import is_manager_of, managed_organisation_ids

HOLDER_KINDS = TimeBankAccount.HOLDER_KINDS


# --- Family members -----------------------------------------------------------------------------


def dependant_age_on(dependant: Dependant, day: dt.date) -> int | None:
    """Whole years of age on `day`, or None without a recorded birth date."""
    born = dependant.birth_date
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def dependant_can_receive_hours(dependant: Dependant, *, today: dt.date | None = None) -> bool:
    """Hours go only to a family member still on the volunteer's list who is at least
    VOLUNTEER_TIMEBANK_FAMILY_MIN_AGE years old today (a birth date is required)."""
    if dependant.removed_at is not None:
        return False
    age = dependant_age_on(dependant, today or timezone.localdate())
    return age is not None and age >= settings.VOLUNTEER_TIMEBANK_FAMILY_MIN_AGE


def dependant_list_active(*, user) -> QuerySet[Dependant]:
    if not (user and user.is_authenticated):
        return Dependant.objects.none()
    return Dependant.objects.filter(owner=user, removed_at__isnull=True).order_by(
        "created_at", "id"
    )


def transfer_targets(*, user) -> list[Dependant]:
    """The user's family members who may receive hours today."""
    today = timezone.localdate()
    return [
        d for d in dependant_list_active(user=user) if dependant_can_receive_hours(d, today=today)
    ]


# --- Accounts and statements --------------------------------------------------------------------


def timebank_accounts_for_user(*, user) -> list[TimeBankAccount]:
    """The user's own account and the family accounts they keep, own account first; an
    account exists from the first hour banked (or transferred) into it."""
    if not (user and user.is_authenticated):
        return []
    accounts = TimeBankAccount.objects.filter(
        kind__in=HOLDER_KINDS, volunteer__user=user
    ).select_related("volunteer", "dependant")
    return sorted(accounts, key=lambda a: (a.kind != TimeBankAccount.Kind.PERSONAL, a.pk))


def timebank_account_get_for_user(*, user, pk: int) -> TimeBankAccount | None:
    if not (user and user.is_authenticated):
        return None
    return (
        TimeBankAccount.objects.filter(pk=pk, kind__in=HOLDER_KINDS, volunteer__user=user)
        .select_related("volunteer", "dependant")
        .first()
    )


def spendable_accounts(*, user) -> list[TimeBankAccount]:
    """Accounts the user may spend from now: their own, and those of family members still on
    their list (a removed member's hours stay where they are until they expire)."""
    return [
        a
        for a in timebank_accounts_for_user(user=user)
        if a.kind == TimeBankAccount.Kind.PERSONAL or a.dependant.removed_at is None
    ]


def timebank_statement(*, account: TimeBankAccount, limit: int = 200) -> list[TimeBankPosting]:
    """The account's postings, newest first, each with `running` (the balance after it).
    Postings are append-only, so their ids are the order the balance moved in (clock times
    of concurrent transactions need not be)."""
    running = Window(
        Sum("minutes"),
        order_by=[F("id").asc()],
        frame=RowRange(start=None, end=0),
    )
    return list(
        TimeBankPosting.objects.filter(account=account)
        .select_related("transaction")
        .annotate(running=running)
        .order_by("-id")[:limit]
    )


# --- Services -----------------------------------------------------------------------------------


def _services() -> QuerySet[TimeBankService]:
    return TimeBankService.objects.select_related("organisation", "division")


def timebank_service_list(
    *, division: str = "", skill: str = "", text: str = ""
) -> QuerySet[TimeBankService]:
    """Services one can spend hours on: active, of an approved organisation; near a division
    (its code prefix), of a kind (skill), matching a text (Chinese substrings)."""
    services = _services().filter(active=True, organisation__status=Organisation.Status.APPROVED)
    if division:
        services = services.filter(division__code__startswith=division_prefix(division))
    if skill:
        services = services.filter(skill=skill)
    text = (text or "").strip()
    if text:
        services = services.filter(
            Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(organisation__name__icontains=text)
        )
    return services.order_by("division_id", "title", "id")


def timebank_service_get_available(*, pk) -> TimeBankService | None:
    return timebank_service_list().filter(pk=pk).first()


def timebank_service_list_for_organisation(
    *, organisation: Organisation
) -> QuerySet[TimeBankService]:
    return _services().filter(organisation=organisation).order_by("-active", "title", "id")


def timebank_service_get_for_manager(*, user, pk: int) -> TimeBankService | None:
    service = _services().filter(pk=pk).first()
    if service is None or not is_manager_of(user, service.organisation_id):
        return None
    return service


# --- Redemptions --------------------------------------------------------------------------------


def _redemptions() -> QuerySet[TimeBankRedemption]:
    return TimeBankRedemption.objects.select_related(
        "service__organisation", "account__volunteer", "account__dependant"
    )


def redemption_list_for_user(*, user) -> QuerySet[TimeBankRedemption]:
    """Redemptions from the user's own and family accounts, newest first."""
    if not (user and user.is_authenticated):
        return TimeBankRedemption.objects.none()
    return _redemptions().filter(account__volunteer__user=user).order_by("-created_at", "-id")


def redemption_list_for_organisation(
    *, organisation: Organisation, status: str = ""
) -> QuerySet[TimeBankRedemption]:
    """The organisation's queue: open ones first by wanted date, then the decided ones."""
    redemptions = _redemptions().filter(service__organisation=organisation)
    if status:
        redemptions = redemptions.filter(status=status)
    return redemptions.order_by(
        F("decided_at").desc(nulls_first=True), "wanted_on", "created_at", "id"
    )


def redemption_get_for_manager(*, user, pk: int) -> TimeBankRedemption | None:
    redemption = _redemptions().filter(pk=pk).first()
    if redemption is None or not is_manager_of(user, redemption.service.organisation_id):
        return None
    return redemption


def redemption_get_for_requester_or_manager(*, user, pk: int) -> TimeBankRedemption | None:
    redemption = _redemptions().filter(pk=pk).first()
    if redemption is None or not (user and user.is_authenticated):
        return None
    if redemption.account.volunteer.user_id == user.pk:
        return redemption
    if redemption.service.organisation_id in managed_organisation_ids(user):
        return redemption
    return None


def holder_masked_name(account: TimeBankAccount) -> str:
    """Whom the hours are for, masked (张*): the family member, or the volunteer."""
    if account.dependant_id:
        return account.dependant.masked_name
    return account.volunteer.masked_name
