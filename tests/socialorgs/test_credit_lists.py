"""活动异常名录 and 严重违法失信名单: an entry records its credit event and sets the standing
(serious over abnormal over normal); removal and expiry restore it; the nightly job ends
entries past their end date and regrades everyone as events age out of the three-year
window, and a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from portal.audit.models import AuditEntry
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import OrgListEntry, SocialOrganisation
from socialorgs.services import credit as services
from socialorgs.tasks import org_credit_refresh_daily
from tests.socialorgs.factories_credit import (
    JINJIANG,
    civil_official,
    listed,
    org_with_staff,
    penalty,
)

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
Standing = SocialOrganisation.Standing
START = dt.datetime(2026, 3, 16, 10, 0, tzinfo=TZ)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def official():
    return civil_official()


@pytest.fixture
def org():
    return org_with_staff()[0]


def standing(org) -> str:
    org.refresh_from_db()
    return org.standing


def test_lists_set_the_standing_and_removals_restore_it(clock, official, org):
    abnormal = listed(official, org, list="abnormal")
    assert standing(org) == Standing.ABNORMAL
    # 100 − 15 = 85 → B
    assert (org.credit_score, org.credit_grade) == (85, "B")

    serious = listed(official, org, list="serious")
    assert standing(org) == Standing.SERIOUS
    # 85 − 40 = 45 → D
    assert (org.credit_score, org.credit_grade) == (45, "D")

    services.list_remove(actor=official, entry=serious, reason="已纠正违法行为")
    assert standing(org) == Standing.ABNORMAL

    services.list_remove(actor=official, entry=abnormal, reason="已补报年度报告")
    assert standing(org) == Standing.NORMAL
    abnormal.refresh_from_db()
    assert abnormal.removed_by == official
    assert abnormal.removal_reason == "已补报年度报告"
    # The events happened: removal does not erase them.
    assert org.credit_events.count() == 2
    assert AuditEntry.objects.filter(action="socialorgs.list_removed").count() == 2


def test_one_active_entry_per_list(clock, official, org):
    listed(official, org, list="abnormal")

    with pytest.raises(SocialOrgConflict):
        listed(official, org, list="abnormal")
    assert org.list_entries.count() == 1
    assert org.credit_events.count() == 1


def test_a_removed_entry_cannot_be_removed_again(clock, official, org):
    entry = listed(official, org)
    services.list_remove(actor=official, entry=entry, reason="已整改")

    with pytest.raises(SocialOrgConflict):
        services.list_remove(actor=official, entry=entry, reason="已整改")


def test_after_removal_the_organisation_can_be_listed_again(clock, official, org):
    entry = listed(official, org)
    services.list_remove(actor=official, entry=entry, reason="已整改")

    listed(official, org)

    assert standing(org) == Standing.ABNORMAL
    assert org.list_entries.count() == 2


def test_entries_end_by_the_nightly_job_and_a_second_run_does_nothing(clock, official, org):
    entry = listed(official, org, list="serious", ends_on=dt.date(2026, 6, 30))
    assert standing(org) == Standing.SERIOUS

    clock.move_to(dt.datetime(2026, 6, 29, 23, 0, tzinfo=TZ))
    assert org_credit_refresh_daily()["entries_ended"] == 0
    assert standing(org) == Standing.SERIOUS

    clock.move_to(dt.datetime(2026, 6, 30, 2, 0, tzinfo=TZ))
    first = org_credit_refresh_daily()
    assert first["entries_ended"] == 1
    entry.refresh_from_db()
    assert entry.removed_at is not None
    assert entry.removed_by is None
    assert standing(org) == Standing.NORMAL

    second = org_credit_refresh_daily()
    assert second == {"entries_ended": 0, "standings_changed": 0, "grades_changed": 0}


def test_events_older_than_three_years_stop_counting(clock, official, org):
    penalty(official, org, kind="fine")  # decided 2026-03-16
    org.refresh_from_db()
    assert (org.credit_score, org.credit_grade) == (90, "B")

    # The last day of the window: 2023-03-16 … 2026-03-16 still counts on 2029-03-16.
    clock.move_to(dt.datetime(2029, 3, 16, 2, 0, tzinfo=TZ))
    org_credit_refresh_daily()
    org.refresh_from_db()
    assert (org.credit_score, org.credit_grade) == (90, "B")

    clock.move_to(dt.datetime(2029, 3, 17, 2, 0, tzinfo=TZ))
    result = org_credit_refresh_daily()
    org.refresh_from_db()
    assert result["grades_changed"] == 1
    assert (org.credit_score, org.credit_grade) == (100, "A")
    assert org_credit_refresh_daily()["grades_changed"] == 0


def test_the_nightly_job_repairs_a_standing_left_wrong(clock, official, org):
    """A standing written by hand (or by a crash between two writes) is put right."""
    SocialOrganisation.objects.filter(pk=org.pk).update(standing=Standing.SERIOUS)

    assert org_credit_refresh_daily()["standings_changed"] == 1
    assert standing(org) == Standing.NORMAL


def test_the_beat_runs_the_nightly_job(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "socialorgs.tasks.org_credit_refresh_daily" in tasks


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"list": "red"}, "list"),
        ({"reason": ""}, "reason"),
        ({"basis": " "}, "basis"),
        ({"starts_on": dt.date(2026, 3, 17)}, "starts_on"),
        ({"ends_on": dt.date(2026, 3, 16)}, "ends_on"),
        ({"ends_on": "someday"}, "ends_on"),
    ],
)
def test_bad_input_is_refused(clock, official, org, changes, field):
    with pytest.raises(SocialOrgError) as error:
        listed(official, org, **changes)

    assert error.value.field == field
    assert not OrgListEntry.objects.exists()
    assert standing(org) == Standing.NORMAL


def test_officials_outside_the_jurisdiction_and_org_staff_are_refused(clock, official):
    org, owner, manager, _member = org_with_staff()
    entry = listed(official, org)

    for actor in (civil_official(JINJIANG), owner, manager):
        with pytest.raises(NotAllowed):
            listed(actor, org, list="serious")
        with pytest.raises(NotAllowed):
            services.list_remove(actor=actor, entry=entry, reason="撤销")
    assert standing(org) == Standing.ABNORMAL


def test_the_credit_desk_lists_the_seriously_listed_first_then_the_abnormal():
    from socialorgs.selectors.credit import orgs_for_credit_desk
    from tests.socialorgs.factories import socialorg
    from tests.socialorgs.factories_credit import civil_official, listed

    official = civil_official()
    plain = socialorg(name="甲组织")
    abnormal = socialorg(name="乙组织")
    serious = socialorg(name="丙组织")
    listed(official, abnormal, list="abnormal")
    listed(official, serious, list="serious")

    assert list(orgs_for_credit_desk(official=official)) == [serious, abnormal, plain]
