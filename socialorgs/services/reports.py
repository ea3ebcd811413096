"""Annual reports (年报): the organisation's owner or a manager saves a draft and submits the
report for a finished year; a 民政 official covering the organisation reviews it (合格, 基本合格,
不合格 — 不合格 is a credit event) or returns it for changes, after which it is submitted again.
A daily job flags the reports not submitted by settings.SOCIALORG_ANNUAL_REPORT_DUE of the
next year (overdue: a credit event and a notice to the organisation's accounts).

Amounts are typed in yuan and kept in fen; a report is for a year that has ended and not
before the organisation was founded."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record
from portal.notifications.services import notify
from socialorgs.errors import SocialOrgConflict, SocialOrgError
from socialorgs.models import AnnualReport, OrgCreditEvent, SocialOrganisation
from socialorgs.services.common import (
    count_input,
    fen_of_yuan,
    optional_text,
    org_accounts,
    require_org_manager,
    require_supervisor,
)
from socialorgs.services.credit import org_credit_record

S = AnnualReport.Status
R = AnnualReport.Result
MAX_AMOUNT_YUAN = 100_000_000_000  # 1000 亿元: more is a unit mistake (fen typed as yuan)
MAX_STAFF = 100_000
MAX_VOLUNTEERS = 10_000_000
AMOUNTS = {"income": "income_fen", "expenditure": "expenditure_fen", "net_assets": "net_assets_fen"}
COUNTS = {"staff_count": MAX_STAFF, "volunteer_count": MAX_VOLUNTEERS}
# A report the organisation has handed in (the overdue job leaves these alone).
HANDED_IN = (S.SUBMITTED, S.REVIEWED)


def report_year(organisation: SocialOrganisation, year, *, today: dt.date | None = None) -> int:
    """The report's year: a year that has ended, not before the organisation was founded."""
    today = today or timezone.localdate()
    if isinstance(year, bool) or not isinstance(year, (int, str)):
        raise SocialOrgError(_("请输入年度（如 2024）。"), code="invalid", field="year")
    try:
        year = int(str(year).strip())
    except ValueError:
        raise SocialOrgError(_("请输入年度（如 2024）。"), code="invalid", field="year") from None
    if year >= today.year:
        raise SocialOrgError(
            _("年报填报已结束的年度：最晚为 %(y)s 年度。") % {"y": today.year - 1},
            code="future_year",
            field="year",
        )
    if year < organisation.founded_on.year:
        raise SocialOrgError(
            _("该组织成立于 %(y)s 年，不能填报更早年度的年报。")
            % {"y": organisation.founded_on.year},
            code="before_founding",
            field="year",
        )
    return year


def _locked_report(organisation: SocialOrganisation, year: int) -> AnnualReport:
    """The organisation's report for the year, created as a draft when there is none, locked
    for the rest of the transaction."""
    report = (
        AnnualReport.objects.select_for_update()
        .filter(organisation=organisation, year=year)
        .first()
    )
    if report is not None:
        return report
    try:
        with transaction.atomic():
            return AnnualReport.objects.create(organisation=organisation, year=year)
    except IntegrityError:  # created meanwhile by someone else (or the overdue job)
        return AnnualReport.objects.select_for_update().get(organisation=organisation, year=year)


def annual_report_save(
    *,
    organisation: SocialOrganisation,
    actor: User,
    year,
    data: dict,
    submit: bool = False,
    request=None,
) -> AnnualReport:
    """Save the year's report (the fields given in `data`) as a draft, or submit it. A draft
    or a returned report can be changed; a submitted or reviewed one cannot."""
    require_org_manager(actor, organisation)
    year = report_year(organisation, year)
    values: dict = {}
    if "activities" in data:
        values["activities"] = optional_text(data.get("activities"), "activities", 5000)
    for field, column in AMOUNTS.items():
        if field in data:
            values[column] = fen_of_yuan(data.get(field), field, max_yuan=MAX_AMOUNT_YUAN)
    for field, maximum in COUNTS.items():
        if field in data:
            values[field] = count_input(data.get(field), field, maximum=maximum)
    with transaction.atomic():
        status = (
            SocialOrganisation.objects.select_for_update()
            .filter(pk=organisation.pk)
            .values_list("status", flat=True)
            .get()
        )
        if status != SocialOrganisation.Status.NORMAL:
            raise SocialOrgConflict(
                _("该组织已撤销或注销，不能填报年报。"), code="organisation_inactive"
            )
        report = _locked_report(organisation, year)
        if report.status == S.SUBMITTED:
            raise SocialOrgConflict(
                _("%(y)s 年度报告已报送，正在等待审核，不能修改。") % {"y": year},
                code="already_submitted",
            )
        if report.status == S.REVIEWED:
            raise SocialOrgConflict(
                _("%(y)s 年度报告已审核，不能修改。") % {"y": year}, code="already_reviewed"
            )
        for column, value in values.items():
            setattr(report, column, value)
        fields = list(values)
        if submit:
            if not report.activities.strip():
                raise SocialOrgError(
                    _("报送前请填写业务活动情况。"), code="required", field="activities"
                )
            report.status = S.SUBMITTED
            report.submitted_at = timezone.now()
            report.first_submitted_at = report.first_submitted_at or report.submitted_at
            report.submitted_by = actor
            fields += ["status", "submitted_at", "first_submitted_at", "submitted_by"]
        if fields:
            report.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="socialorg.report_submitted" if submit else "socialorg.report_saved",
            target=report,
            detail={"year": year},
            request=request,
        )
    return report


def _review_checks(report: AnnualReport, official: User) -> AnnualReport:
    require_supervisor(official, report.organisation.division_id)
    locked = (
        AnnualReport.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=report.pk)
    )
    if locked.status != S.SUBMITTED:
        raise SocialOrgConflict(
            _("该年度报告当前状态为“%(s)s”，不能审核。") % {"s": locked.get_status_display()},
            code="invalid_transition",
        )
    return locked


def annual_report_review(
    *, report: AnnualReport, official: User, result: str, comment: str = "", request=None
) -> AnnualReport:
    """The official's conclusion on a submitted report. 基本合格 and 不合格 need a comment (the
    organisation reads it); 不合格 is recorded on the organisation's credit."""
    require_supervisor(official, report.organisation.division_id)
    if result not in R.values:
        raise SocialOrgError(
            _("请选择审核结论：合格、基本合格或不合格。"), code="invalid_choice", field="result"
        )
    comment = optional_text(comment, "comment", 500)
    if result != R.QUALIFIED and not comment:
        raise SocialOrgError(
            _("结论为基本合格或不合格时，请填写审核意见。"), code="required", field="comment"
        )
    with transaction.atomic():
        report = _review_checks(report, official)
        now = timezone.now()
        report.status, report.result, report.review_comment = S.REVIEWED, result, comment
        report.reviewed_by, report.reviewed_at = official, now
        report.save(
            update_fields=["status", "result", "review_comment", "reviewed_by", "reviewed_at"]
        )
        org = report.organisation
        if result == R.UNQUALIFIED:
            org_credit_record(
                organisation=org,
                kind=OrgCreditEvent.Kind.REPORT_UNQUALIFIED,
                occurred_on=timezone.localdate(),
                source=f"report-unqualified:{report.year}",
                # The public sees the event's note: the fact, not the official's comment,
                # which is written for the organisation.
                note=_("%(year)s 年度报告审核不合格") % {"year": report.year},
                recorded_by=official,
            )
        audit_record(
            actor=official,
            action="socialorg.report_reviewed",
            target=report,
            detail={"year": report.year, "result": result},
            request=request,
        )
        notify(
            recipients=list(org_accounts(org)),
            kind="socialorg_report",
            title=_("%(name)s %(year)s 年度报告审核结论：%(result)s")
            % {"name": org.name, "year": report.year, "result": report.get_result_display()},
            body=comment,
            link=f"/socialorgs/mine/{org.credit_code}/reports/{report.year}/",
            dedupe_key=f"socialorg-report:{report.pk}:reviewed",
        )
    return report


def annual_report_return(
    *, report: AnnualReport, official: User, comment: str, request=None
) -> AnnualReport:
    """Return a submitted report for changes (退回修改), saying what to change; the
    organisation edits and submits it again."""
    require_supervisor(official, report.organisation.division_id)
    comment = optional_text(comment, "comment", 500)
    if not comment:
        raise SocialOrgError(
            _("退回修改时请填写需要修改的内容。"), code="required", field="comment"
        )
    with transaction.atomic():
        report = _review_checks(report, official)
        report.status, report.review_comment = S.RETURNED, comment
        report.save(update_fields=["status", "review_comment"])
        audit_record(
            actor=official,
            action="socialorg.report_returned",
            target=report,
            detail={"year": report.year},
            request=request,
        )
        org = report.organisation
        notify(
            recipients=list(org_accounts(org)),
            kind="socialorg_report",
            title=_("%(name)s %(year)s 年度报告被退回修改")
            % {"name": org.name, "year": report.year},
            body=comment,
            link=f"/socialorgs/mine/{org.credit_code}/reports/{report.year}/",
            dedupe_key=f"socialorg-report:{report.pk}:returned:{timezone.now().isoformat()}",
        )
    return report


# --- The overdue job ----------------------------------------------------------------------------


def report_due_date(year: int) -> dt.date:
    """The last day to submit the report for `year`: SOCIALORG_ANNUAL_REPORT_DUE (MM-DD) of the
    next year (29 February in a year without one: the 28th)."""
    month, day = (int(part) for part in settings.SOCIALORG_ANNUAL_REPORT_DUE.split("-"))
    try:
        return dt.date(year + 1, month, day)
    except ValueError:
        return dt.date(year + 1, month, 28)


def overdue_year(today: dt.date) -> int:
    """The latest year whose reports are past their deadline on `today`."""
    year = today.year - 1
    return year if today > report_due_date(year) else year - 1


def _day_after(day: dt.date) -> dt.datetime:
    """Midnight (Asia/Shanghai, the portal's zone) at the end of `day`."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def annual_reports_flag_overdue(*, today: dt.date | None = None) -> dict:
    """Flag the report for the latest year past its deadline of every normal organisation
    founded by the end of that year that has not handed it in: the report row (a draft is
    created when there is none) gets `overdue_at`, the organisation a credit event
    (report_overdue, source "report-overdue:<year>") and its accounts a notice. One
    transaction per organisation; running it again flags nobody twice."""
    today = today or timezone.localdate()
    year = overdue_year(today)
    # Handed in, or handed in by the deadline and returned for changes since: not overdue.
    on_time = Q(first_submitted_at__lt=_day_after(report_due_date(year)))
    settled = AnnualReport.objects.filter(organisation=OuterRef("pk"), year=year).filter(
        Q(status__in=HANDED_IN) | on_time | Q(overdue_at__isnull=False)
    )
    candidates = (
        SocialOrganisation.objects.filter(
            status=SocialOrganisation.Status.NORMAL, founded_on__lte=dt.date(year, 12, 31)
        )
        .exclude(Exists(settled))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    flagged = 0
    for org_id in list(candidates):
        with transaction.atomic():
            org = SocialOrganisation.objects.select_for_update().get(pk=org_id)
            if org.status != SocialOrganisation.Status.NORMAL:
                continue
            report = _locked_report(org, year)
            if report.status in HANDED_IN or report.overdue_at is not None:
                continue
            if report.first_submitted_at and report.first_submitted_at < _day_after(
                report_due_date(year)
            ):
                continue
            report.overdue_at = timezone.now()
            report.save(update_fields=["overdue_at"])
            org_credit_record(
                organisation=org,
                kind=OrgCreditEvent.Kind.REPORT_OVERDUE,
                occurred_on=today,
                source=f"report-overdue:{year}",
                note=_("%(y)s 年度报告逾期未报送") % {"y": year},
            )
            notify(
                recipients=list(org_accounts(org)),
                kind="socialorg_report",
                title=_("%(name)s 的 %(year)s 年度报告已逾期，请尽快报送")
                % {"name": org.name, "year": year},
                body=_("报送期限为 %(due)s。逾期未报已记入组织信用记录。")
                % {"due": report_due_date(year).isoformat()},
                link=f"/socialorgs/mine/{org.credit_code}/reports/{year}/",
                dedupe_key=f"socialorg-report-overdue:{org.pk}:{year}",
            )
            flagged += 1
    return {"year": year, "flagged": flagged}
