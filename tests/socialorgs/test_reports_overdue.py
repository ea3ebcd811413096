"""The daily overdue job: after SOCIALORG_ANNUAL_REPORT_DUE (05-31) of Y+1, every normal
organisation founded by the end of Y without a handed-in report for Y is flagged once: the
report row (created if none) gets overdue_at, a report_overdue credit event, a notice."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from portal.notifications.models import Notification
from socialorgs.models import AnnualReport, OrgCreditEvent
from socialorgs.services.reports import annual_reports_flag_overdue, overdue_year, report_due_date
from socialorgs.tasks import annual_reports_flag_overdue as flag_task
from tests.accounts.factories import UserFactory
from tests.socialorgs.factories import socialorg
from tests.socialorgs.factories_registry import report

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def on(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def late(owner):
    return socialorg(owner, name="逾期未报的中心", founded_on=dt.date(2018, 3, 1))


def test_the_deadline_and_the_year_it_closes(settings):
    assert report_due_date(2024) == dt.date(2025, 5, 31)
    assert overdue_year(dt.date(2025, 5, 31)) == 2023  # the deadline day itself is in time
    assert overdue_year(dt.date(2025, 6, 1)) == 2024
    settings.SOCIALORG_ANNUAL_REPORT_DUE = "02-29"
    assert report_due_date(2024) == dt.date(2025, 2, 28)
    assert report_due_date(2023) == dt.date(2024, 2, 29)


@time_machine.travel(on("2025-06-01"), tick=False)
def test_an_organisation_without_a_report_is_flagged_once(late, owner):
    result = annual_reports_flag_overdue()

    assert result == {"year": 2024, "flagged": 1}
    row = AnnualReport.objects.get(organisation=late, year=2024)
    assert row.status == AnnualReport.Status.DRAFT
    assert row.overdue_at is not None
    event = OrgCreditEvent.objects.get(organisation=late)
    assert (event.kind, event.source) == ("report_overdue", "report-overdue:2024")
    assert Notification.objects.filter(recipient=owner, kind="socialorg_report").count() == 1
    late.refresh_from_db()
    assert late.credit_score == 100 + event.points

    # Idempotent: the second run (and the Celery task) flags nobody again.
    assert annual_reports_flag_overdue()["flagged"] == 0
    assert flag_task.apply().get()["flagged"] == 0
    assert AnnualReport.objects.filter(overdue_at__isnull=False).count() == 1
    assert OrgCreditEvent.objects.count() == 1
    assert Notification.objects.filter(recipient=owner).count() == 1


@time_machine.travel(on("2025-05-31", 23), tick=False)
def test_nobody_is_flagged_on_the_deadline_day(late):
    assert annual_reports_flag_overdue() == {"year": 2023, "flagged": 1}  # 2023 is long overdue
    assert not AnnualReport.objects.filter(year=2024).exists()


@time_machine.travel(on("2025-06-01"), tick=False)
def test_a_draft_is_flagged_a_handed_in_report_is_not(late, owner):
    draft = report(late, 2024)
    submitted = socialorg(founded_on=dt.date(2019, 1, 1))
    report(submitted, 2024, status="submitted")
    reviewed = socialorg(founded_on=dt.date(2019, 1, 1))
    report(reviewed, 2024, status="reviewed")

    assert annual_reports_flag_overdue()["flagged"] == 1
    draft.refresh_from_db()
    assert draft.overdue_at is not None
    assert draft.activities == "开展社区服务 12 次"  # the draft is kept as it was
    assert set(OrgCreditEvent.objects.values_list("organisation", flat=True)) == {late.pk}


@time_machine.travel(on("2025-06-01"), tick=False)
def test_not_for_organisations_founded_after_the_year_or_no_longer_normal(late):
    socialorg(name="新成立", founded_on=dt.date(2025, 1, 1))
    socialorg(name="去年年底成立", founded_on=dt.date(2024, 12, 31))
    socialorg(
        name="已撤销",
        founded_on=dt.date(2015, 1, 1),
        status="revoked",
        status_changed_on=dt.date(2024, 8, 1),
    )
    socialorg(
        name="已注销",
        founded_on=dt.date(2015, 1, 1),
        status="deregistered",
        status_changed_on=dt.date(2024, 8, 1),
    )

    annual_reports_flag_overdue()

    flagged = set(
        AnnualReport.objects.filter(overdue_at__isnull=False).values_list(
            "organisation__name", flat=True
        )
    )
    assert flagged == {"逾期未报的中心", "去年年底成立"}


@time_machine.travel(on("2025-06-01"), tick=False)
def test_a_late_submission_after_the_flag_keeps_the_record(late, owner):
    from socialorgs.services.reports import annual_report_save

    annual_reports_flag_overdue()
    report_row = annual_report_save(
        organisation=late, actor=owner, year=2024, data={"activities": "补报"}, submit=True
    )
    assert report_row.status == "submitted"
    assert report_row.overdue_at is not None  # 逾期报送 stays on the record
    assert annual_reports_flag_overdue()["flagged"] == 0
    assert OrgCreditEvent.objects.count() == 1


def test_the_job_is_on_the_beat_schedule(settings):
    entries = list(settings.CELERY_BEAT_SCHEDULE.values())
    assert any(e["task"] == "socialorgs.tasks.annual_reports_flag_overdue" for e in entries)


def test_a_report_handed_in_on_time_and_returned_after_the_deadline_is_not_overdue(late):
    """Submitted 1 March, returned by the official on 10 June: the organisation met the
    deadline; a report first handed in on 1 June did not."""
    returned = report(
        late,
        2024,
        status="returned",
        submitted_at=on("2025-03-01"),
        first_submitted_at=on("2025-03-01"),
    )
    tardy = socialorg(founded_on=dt.date(2019, 1, 1))
    report(
        tardy,
        2024,
        status="returned",
        submitted_at=on("2025-06-01", 8),
        first_submitted_at=on("2025-06-01", 8),
    )

    with time_machine.travel(on("2025-06-11"), tick=False):
        result = annual_reports_flag_overdue()

    assert result == {"year": 2024, "flagged": 1}
    returned.refresh_from_db()
    assert returned.overdue_at is None
    assert not OrgCreditEvent.objects.filter(organisation=late).exists()
    assert AnnualReport.objects.get(organisation=tardy, year=2024).overdue_at is not None
