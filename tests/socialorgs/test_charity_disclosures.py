"""Information disclosure: publishing items, the annual duties of charities, and the daily
job that flags unpublished items past their due date once (notice and credit event)."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.notifications.models import Notification
from socialorgs.errors import NotAllowed, NotFound, SocialOrgConflict, SocialOrgError
from socialorgs.models import DisclosureItem, OrgCreditEvent, OrgMembership
from socialorgs.services import charity as services
from socialorgs.tasks import disclosures_flag_overdue as overdue_task
from tests.accounts.factories import UserFactory
from tests.socialorgs.factories import socialorg
from tests.socialorgs.factories_charity import charity, owner_of, project

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(time_machine):
    """Move the clock to a day (10:00 in Shanghai)."""

    def move(date: dt.date):
        time_machine.move_to(dt.datetime(date.year, date.month, date.day, 2, 0, tzinfo=dt.UTC))

    move(dt.date(2026, 3, 10))
    return move


@pytest.fixture
def org(day):
    """Recognised this year: it owes no annual reports for last year (their own tests)."""
    return charity(charity_recognised_on=dt.date(2026, 1, 5))


@pytest.fixture
def fund(org):
    return project(org, starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 12, 31))


# --- Publishing -------------------------------------------------------------------------------


def test_publishing_a_due_item_fills_that_duty(org, fund):
    item = services.disclosure_publish(
        organisation=org,
        actor=owner_of(org),
        kind="progress",
        period="第1期",
        content="本期共资助 12 名儿童。",
        project=fund,
    )

    duty = DisclosureItem.objects.get(project=fund, period="第1期")
    assert item.pk == duty.pk
    assert duty.published_at is not None
    assert duty.due_on == dt.date(2026, 6, 1)


def test_an_item_of_the_organisations_own_is_created_published(org):
    item = services.disclosure_publish(
        organisation=org, actor=owner_of(org), kind="financial", period="2025", content="见附表"
    )

    assert (item.project, item.due_on, item.content) == (None, dt.date(2026, 3, 10), "见附表")


def test_published_content_is_final(org):
    values = {"organisation": org, "kind": "annual_work", "period": "2025", "content": "年报"}
    services.disclosure_publish(actor=owner_of(org), **values)

    with pytest.raises(SocialOrgConflict):
        services.disclosure_publish(actor=owner_of(org), **{**values, "content": "改写"})
    assert DisclosureItem.objects.get(organisation=org, period="2025").content == "年报"


def test_only_the_owner_or_a_manager_publishes(org):
    member = UserFactory()
    OrgMembership.objects.create(organisation=org, user=member, role="member")

    for actor in (member, UserFactory(), owner_of(charity(name="别家基金会"))):
        with pytest.raises(NotAllowed):
            services.disclosure_publish(
                organisation=org, actor=actor, kind="financial", period="2025", content="x"
            )
    assert not DisclosureItem.objects.filter(organisation=org).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "gossip"}, "kind"),
        ({"kind": "progress"}, "project"),
        ({"period": ""}, "period"),
        ({"period": "期" * 21}, "period"),
        ({"content": "  "}, "content"),
        ({"content": "字" * 10001}, "content"),
    ],
)
def test_bad_disclosure_input_is_refused_on_its_field(org, change, field):
    values = {"kind": "financial", "period": "2025", "content": "内容", **change}

    with pytest.raises(SocialOrgError) as refused:
        services.disclosure_publish(organisation=org, actor=owner_of(org), **values)

    assert refused.value.field == field


def test_another_organisations_project_is_not_found(org):
    theirs = project(charity(name="别家基金会"))

    with pytest.raises(NotFound):
        services.disclosure_publish(
            organisation=org,
            actor=owner_of(org),
            kind="progress",
            period="第1期",
            content="x",
            project=theirs,
        )


# --- Annual duties ----------------------------------------------------------------------------


def test_the_job_creates_last_years_annual_duties_for_charities_only(day, settings):
    settings.SOCIALORG_ANNUAL_REPORT_DUE = "05-31"
    org = charity()
    plain = socialorg(name="某社区服务中心")

    overdue_task()

    items = DisclosureItem.objects.filter(project__isnull=True)
    assert sorted(items.values_list("organisation_id", "kind", "period", "due_on")) == [
        (org.pk, "annual_work", "2025", dt.date(2026, 5, 31)),
        (org.pk, "financial", "2025", dt.date(2026, 5, 31)),
    ]
    assert not items.filter(organisation=plain).exists()


def test_annual_duties_are_flagged_after_their_deadline(day):
    org = charity()
    day(dt.date(2026, 5, 31))
    assert overdue_task() == 0

    day(dt.date(2026, 6, 1))
    assert overdue_task() == 2
    assert overdue_task() == 0
    assert org.credit_events.filter(kind="disclosure_overdue").count() == 2


def test_a_charity_recognised_after_the_year_owes_nothing_for_it(day):
    late = charity(charity_recognised_on=dt.date(2026, 1, 15))

    services.annual_disclosures_ensure(year=2025)

    assert not late.disclosures.exists()


# --- The overdue job --------------------------------------------------------------------------


def test_an_unpublished_item_past_due_is_flagged_once(org, fund, day):
    owner = owner_of(org)
    day(dt.date(2026, 6, 2))  # 第1期 was due on 1 June

    assert overdue_task() == 1
    assert overdue_task() == 0

    item = DisclosureItem.objects.get(project=fund, period="第1期")
    assert item.overdue_at is not None
    events = OrgCreditEvent.objects.filter(organisation=org, kind="disclosure_overdue")
    assert list(events.values_list("source", "points")) == [(f"disclosure:{item.pk}", -5)]
    notices = Notification.objects.filter(recipient=owner, kind="socialorg_disclosure_overdue")
    assert notices.count() == 1
    assert "第1期" in notices.get().title
    org.refresh_from_db()
    assert org.credit_score == 95


def test_an_item_on_its_due_day_or_published_is_not_flagged(org, fund, day):
    services.disclosure_publish(
        organisation=org,
        actor=owner_of(org),
        kind="progress",
        period="第2期",
        content="提前公开",
        project=fund,
    )
    day(dt.date(2026, 6, 1))
    assert overdue_task() == 0

    day(dt.date(2026, 9, 30))  # 第1期 overdue; 第2期 (due 1 Sept) was published
    assert overdue_task() == 1
    assert list(
        DisclosureItem.objects.filter(overdue_at__isnull=False).values_list("period", flat=True)
    ) == ["第1期"]


def test_publishing_late_keeps_the_mark(org, fund, day):
    day(dt.date(2026, 6, 5))
    overdue_task()

    item = services.disclosure_publish(
        organisation=org,
        actor=owner_of(org),
        kind="progress",
        period="第1期",
        content="迟到的进展",
        project=fund,
    )

    assert item.overdue_at is not None
    assert item.published_at is not None
    from socialorgs.selectors.charity import disclosure_state

    assert disclosure_state(item) == "published_late"


def test_a_29_february_deadline_falls_on_the_28th_in_a_common_year(settings):
    from socialorgs.services.charity.disclosures import annual_due_on

    settings.SOCIALORG_ANNUAL_REPORT_DUE = "02-29"

    assert annual_due_on(2025) == dt.date(2026, 2, 28)
    assert annual_due_on(2027) == dt.date(2028, 2, 29)
