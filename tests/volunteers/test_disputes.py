"""Hour disputes: only the record's own volunteer raises one, within the dispute period and
for a time inside the activity; one open at a time; only a manager of the activity's
organisation resolves it; upholding corrects and confirms the record (totals and the time
bank follow) but never counts an hour twice."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.urls import reverse

from portal.audit.models import AuditEntry
from portal.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.volunteers.factories import activity, dispute, hour_record, organisation, volunteer
from volunteers.errors import NotAllowed, VolunteerConflict, VolunteerError
from volunteers.models import HourDispute, HourRecord, TimeBankAccount
from volunteers.selectors import hour_totals_by_year
from volunteers.services import hour_dispute_raise, hour_dispute_resolve

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)


@pytest.fixture
def boss(db):
    return UserFactory(name="社区管理员")


@pytest.fixture
def org(boss):
    return organisation(boss)


@pytest.fixture
def vol(wang_fang):
    return volunteer(wang_fang)


def short_record(act, vol, *, minutes: int = 60) -> HourRecord:
    """A checked-out record that counted only the first `minutes` of the activity (an early
    check-out), waiting for confirmation."""
    record = hour_record(act, vol)
    end = act.starts_at + dt.timedelta(minutes=minutes)
    HourRecord.objects.filter(pk=record.pk).update(
        checked_out_at=end, period=DateTimeTZRange(act.starts_at, end, "[)"), minutes=minutes
    )
    record.refresh_from_db()
    return record


def raise_full(record, user, **kwargs):
    values = {
        "record": record,
        "user": user,
        "reason": "一直服务到活动结束，忘记签退。",
        "claimed_start": record.window_start,
        "claimed_end": record.window_end,
    }
    values.update(kwargs)
    return hour_dispute_raise(**values)


# --- Raising ------------------------------------------------------------------------------------


def test_a_volunteer_disputes_their_own_record_and_the_organiser_hears_of_it(org, boss, vol):
    act = activity(org, starts_in=-dt.timedelta(days=2), hours=3)
    record = short_record(act, vol)

    disputed = raise_full(record, vol.user)

    assert disputed.status == HourDispute.Status.OPEN
    assert (disputed.claimed_start, disputed.claimed_end) == (act.starts_at, act.ends_at)
    assert AuditEntry.objects.filter(
        action="volunteer_hours.dispute_raised", target_id=str(disputed.pk), actor=vol.user
    ).exists()
    notice = Notification.objects.get(recipient=boss, kind="volunteer_dispute")
    assert notice.link == reverse("volunteers:org-disputes", args=[org.pk])


def test_the_dispute_period_ends_n_days_after_check_out(org, vol, settings):
    settings.VOLUNTEER_DISPUTE_DAYS = 30
    act = activity(org, starts_in=-dt.timedelta(days=2), hours=3)
    late = short_record(act, vol)
    in_time = short_record(activity(org, starts_in=-dt.timedelta(days=5), hours=3), vol)

    with (
        time_machine.travel(late.checked_out_at + dt.timedelta(days=30, minutes=1), tick=False),
        pytest.raises(VolunteerConflict) as closed,
    ):
        raise_full(late, vol.user)
    with time_machine.travel(
        in_time.checked_out_at + dt.timedelta(days=30, minutes=-1), tick=False
    ):
        raise_full(in_time, vol.user)

    assert closed.value.code == "dispute_window_closed"
    assert "30 天" in closed.value.message


def test_without_a_check_out_the_period_runs_from_the_check_in(org, vol, settings):
    settings.VOLUNTEER_DISPUTE_DAYS = 7
    act = activity(org, starts_in=-dt.timedelta(days=2), hours=3)
    record = hour_record(act, vol)
    HourRecord.objects.filter(pk=record.pk).update(
        checked_out_at=None, period=None, minutes=0, status=HourRecord.Status.OPEN
    )
    record.refresh_from_db()

    with (
        time_machine.travel(record.checked_in_at + dt.timedelta(days=7, minutes=1), tick=False),
        pytest.raises(VolunteerConflict, match="异议期限"),
    ):
        raise_full(record, vol.user)
    with time_machine.travel(record.checked_in_at + dt.timedelta(days=6), tick=False):
        assert raise_full(record, vol.user).status == HourDispute.Status.OPEN


@pytest.mark.parametrize(
    ("start", "end", "field", "code"),
    [
        (-H / 2, 2 * H, "claimed_start", "outside_activity"),  # before the activity starts
        (H, 3 * H + H / 4, "claimed_end", "outside_activity"),  # after it ends
        (2 * H, H, "claimed_end", "invalid"),  # ends before it starts
        (H, H, "claimed_end", "invalid"),  # no time at all
    ],
)
def test_a_claim_outside_the_activitys_time_is_refused(org, vol, start, end, field, code):
    act = activity(org, starts_in=-dt.timedelta(days=2), hours=3)
    record = short_record(act, vol)

    with pytest.raises(VolunteerError) as refused:
        raise_full(
            record, vol.user, claimed_start=act.starts_at + start, claimed_end=act.starts_at + end
        )

    assert (refused.value.field, refused.value.code) == (field, code)
    assert not HourDispute.objects.exists()


def test_a_reason_is_required(org, vol):
    record = short_record(activity(org, starts_in=-dt.timedelta(days=2)), vol)
    with pytest.raises(VolunteerError) as refused:
        raise_full(record, vol.user, reason="   ")
    assert refused.value.field == "reason"


def test_only_the_records_own_volunteer_may_dispute_it(org, vol, daughter, boss):
    record = short_record(activity(org, starts_in=-dt.timedelta(days=2)), vol)
    volunteer(daughter)

    for someone in (daughter, boss):
        with pytest.raises(NotAllowed):
            raise_full(record, someone)
    assert not HourDispute.objects.exists()


def test_one_open_dispute_per_record(org, boss, vol):
    record = short_record(activity(org, starts_in=-dt.timedelta(days=2)), vol)
    first = raise_full(record, vol.user)

    with pytest.raises(VolunteerConflict) as again:
        raise_full(record, vol.user)
    hour_dispute_resolve(dispute=first, actor=boss, decision="dismiss", resolution="签到记录无误。")
    second = raise_full(record, vol.user, reason="补充：有现场照片为证。")

    assert again.value.code == "dispute_open"
    assert second.pk != first.pk


# --- Resolving ----------------------------------------------------------------------------------


def test_upholding_corrects_the_minutes_and_the_yearly_totals(org, boss, vol):
    act = activity(org, starts_in=-dt.timedelta(days=2), hours=3)
    record = short_record(act, vol, minutes=60)
    disputed = raise_full(record, vol.user)

    resolved = hour_dispute_resolve(
        dispute=disputed, actor=boss, decision="uphold", resolution="现场负责人确认服务至结束。"
    )

    record.refresh_from_db()
    assert resolved.status == HourDispute.Status.UPHELD
    assert (resolved.resolved_by, resolved.resolution) == (boss, "现场负责人确认服务至结束。")
    assert record.status == HourRecord.Status.CONFIRMED
    assert record.minutes == 180
    assert (record.period.lower, record.period.upper) == (act.starts_at, act.ends_at)
    assert record.checked_out_at == act.ends_at
    assert record.confirmed_by == boss
    assert hour_totals_by_year(user=vol.user)[0]["minutes"] == 180
    entry = AuditEntry.objects.get(action="volunteer_hours.dispute_upheld")
    assert (entry.detail["minutes_before"], entry.detail["minutes_after"]) == (60, 180)
    assert Notification.objects.filter(recipient=vol.user, kind="volunteer_dispute").exists()


def test_the_organiser_may_correct_to_other_times_than_claimed(org, boss, vol):
    act = activity(org, starts_in=-dt.timedelta(days=2), hours=3)
    record = short_record(act, vol, minutes=30)
    disputed = raise_full(record, vol.user)

    hour_dispute_resolve(
        dispute=disputed,
        actor=boss,
        decision="uphold",
        resolution="按签到表更正为两小时。",
        start=act.starts_at,
        end=act.starts_at + 2 * H,
    )

    record.refresh_from_db()
    assert record.minutes == 120
    with pytest.raises(VolunteerError) as outside:
        hour_dispute_resolve(
            dispute=raise_full(record, vol.user),
            actor=boss,
            decision="uphold",
            resolution="更正",
            end=act.ends_at + H,
        )
    assert outside.value.field == "end"


def test_dismissing_leaves_the_record_as_it_was(org, boss, vol):
    record = short_record(activity(org, starts_in=-dt.timedelta(days=2)), vol, minutes=45)
    resolved = hour_dispute_resolve(
        dispute=raise_full(record, vol.user),
        actor=boss,
        decision="dismiss",
        resolution="签退记录与现场签到表一致。",
    )
    record.refresh_from_db()
    assert resolved.status == HourDispute.Status.DISMISSED
    assert (record.status, record.minutes) == (HourRecord.Status.PENDING, 45)


def test_upholding_refuses_an_overlap_with_another_confirmed_record(org, boss, vol):
    morning = activity(org, starts_in=-dt.timedelta(days=2), hours=3)
    overlapping = activity(org, starts_in=-dt.timedelta(days=2) + 2 * H, hours=3)
    hour_record(morning, vol, status=HourRecord.Status.CONFIRMED)
    # The second activity's record counts only its last two hours, after the first ended...
    later = hour_record(overlapping, vol)
    HourRecord.objects.filter(pk=later.pk).update(
        period=DateTimeTZRange(morning.ends_at, overlapping.ends_at, "[)"), minutes=120
    )
    # ...but the volunteer claims its whole time, which overlaps the confirmed morning.
    disputed = raise_full(later, vol.user)

    with pytest.raises(VolunteerConflict) as refused:
        hour_dispute_resolve(dispute=disputed, actor=boss, decision="uphold", resolution="更正")

    later.refresh_from_db()
    disputed.refresh_from_db()
    assert refused.value.code == "overlap"
    assert (later.status, later.minutes) == (HourRecord.Status.PENDING, 120)
    assert disputed.status == HourDispute.Status.OPEN


def test_only_a_manager_of_the_activitys_organisation_resolves(org, boss, vol):
    record = short_record(activity(org, starts_in=-dt.timedelta(days=2)), vol)
    disputed = raise_full(record, vol.user)
    other_boss = UserFactory(name="另一组织负责人")
    organisation(other_boss)

    for someone in (other_boss, vol.user):
        with pytest.raises(NotAllowed):
            # Refused before anything else is looked at (even an invalid decision).
            hour_dispute_resolve(dispute=disputed, actor=someone, decision="x", resolution="")
    disputed.refresh_from_db()
    assert disputed.status == HourDispute.Status.OPEN


@pytest.mark.parametrize(
    ("decision", "resolution", "field"),
    [("approve", "理由", "decision"), ("uphold", "  ", "resolution")],
)
def test_a_decision_and_a_resolution_are_required(org, boss, vol, decision, resolution, field):
    disputed = raise_full(
        short_record(activity(org, starts_in=-dt.timedelta(days=2)), vol), vol.user
    )
    with pytest.raises(VolunteerError) as refused:
        hour_dispute_resolve(dispute=disputed, actor=boss, decision=decision, resolution=resolution)
    assert refused.value.field == field


def test_a_resolved_dispute_cannot_be_resolved_again(org, boss, vol):
    disputed = raise_full(
        short_record(activity(org, starts_in=-dt.timedelta(days=2)), vol), vol.user
    )
    hour_dispute_resolve(dispute=disputed, actor=boss, decision="dismiss", resolution="无误")
    with pytest.raises(VolunteerConflict):
        hour_dispute_resolve(dispute=disputed, actor=boss, decision="uphold", resolution="更正")


def test_the_time_bank_follows_an_upheld_eldercare_correction(org, boss, vol, settings):
    settings.VOLUNTEER_TIMEBANK_DOMAINS = ["elderly"]
    act = activity(org, starts_in=-dt.timedelta(days=2), hours=3, domain="elderly")
    disputed = raise_full(short_record(act, vol, minutes=60), vol.user)

    hour_dispute_resolve(dispute=disputed, actor=boss, decision="uphold", resolution="更正")

    account = TimeBankAccount.objects.get(kind="personal", volunteer=vol)
    assert account.balance_minutes == 180


# --- API ----------------------------------------------------------------------------------------


def test_the_api_raises_lists_and_resolves(api_client, org, boss, vol):
    act = activity(org, starts_in=-dt.timedelta(days=2), hours=3)
    record = short_record(act, vol)
    api_client.force_authenticate(vol.user)
    raised = api_client.post(
        f"/api/v1/volunteers/hours/{record.pk}/disputes/",
        {
            "reason": "忘记签退，请回电 13912345678。",
            "claimed_start": act.starts_at.isoformat(),
            "claimed_end": act.ends_at.isoformat(),
        },
        format="json",
    )
    mine = api_client.get("/api/v1/volunteers/me/disputes/")

    api_client.force_authenticate(boss)
    queue = api_client.get(f"/api/v1/volunteers/organisations/{org.pk}/disputes/")
    resolved = api_client.post(
        f"/api/v1/volunteers/disputes/{raised.json()['id']}/resolution/",
        {"decision": "uphold", "resolution": "已核实。"},
        format="json",
    )

    assert raised.status_code == 201, raised.json()
    assert [d["id"] for d in mine.json()] == [raised.json()["id"]]
    [item] = queue.json()
    assert item["volunteer_name"] == vol.masked_name
    assert "13912345678" not in item["reason"]
    assert "139****5678" in item["reason"]
    assert vol.real_name not in str(queue.json())
    assert resolved.status_code == 200, resolved.json()
    assert resolved.json()["status"] == "upheld"
    assert resolved.json()["record"]["minutes"] == 180


def test_the_api_hides_others_records_and_disputes(api_client, org, vol, daughter):
    act = activity(org, starts_in=-dt.timedelta(days=2), hours=3)
    record = short_record(act, vol)
    disputed = dispute(record)
    other_boss = UserFactory()
    other_org = organisation(other_boss)
    body = {"reason": "x", "claimed_start": act.starts_at, "claimed_end": act.ends_at}

    volunteer(daughter)
    api_client.force_authenticate(daughter)
    raised = api_client.post(f"/api/v1/volunteers/hours/{record.pk}/disputes/", body, format="json")
    api_client.force_authenticate(other_boss)
    queue = api_client.get(f"/api/v1/volunteers/organisations/{org.pk}/disputes/")
    own_queue = api_client.get(f"/api/v1/volunteers/organisations/{other_org.pk}/disputes/")
    resolve = api_client.post(
        f"/api/v1/volunteers/disputes/{disputed.pk}/resolution/",
        {"decision": "dismiss", "resolution": "无"},
        format="json",
    )

    assert raised.status_code == 404
    assert queue.status_code == 404
    assert own_queue.json() == []
    assert resolve.status_code == 404


def test_the_api_gives_field_errors_for_bad_input(api_client, org, vol):
    act = activity(org, starts_in=-dt.timedelta(days=2), hours=3)
    record = short_record(act, vol)
    api_client.force_authenticate(vol.user)
    response = api_client.post(
        f"/api/v1/volunteers/hours/{record.pk}/disputes/",
        {
            "reason": "时间不对",
            "claimed_start": (act.starts_at - H).isoformat(),
            "claimed_end": act.ends_at.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["claimed_start"]
    assert "活动时间" in response.json()["detail"]


# --- Pages --------------------------------------------------------------------------------------


def _local(value: dt.datetime) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_the_dispute_page_raises_a_dispute_on_my_record(client, org, vol, daughter):
    act = activity(org, starts_in=-dt.timedelta(days=2), hours=3)
    record = short_record(act, vol)
    url = reverse("volunteers:dispute-raise", args=[record.pk])
    client.force_login(vol.user)

    page = client.get(url)
    bad = client.post(
        url,
        {
            "reason": "忘记签退",
            "claimed_start": _local(act.starts_at - H),
            "claimed_end": _local(act.ends_at),
        },
    )
    good = client.post(
        url,
        {
            "reason": "忘记签退",
            "claimed_start": _local(act.starts_at),
            "claimed_end": _local(act.ends_at),
        },
    )
    client.force_login(daughter)
    someone_else = client.get(url)

    assert page.status_code == 200
    assert act.title in page.content.decode()
    assert bad.status_code == 400
    assert "服务时间必须在活动时间" in bad.content.decode()
    assert good.status_code == 302
    assert HourDispute.objects.get().claimed_end == act.ends_at
    assert someone_else.status_code == 404


def test_the_organisers_queue_shows_masked_names_and_resolves(client, org, boss, vol):
    act = activity(org, starts_in=-dt.timedelta(days=2), hours=3)
    disputed = dispute(short_record(act, vol), reason="电话 13912345678")
    url = reverse("volunteers:org-disputes", args=[org.pk])
    client.force_login(boss)

    page = client.get(url).content.decode()
    missing_text = client.post(url, {"dispute": disputed.pk, f"d{disputed.pk}-decision": "uphold"})
    done = client.post(
        url,
        {
            "dispute": disputed.pk,
            f"d{disputed.pk}-decision": "uphold",
            f"d{disputed.pk}-resolution": "已核实",
        },
    )
    other = UserFactory()
    organisation(other)
    client.force_login(other)
    refused = client.get(url)

    assert vol.masked_name in page
    assert vol.real_name not in page
    assert "139****5678" in page
    assert "13912345678" not in page
    assert missing_text.status_code == 400
    assert done.status_code == 302
    disputed.refresh_from_db()
    assert disputed.status == HourDispute.Status.UPHELD
    assert refused.status_code == 404


def test_my_disputes_are_in_my_data_export_and_erasure_blanks_what_i_wrote(
    org, boss, vol, password
):
    from portal.accounts import personal_data
    from portal.accounts.services import user_erase

    record = short_record(activity(org, starts_in=-dt.timedelta(days=2)), vol)
    disputed = raise_full(record, vol.user, reason="我是王小芳，请回电。")
    hour_dispute_resolve(dispute=disputed, actor=boss, decision="dismiss", resolution="无误")

    section = personal_data.export_for(vol.user)["sections"]["volunteering"]
    user_erase(user=vol.user, password=password)

    assert [(d["reason"], d["resolution"]) for d in section["hour_disputes"]] == [
        ("我是王小芳，请回电。", "无误")
    ]
    disputed.refresh_from_db()
    assert (disputed.reason, disputed.resolution) == ("", "无误")


def test_the_organisers_queue_takes_the_same_queries_however_long(api_client, client, org, boss):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url, fetch) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert fetch(url).status_code == 200
        return len(queries)

    api_url = f"/api/v1/volunteers/organisations/{org.pk}/disputes/"
    page_url = reverse("volunteers:org-disputes", args=[org.pk])
    api_client.force_authenticate(boss)
    client.force_login(boss)
    dispute(short_record(activity(org, starts_in=-dt.timedelta(days=2)), volunteer()))
    one = (count(api_url, api_client.get), count(page_url, client.get))
    for days in (3, 4, 5):
        dispute(short_record(activity(org, starts_in=-dt.timedelta(days=days)), volunteer()))
    four = (count(api_url, api_client.get), count(page_url, client.get))

    assert one == four
