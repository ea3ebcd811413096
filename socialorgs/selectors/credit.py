"""Reads of social organisations' credit: the public credit profile shown on 一网通查, the
public lists (活动异常名录, 严重违法失信名单, 非法社会组织曝光), the officials' credit desk and
the complaints about an organisation its own accounts read."""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Case, ExpressionWrapper, Q, QuerySet, Value, When
from django.utils import timezone

from portal.accounts.permissions import in_jurisdiction, official_covers
from ratings.models import Complaint
from ratings.services.credit import counting_q, window_start
from socialorgs.models import (
    IllegalOrganisation,
    OrgListEntry,
    OrgMembership,
    SocialOrganisation,
)
from socialorgs.services.credit import active_entry_q

PUBLIC_ILLEGAL = (IllegalOrganisation.Status.EXPOSED, IllegalOrganisation.Status.BANNED)


def public_credit_profile(organisation: SocialOrganisation, today: dt.date | None = None) -> dict:
    """What the public sees of an organisation's credit: score and grade, standing, the
    credit events that count (the last three years), active list entries, licences and
    penalties (kind, amount, basis, date; not the facts, which may name people)."""
    today = today or timezone.localdate()
    return {
        "organisation": organisation,
        "credit_code": organisation.credit_code,
        "score": organisation.credit_score,
        "grade": organisation.credit_grade,
        "standing": organisation.get_standing_display(),
        "standing_code": organisation.standing,
        "counts_since": window_start(today),
        "events": list(
            organisation.credit_events.filter(counting_q(today)).order_by("-occurred_on", "-id")
        ),
        "lists": list(
            organisation.list_entries.filter(active_entry_q(today)).order_by("-starts_on", "-id")
        ),
        "licences": list(organisation.licences.order_by("-issued_on", "-id")),
        "penalties": list(organisation.penalties.order_by("-decided_on", "-id")),
    }


def list_entries_public(
    *, list_name: str | None = None, today: dt.date | None = None
) -> QuerySet[OrgListEntry]:
    """Entries in force, newest first, with their organisation (one query)."""
    entries = (
        OrgListEntry.objects.filter(active_entry_q(today))
        .select_related("organisation__division")
        .order_by("-starts_on", "-id")
    )
    if list_name:
        entries = entries.filter(list=list_name)
    return entries


def illegal_orgs_public(*, division: str = "") -> QuerySet[IllegalOrganisation]:
    """Exposed and banned bodies (withdrawn exposures are not shown), newest first."""
    rows = IllegalOrganisation.objects.filter(status__in=PUBLIC_ILLEGAL).select_related("division")
    if division:
        rows = rows.filter(division__code__startswith=division)
    return rows.order_by("-exposed_on", "-id")


# --- Officials ---------------------------------------------------------------------------------


def org_get_for_credit_desk(*, official, credit_code: str) -> SocialOrganisation | None:
    """An organisation in the official's jurisdiction (any department reads its desk; only
    民政 acts on it), else None."""
    organisation = (
        SocialOrganisation.objects.select_related("division")
        .filter(credit_code=(credit_code or "").upper())
        .first()
    )
    if organisation is None or not official_covers(official, organisation.division_id):
        return None
    return organisation


def credit_desk(organisation: SocialOrganisation, today: dt.date | None = None) -> dict:
    """The officials' credit desk of one organisation: its public profile plus every event and
    list entry, removed ones included, with who recorded them."""
    today = today or timezone.localdate()
    return {
        **public_credit_profile(organisation, today),
        "all_events": list(
            organisation.credit_events.select_related("recorded_by").order_by("-occurred_on", "-id")
        ),
        "all_entries": list(
            organisation.list_entries.select_related("created_by", "removed_by").order_by(
                "-starts_on", "-id"
            )
        ),
        "complaints": list(
            Complaint.objects.filter(
                subject_kind=Complaint.SubjectKind.SOCIAL_ORG,
                subject_ref=organisation.credit_code,
            ).order_by("-created_at")[:50]
        ),
    }


def orgs_for_credit_desk(*, official, query: str = "") -> QuerySet[SocialOrganisation]:
    """The organisations in the official's jurisdiction, listed or low-graded first."""
    rows = in_jurisdiction(SocialOrganisation.objects.select_related("division"), official)
    query = (query or "").strip()
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(credit_code__iexact=query))
    worst_first = Case(
        When(standing=SocialOrganisation.Standing.SERIOUS, then=Value(0)),
        When(standing=SocialOrganisation.Standing.ABNORMAL, then=Value(1)),
        default=Value(2),
    )
    return rows.order_by(worst_first, "credit_score", "name")


def entries_open_for_official(*, official) -> QuerySet[OrgListEntry]:
    return in_jurisdiction(
        OrgListEntry.objects.filter(removed_at__isnull=True).select_related("organisation"),
        official,
        field="organisation__division",
    ).order_by("-starts_on", "-id")


def illegal_orgs_for_official(*, official) -> QuerySet[IllegalOrganisation]:
    return in_jurisdiction(
        IllegalOrganisation.objects.select_related("division"), official
    ).order_by("-exposed_on", "-id")


def illegal_get_for_official(*, official, pk: int) -> IllegalOrganisation | None:
    """An exposure in the official's jurisdiction, else None."""
    illegal = IllegalOrganisation.objects.select_related("division").filter(pk=pk).first()
    if illegal is None or not official_covers(official, illegal.division_id):
        return None
    return illegal


def entry_get_for_official(*, official, pk: int) -> OrgListEntry | None:
    """A list entry of an organisation in the official's jurisdiction, else None."""
    entry = OrgListEntry.objects.select_related("organisation").filter(pk=pk).first()
    if entry is None or not official_covers(official, entry.organisation.division_id):
        return None
    return entry


# --- The organisation's own accounts -----------------------------------------------------------


def _member_codes(user) -> list[str]:
    if not (user and user.is_authenticated):
        return []
    return list(
        OrgMembership.objects.filter(user=user).values_list("organisation__credit_code", flat=True)
    )


def complaints_for_org_accounts(*, user) -> QuerySet[Complaint]:
    """Complaints about the organisations the user holds an account of, newest first."""
    now = timezone.now()
    return (
        Complaint.objects.filter(
            subject_kind=Complaint.SubjectKind.SOCIAL_ORG, subject_ref__in=_member_codes(user)
        )
        .select_related("division", "resident")
        .annotate(
            overdue=ExpressionWrapper(
                Q(status__in=Complaint.OPEN, stage_due_at__lt=now), output_field=BooleanField()
            )
        )
        .order_by("-created_at")
    )


def complaint_get_for_org_account(*, user, pk: int) -> Complaint | None:
    return (
        complaints_for_org_accounts(user=user)
        .prefetch_related("events", "messages__author", "files")
        .filter(pk=pk)
        .first()
    )
