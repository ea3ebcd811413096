"""Rows of the socialorgs open-data datasets (built by openData through these functions only):
the registry's public fields, evaluation grades, and the charity projects' aggregated flows
with each project's chain head. No person appears in any row: not the legal representative,
not a social worker, donor or beneficiary."""

from __future__ import annotations

import datetime as dt

from django.db.models import CharField, Count, F, Func, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, Round
from django.utils import timezone

from portal import open_data
from socialorgs.models import (
    AnnualReport,
    ChainEntry,
    Evaluation,
    FundraisingProject,
    SocialOrganisation,
)
from socialorgs.selectors.registry import current_evaluation_q

OPEN_REGISTRY_KEYS = [
    "credit_code",
    "name",
    "kind",
    "domain",
    "division_code",
    "authority",
    "founded_on",
    "status",
    "status_changed_on",
    "is_charity",
    "public_fundraising",
    "evaluation_grade",
    "grade_valid_until",
    "credit_grade",
    "standing",
    "last_report_year",
    "last_report_result",
]


def _yuan(fen):
    """Fen as yuan with two decimals (numeric division alone gives twenty, and a run of
    zeros that long looks like a card number to the gate)."""
    return Round(fen / Value(100.0), 2)


def _current_evaluation(today: dt.date):
    return Evaluation.objects.filter(current_evaluation_q(today), organisation=OuterRef("pk"))


def _last_reviewed_report():
    return AnnualReport.objects.filter(
        organisation=OuterRef("pk"), status=AnnualReport.Status.REVIEWED
    ).order_by("-year")


def open_registry_rows(*, today: dt.date | None = None):
    """Every registered organisation (revoked and deregistered ones too, with their status):
    identity, classification, authority, dates, charity status, the current evaluation grade,
    credit grade and standing, and the newest reviewed annual report's result. One query."""
    today = today or timezone.localdate()
    current = _current_evaluation(today)
    report = _last_reviewed_report()
    return open_data.open_rows(
        SocialOrganisation.objects.all(),
        OPEN_REGISTRY_KEYS,
        division_code=F("division_id"),
        # Booleans as true/false (COPY writes t/f, which Table Schema does not read).
        is_charity=Cast("is_charity", CharField()),
        public_fundraising=Cast("public_fundraising", CharField()),
        evaluation_grade=Subquery(current.values("grade")[:1]),
        grade_valid_until=Subquery(current.values("valid_until")[:1]),
        last_report_year=Subquery(report.values("year")[:1]),
        last_report_result=Subquery(report.values("result")[:1]),
    )


OPEN_GRADE_KEYS = [
    "credit_code",
    "name",
    "grade",
    "total",
    "basic_conditions",
    "governance",
    "performance",
    "social_evaluation",
    "awarded_on",
    "valid_until",
    "state",
]


def open_grade_rows(*, today: dt.date | None = None) -> list[dict]:
    """Every evaluation with its area scores and its state on `today`: current (its
    organisation's newest, valid), superseded (a newer one exists), expired or revoked. One
    query."""
    today = today or timezone.localdate()
    rows = []
    seen: set[int] = set()
    evaluations = Evaluation.objects.select_related("organisation").order_by(
        "organisation__credit_code", "-awarded_on", "-id"
    )
    for evaluation in evaluations:
        org = evaluation.organisation
        if evaluation.revoked_at is not None:
            state = "revoked"
        elif evaluation.valid_until < today:
            state = "expired"
        elif org.pk in seen:
            state = "superseded"
        else:
            state = "current"
        # The newest evaluation, whatever its state, replaces the older ones.
        seen.add(org.pk)
        rows.append(
            {
                "credit_code": org.credit_code,
                "name": org.name,
                "grade": f"{evaluation.grade}A",
                "total": evaluation.total,
                "basic_conditions": evaluation.basic_conditions,
                "governance": evaluation.governance,
                "performance": evaluation.performance,
                "social_evaluation": evaluation.social_evaluation,
                "awarded_on": evaluation.awarded_on,
                "valid_until": evaluation.valid_until,
                "state": state,
            }
        )
    return rows


def open_charity_project_rows():
    """Fundraising projects with their totals and the hash of their chain's newest entry:
    each release anchors the chain, so a later rewrite of its history is detectable by
    anyone who kept an earlier release. One query."""
    head = ChainEntry.objects.filter(project=OuterRef("pk")).order_by("-seq")
    donation = Q(entries__kind=ChainEntry.Kind.DONATION)
    disbursement = Q(entries__kind=ChainEntry.Kind.DISBURSEMENT)
    return (
        FundraisingProject.objects.annotate(
            credit_code=F("organisation__credit_code"),
            organisation_name=F("organisation__name"),
            target_yuan=_yuan(F("target_fen")),
            donated_yuan=_yuan(Coalesce(Sum("entries__amount_fen", filter=donation), 0)),
            disbursed_yuan=_yuan(Coalesce(Sum("entries__amount_fen", filter=disbursement), 0)),
            entries_count=Count("entries"),
            chain_head=Subquery(head.values("entry_hash")[:1]),
        )
        .values(
            "filing_number",
            "credit_code",
            "organisation_name",
            "title",
            "beneficiary_group",
            "target_yuan",
            "starts_on",
            "ends_on",
            "status",
            "donated_yuan",
            "disbursed_yuan",
            "entries_count",
            "chain_head",
        )
        .order_by("filing_number")
    )


def open_charity_flow_rows(*, months: int = 24, today: dt.date | None = None):
    """Donations and disbursements per project, month (of the entry's date) and kind over the
    `months` calendar months ending with today's: how many and how much. Raw counts; openData
    suppresses a cell under its threshold with its sum (one donation's amount would single
    it out). One query."""
    start, end = open_data.month_window(today, months)
    return (
        ChainEntry.objects.filter(occurred_on__gte=start.date(), occurred_on__lt=end.date())
        .annotate(
            filing_number=F("project__filing_number"),
            month=Func(
                F("occurred_on"), Value("YYYY-MM"), function="to_char", output_field=CharField()
            ),
        )
        .values("filing_number", "month", "kind")
        .annotate(entries=Count("id"), amount_yuan=_yuan(Sum("amount_fen")))
        .order_by("filing_number", "month", "kind")
    )


def person_names() -> set[str]:
    """Every person's name the socialorgs app holds (legal representatives, social workers,
    individual donors and beneficiaries), for the open-data gate's name scan. Companies and
    organisations giving or receiving are not persons: their names are public."""
    from socialorgs.models import SocialWorker

    names = set(SocialOrganisation.objects.values_list("legal_rep_name", flat=True).distinct())
    names |= set(SocialWorker.objects.values_list("name", flat=True).distinct())
    names |= set(
        ChainEntry.objects.filter(party_kind=ChainEntry.Party.PERSON)
        .exclude(beneficiary_name="")
        .values_list("beneficiary_name", flat=True)
        .distinct()
    )
    names |= set(
        ChainEntry.objects.filter(party_kind=ChainEntry.Party.PERSON)
        .exclude(donor_name="")
        .values_list("donor_name", flat=True)
        .distinct()
    )
    return {name.strip() for name in names if name and name.strip()}


def open_org_list_rows():
    """Entries of the two credit lists (活动异常名录, 严重违法失信名单), current and ended, about
    organisations only. One query."""
    from socialorgs.models import OrgListEntry

    return (
        OrgListEntry.objects.annotate(
            credit_code=F("organisation__credit_code"), organisation_name=F("organisation__name")
        )
        .values(
            "id",
            "credit_code",
            "organisation_name",
            "list",
            "reason",
            "basis",
            "starts_on",
            "ends_on",
            "removed_at__date",
        )
        .order_by("id")
    )


def open_illegal_org_rows():
    """The exposure list of illegal social organisations (not withdrawn ones). One query."""
    from socialorgs.models import IllegalOrganisation

    return (
        IllegalOrganisation.objects.exclude(status=IllegalOrganisation.Status.WITHDRAWN)
        .annotate(division_code=F("division_id"))
        .values("id", "name", "division_code", "basis", "exposed_on", "status")
        .order_by("id")
    )
