"""Read paths of the registry: 一网通查 (the public search and the one-page profile of an
organisation), the officials' lists of their jurisdiction, the organisation accounts' own
pages, annual reports and evaluations."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.postgres.search import SearchRank
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from portal.accounts.models import division_prefix
from portal.accounts.permissions import is_official
from portal.search import build_query
from socialorgs.models import (
    AnnualReport,
    Evaluation,
    OrgMembership,
    SocialOrganisation,
)
from socialorgs.selectors.credit import public_credit_profile

R = AnnualReport.Status
CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
HANDED_IN = (R.SUBMITTED, R.REVIEWED)


# --- Evaluation grades ---------------------------------------------------------------------------


def current_evaluation_q(today: dt.date) -> Q:
    """Evaluations that give the current grade on `today`: the organisation's newest one, when
    it is neither revoked nor expired. A newer evaluation replaces the older ones, and a
    revoked newest one leaves no grade (an older grade does not come back)."""
    newer = Evaluation.objects.filter(organisation=OuterRef("organisation")).filter(
        Q(awarded_on__gt=OuterRef("awarded_on"))
        | Q(awarded_on=OuterRef("awarded_on"), id__gt=OuterRef("id"))
    )
    return Q(revoked_at__isnull=True, valid_until__gte=today) & ~Exists(newer)


def current_evaluation(
    organisation: SocialOrganisation, today: dt.date | None = None
) -> Evaluation | None:
    """The evaluation that gives the current grade on `today`, if any."""
    today = today or timezone.localdate()
    return organisation.evaluations.filter(current_evaluation_q(today)).first()


def latest_evaluation(organisation: SocialOrganisation) -> Evaluation | None:
    """The newest evaluation if it is not revoked, valid or expired (shown as 已过期)."""
    newest = organisation.evaluations.order_by("-awarded_on", "-id").first()
    return newest if newest is not None and newest.revoked_at is None else None


def _with_current_grade(queryset: QuerySet, today: dt.date) -> QuerySet:
    current = Evaluation.objects.filter(current_evaluation_q(today), organisation=OuterRef("pk"))
    return queryset.annotate(
        current_grade=Subquery(current.values("grade")[:1]),
        grade_valid_until=Subquery(current.values("valid_until")[:1]),
    )


# --- 一网通查 ---------------------------------------------------------------------------------


def normalised_credit_code(text: str) -> str:
    """`text` as a credit code when it is shaped like one (any case, spaces around), else ""."""
    code = (text or "").strip().upper()
    return code if CREDIT_CODE_RE.match(code) else ""


def org_search(
    *,
    text: str = "",
    code: str = "",
    kind: str = "",
    domain: str = "",
    division: str = "",
    grade: int | None = None,
    status: str = "",
    standing: str = "",
    today: dt.date | None = None,
) -> QuerySet[SocialOrganisation]:
    """Registered organisations (every status: the registry is public), each with its current
    grade. The text is searched like services' listings (portal.search): Chinese words or
    pinyin, full or initials (`shehuigongzuo`, `shgz`); a whole credit code finds that
    organisation. `division` is a jurisdiction: 510100 finds every district of 成都市."""
    today = today or timezone.localdate()
    orgs = _with_current_grade(SocialOrganisation.objects.select_related("division"), today)
    code = normalised_credit_code(code) or (code or "").strip().upper()
    if code:
        orgs = orgs.filter(credit_code=code)
    if kind:
        orgs = orgs.filter(kind=kind)
    if domain:
        orgs = orgs.filter(domain=domain)
    if division:
        orgs = orgs.filter(division__code__startswith=division_prefix(division))
    if grade:
        orgs = orgs.filter(current_grade=grade)
    if status:
        orgs = orgs.filter(status=status)
    if standing:
        orgs = orgs.filter(standing=standing)
    text_code = normalised_credit_code(text)
    if text_code:
        return orgs.filter(credit_code=text_code).order_by("name", "id")
    query = build_query(text)
    if query is None:
        return orgs.order_by("name", "id")
    return (
        orgs.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "name", "id")
    )


def org_get_public(*, credit_code: str) -> SocialOrganisation | None:
    code = normalised_credit_code(credit_code)
    if not code:
        return None
    return SocialOrganisation.objects.select_related("division").filter(credit_code=code).first()


def _report_rows(organisation: SocialOrganisation) -> list[dict]:
    """What 年报公示 shows of each year: handed-in reports with their finance totals and
    result, and years flagged overdue (逾期未报) without figures. Drafts stay private."""
    reports = organisation.annual_reports.filter(
        Q(status__in=HANDED_IN) | Q(overdue_at__isnull=False)
    ).order_by("-year")
    rows = []
    for report in reports:
        handed_in = report.status in HANDED_IN
        rows.append(
            {
                "year": report.year,
                "status": report.status if handed_in else "overdue",
                "status_label": report.get_status_display() if handed_in else None,
                "result": report.result,
                "result_label": report.get_result_display() if report.result else "",
                "overdue": report.overdue_at is not None,
                "income_fen": report.income_fen if handed_in else None,
                "expenditure_fen": report.expenditure_fen if handed_in else None,
                "net_assets_fen": report.net_assets_fen if handed_in else None,
                "staff_count": report.staff_count if handed_in else None,
                "volunteer_count": report.volunteer_count if handed_in else None,
            }
        )
    return rows


def _safe_url(name: str, **kwargs) -> str:
    """The URL of another area's page, or "" while that page does not exist yet."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _related_projects(organisation: SocialOrganisation) -> dict:
    """The organisation's published social-work projects and its charity fundraising
    projects, linked to their pages where those pages exist."""
    projects = [
        {
            "title": p.title,
            "status": p.get_status_display(),
            "url": _safe_url("socialorgs:project-detail", pk=p.pk),
        }
        for p in organisation.projects.exclude(status="draft").order_by("-starts_on", "id")[:50]
    ]
    charity = [
        {
            "title": p.title,
            "filing_number": p.filing_number,
            "status": p.get_status_display(),
            "url": _safe_url("socialorgs:charity-project", filing_number=p.filing_number),
        }
        for p in organisation.fundraising_projects.order_by("-starts_on", "id")[:50]
    ]
    return {"projects": projects, "charity_projects": charity}


def org_profile(*, organisation: SocialOrganisation, today: dt.date | None = None) -> dict:
    """The public one-page profile (一网通查): basic information (the legal representative
    masked), annual-report results by year, the evaluation grade with its validity, credit
    (socialorgs.selectors.credit), licences and penalties, and the organisation's projects."""
    today = today or timezone.localdate()
    latest = latest_evaluation(organisation)
    current = current_evaluation(organisation, today)
    return {
        "organisation": organisation,
        "reports": _report_rows(organisation),
        "evaluation": latest,
        # The newest grade is current, or expired (已过期); revoked, there is none.
        "evaluation_current": current,
        "evaluation_expired": latest is not None and latest.valid_until < today,
        "credit": public_credit_profile(organisation, today),
        **_related_projects(organisation),
    }


# --- Officials -----------------------------------------------------------------------------------


def _in_jurisdiction(queryset: QuerySet, official, field: str = "division") -> QuerySet:
    if not is_official(official):
        return queryset.none()
    return queryset.filter(
        **{f"{field}__code__startswith": division_prefix(official.jurisdiction_id)}
    )


def org_list_for_official(
    *, official, text: str = "", status: str = "", today: dt.date | None = None
) -> QuerySet[SocialOrganisation]:
    """The organisations of the official's jurisdiction with the number of reports waiting
    for review and of reports flagged overdue (and not handed in since)."""
    today = today or timezone.localdate()
    orgs = _with_current_grade(_in_jurisdiction(SocialOrganisation.objects, official), today)
    if status:
        orgs = orgs.filter(status=status)
    code = normalised_credit_code(text)
    if code:
        orgs = orgs.filter(credit_code=code)
    elif (query := build_query(text)) is not None:
        orgs = orgs.filter(search_vector=query)
    return (
        orgs.select_related("division")
        .annotate(
            pending_reports=Count(
                "annual_reports", filter=Q(annual_reports__status=R.SUBMITTED), distinct=True
            ),
            overdue_reports=Count(
                "annual_reports",
                filter=Q(annual_reports__overdue_at__isnull=False)
                & ~Q(annual_reports__status__in=HANDED_IN),
                distinct=True,
            ),
        )
        .order_by("name", "id")
    )


def official_counts(*, official) -> dict:
    reports = _in_jurisdiction(AnnualReport.objects, official, "organisation__division")
    return {
        "organisations": _in_jurisdiction(SocialOrganisation.objects, official).count(),
        "pending_reports": reports.filter(status=R.SUBMITTED).count(),
        "overdue_reports": reports.filter(overdue_at__isnull=False)
        .exclude(status__in=HANDED_IN)
        .count(),
    }


def org_get_for_official(*, official, credit_code: str) -> SocialOrganisation | None:
    """An organisation the official's jurisdiction covers (anyone else: None, a 404)."""
    org = org_get_public(credit_code=credit_code)
    if org is None or not (is_official(official) and official.covers(org.division_id)):
        return None
    return org


def report_queue(*, official, status: str = R.SUBMITTED) -> QuerySet[AnnualReport]:
    """Annual reports of the jurisdiction in `status`, oldest submission first."""
    reports = _in_jurisdiction(AnnualReport.objects, official, "organisation__division")
    return (
        reports.filter(status=status).select_related("organisation").order_by("submitted_at", "id")
    )


def report_get_for_official(*, official, pk: int) -> AnnualReport | None:
    report = AnnualReport.objects.select_related("organisation").filter(pk=pk).first()
    if report is None or not (is_official(official) and official.covers(report.jurisdiction_code)):
        return None
    return report


def evaluation_get_for_official(*, official, pk: int) -> Evaluation | None:
    evaluation = Evaluation.objects.select_related("organisation").filter(pk=pk).first()
    if evaluation is None or not (
        is_official(official) and official.covers(evaluation.jurisdiction_code)
    ):
        return None
    return evaluation


def evaluations_of(organisation: SocialOrganisation) -> QuerySet[Evaluation]:
    return organisation.evaluations.order_by("-awarded_on", "-id")


# --- Organisation accounts -----------------------------------------------------------------------


def orgs_of_user(*, user) -> QuerySet[SocialOrganisation]:
    """The organisations the user holds an account of, with their role (`my_role`)."""
    if not (user and user.is_authenticated):
        return SocialOrganisation.objects.none()
    role = OrgMembership.objects.filter(organisation=OuterRef("pk"), user=user).values("role")
    return (
        SocialOrganisation.objects.filter(memberships__user=user)
        .annotate(my_role=Subquery(role[:1]))
        .select_related("division")
        .order_by("name", "id")
    )


def org_get_for_member(*, user, credit_code: str) -> SocialOrganisation | None:
    """An organisation the user holds an account of (with `my_role`), else None (a 404)."""
    code = normalised_credit_code(credit_code)
    if not code:
        return None
    return orgs_of_user(user=user).filter(credit_code=code).first()


def reports_of(organisation: SocialOrganisation) -> QuerySet[AnnualReport]:
    return organisation.annual_reports.order_by("-year")


def report_of_year(organisation: SocialOrganisation, year: int) -> AnnualReport | None:
    return organisation.annual_reports.filter(year=year).first()


def members_of(organisation: SocialOrganisation) -> QuerySet[OrgMembership]:
    return organisation.memberships.select_related("user").order_by("role", "created_at", "id")
