"""The check-in code at the place: it changes every VOLUNTEER_CODE_ROTATE_SECONDS (the current
and the previous one work), it derives from the site's secret and the activity's seed (never
shown), the answers tell nobody but an accepted volunteer inside the activity's time whether a
code was right, and wrong codes are limited per volunteer and activity."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.volunteers.factories import activity, organisation, volunteer
from volunteers.errors import VolunteerConflict, VolunteerError
from volunteers.models import Activity, HourRecord
from volunteers.services import (
    activity_publish,
    checkin_code_at,
    checkin_code_current,
    checkin_code_valid,
    code_checkin,
    signup_create,
    signup_decide,
)

pytestmark = pytest.mark.django_db

R = dt.timedelta(seconds=120)
CHECKIN = reverse("volunteers:checkin")


@pytest.fixture(autouse=True)
def _rotation(settings):
    settings.VOLUNTEER_CODE_ROTATE_SECONDS = 120
    settings.VOLUNTEER_CODE_GRACE_MINUTES = 30


@pytest.fixture
def boss(db):
    return UserFactory(name="社区管理员")


@pytest.fixture
def act(boss):
    return activity(organisation(boss), starts_in=dt.timedelta(days=2), hours=3)


@pytest.fixture
def accepted(act, boss, wang_fang):
    volunteer(wang_fang)
    signup = signup_create(activity=act, user=wang_fang, position_id=act.positions.get().pk)
    return signup_decide(signup=signup, actor=boss, accept=True)


def period_start(moment: dt.datetime, seconds: int = 120) -> dt.datetime:
    """The start of the period (of `seconds`) that `moment` falls in, one second past it."""
    stamp = int(moment.timestamp()) // seconds * seconds + 1
    return dt.datetime.fromtimestamp(stamp, dt.UTC)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_the_code_changes_every_period_and_the_previous_one_still_works(act):
    at = period_start(act.starts_at + dt.timedelta(minutes=30))
    codes = [checkin_code_at(act, at + n * R) for n in range(4)]

    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(set(codes)) == 4
    later = at + 2 * R + dt.timedelta(seconds=100)  # late in the third period
    assert checkin_code_valid(act, codes[2], later)  # the one shown now
    assert checkin_code_valid(act, f" {codes[1]} ", later)  # the one just before it
    assert not checkin_code_valid(act, codes[0], later)  # four minutes old: refused
    assert not checkin_code_valid(act, codes[3], later)  # not shown yet
    assert not checkin_code_valid(act, "", later)
    assert not checkin_code_valid(act, act.checkin_code, later)  # the seed is no code


def test_the_period_is_configuration(act, settings):
    at = period_start(act.starts_at, 600)
    settings.VOLUNTEER_CODE_ROTATE_SECONDS = 600

    assert checkin_code_at(act, at) == checkin_code_at(act, at + dt.timedelta(seconds=590))
    assert checkin_code_at(act, at) != checkin_code_at(act, at + dt.timedelta(seconds=600))


def test_the_code_depends_on_the_activity_its_seed_and_the_sites_secret(act, settings):
    at = act.starts_at
    twin = activity(act.organisation, starts_in=dt.timedelta(days=2))  # the same seed
    code = checkin_code_at(act, at)

    assert checkin_code_at(twin, at) != code
    reseeded = Activity.objects.get(pk=act.pk)
    reseeded.checkin_code = "13579bdf"
    assert checkin_code_at(reseeded, at) != code
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert checkin_code_at(act, at) != code


def test_a_published_activity_gets_a_secret_seed(boss):
    org = organisation(boss)
    starts = timezone.now() + dt.timedelta(days=1)
    published = activity_publish(
        organisation=org,
        actor=boss,
        data={
            "title": "社区助老",
            "domain": "elderly",
            "division": "510107",
            "address": "浆洗街",
            "starts_at": starts,
            "ends_at": starts + dt.timedelta(hours=2),
            "positions": [{"name": "陪伴", "needed": 2}],
        },
    )
    assert len(published.checkin_code) == 8
    int(published.checkin_code, 16)  # hexadecimal, not a six-digit code


def test_a_photo_of_the_code_stops_working_after_two_periods(act, accepted, wang_fang):
    at = period_start(act.starts_at + dt.timedelta(minutes=10))
    photographed = checkin_code_at(act, at)

    with time_machine.travel(at + 2 * R, tick=False), pytest.raises(VolunteerError) as stale:
        code_checkin(activity=act, user=wang_fang, code=photographed)
    with time_machine.travel(at + R + dt.timedelta(seconds=90), tick=False):
        record = code_checkin(activity=act, user=wang_fang, code=photographed)  # as it changed

    assert stale.value.code == "invalid_code"
    assert record.status == HourRecord.Status.OPEN


# --- The answers do not reveal the code ---------------------------------------------------------


def test_someone_not_accepted_gets_the_same_answer_for_any_code(act, boss, daughter):
    volunteer(daughter)
    signup_create(activity=act, user=daughter, position_id=act.positions.get().pk)  # applied
    stranger = UserFactory()  # not even a volunteer

    with time_machine.travel(act.starts_at, tick=False):
        shown = checkin_code_at(act, timezone.now())
        answers = []
        for user in (daughter, stranger):
            for code in (shown, wrong(shown)):
                with pytest.raises(VolunteerError) as refused:
                    code_checkin(activity=act, user=user, code=code)
                answers.append((type(refused.value), refused.value.code, refused.value.message))

    assert answers[0] == answers[1]
    assert answers[0][:2] == (VolunteerConflict, "not_accepted")
    assert answers[2] == answers[3]
    assert answers[2][1] == "not_a_volunteer"
    assert not HourRecord.objects.exists()


def test_outside_the_activitys_time_any_code_gets_the_same_answer(act, accepted, wang_fang):
    with time_machine.travel(act.starts_at - dt.timedelta(hours=2), tick=False):
        shown = checkin_code_at(act, timezone.now())
        codes = []
        for code in (shown, wrong(shown)):
            with pytest.raises(VolunteerError) as refused:
                code_checkin(activity=act, user=wang_fang, code=code)
            codes.append(refused.value.code)

    assert codes == ["code_expired", "code_expired"]


def test_the_state_of_a_record_is_told_only_for_the_right_code(act, accepted, wang_fang):
    with time_machine.travel(act.starts_at, tick=False):
        shown = checkin_code_at(act, timezone.now())
        code_checkin(activity=act, user=wang_fang, code=shown)
        with pytest.raises(VolunteerError) as guessed:
            code_checkin(activity=act, user=wang_fang, code=wrong(shown))
    with time_machine.travel(act.ends_at, tick=False):
        code_checkin(activity=act, user=wang_fang, code=checkin_code_at(act, timezone.now()))
        with pytest.raises(VolunteerError) as done:
            code_checkin(activity=act, user=wang_fang, code=wrong(shown))

    assert guessed.value.code == done.value.code == "invalid_code"


def test_the_api_answers_a_non_accepted_volunteer_alike_for_any_code(api_client, act, daughter):
    volunteer(daughter)
    api_client.force_authenticate(daughter)
    url = f"/api/v1/volunteers/activities/{act.pk}/checkin/"

    with time_machine.travel(act.starts_at, tick=False):
        shown = checkin_code_at(act, timezone.now())
        right = api_client.post(url, {"code": shown}, format="json")
        guessed = api_client.post(url, {"code": wrong(shown)}, format="json")

    assert right.status_code == guessed.status_code == 409
    assert right.json() == guessed.json()
    assert right.json()["code"] == "not_accepted"


# --- Wrong codes are limited --------------------------------------------------------------------


def _quiet_moment(act) -> dt.datetime:
    """One second into a ten-minute period inside the activity's time."""
    return period_start(act.starts_at + dt.timedelta(minutes=20), 600)


def test_the_api_refuses_an_eleventh_wrong_code_even_when_right(api_client, act, accepted):
    api_client.force_authenticate(accepted.volunteer.user)
    url = f"/api/v1/volunteers/activities/{act.pk}/checkin/"
    other = activity(act.organisation, starts_in=dt.timedelta(days=2), hours=3)

    with time_machine.travel(_quiet_moment(act), tick=False):
        shown = checkin_code_at(act, timezone.now())
        guesses = [api_client.post(url, {"code": wrong(shown)}, format="json") for _ in range(10)]
        blocked = api_client.post(url, {"code": shown}, format="json")
        elsewhere = api_client.post(
            f"/api/v1/volunteers/activities/{other.pk}/checkin/", {"code": shown}, format="json"
        )

    assert [g.status_code for g in guesses] == [400] * 10
    assert {g.json()["code"] for g in guesses} == {"invalid_code"}
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "throttled"
    assert "秒后重试" in blocked.json()["detail"]
    assert 0 < int(blocked["Retry-After"]) <= 600
    assert not HourRecord.objects.exists()
    # Another activity's count is its own (she is not accepted there: 409, not 429).
    assert elsewhere.status_code == 409


def test_the_limit_lifts_in_the_next_period(api_client, act, accepted):
    api_client.force_authenticate(accepted.volunteer.user)
    url = f"/api/v1/volunteers/activities/{act.pk}/checkin/"
    at = _quiet_moment(act)

    with time_machine.travel(at, tick=False):
        for _ in range(11):
            api_client.post(url, {"code": wrong(checkin_code_at(act, at))}, format="json")
    with time_machine.travel(at + dt.timedelta(minutes=10), tick=False):
        shown = checkin_code_at(act, timezone.now())
        response = api_client.post(url, {"code": shown}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "open"


def test_successful_check_ins_and_other_refusals_do_not_count(api_client, act, accepted):
    api_client.force_authenticate(accepted.volunteer.user)
    url = f"/api/v1/volunteers/activities/{act.pk}/checkin/"

    with time_machine.travel(_quiet_moment(act), tick=False):
        shown = checkin_code_at(act, timezone.now())
        first = [api_client.post(url, {"code": wrong(shown)}, format="json") for _ in range(9)]
        checked_in = api_client.post(url, {"code": shown}, format="json")
        malformed = [api_client.post(url, {"code": "12ab"}, format="json") for _ in range(3)]
        tenth = api_client.post(url, {"code": wrong(shown)}, format="json")
        eleventh = api_client.post(url, {"code": shown}, format="json")

    assert [r.status_code for r in first] == [400] * 9
    assert checked_in.status_code == 200
    assert [r.status_code for r in malformed] == [400] * 3
    assert tenth.status_code == 400
    assert eleventh.status_code == 429


def test_the_page_refuses_an_eleventh_wrong_code_in_chinese(client, act, accepted, wang_fang):
    client.force_login(wang_fang)

    with time_machine.travel(_quiet_moment(act), tick=False):
        shown = checkin_code_at(act, timezone.now())
        guesses = [
            client.post(CHECKIN, {"activity": act.pk, "code": wrong(shown)}) for _ in range(10)
        ]
        blocked = client.post(CHECKIN, {"activity": act.pk, "code": shown})

    assert {g.context["form"].errors["code"][0] for g in guesses} == {"签到码不正确。"}
    assert blocked.status_code == 429
    assert blocked.context["form"].errors["code"] == ["签到码错误次数过多，请 10 分钟后再试。"]
    assert "签到码错误次数过多" in blocked.content.decode()
    assert not HourRecord.objects.exists()


# --- What the organiser shows -------------------------------------------------------------------


def test_the_api_gives_the_organiser_the_current_code_and_when_it_expires(api_client, act, boss):
    api_client.force_authenticate(boss)
    at = period_start(act.starts_at)

    with time_machine.travel(at, tick=False):
        response = api_client.get(f"/api/v1/volunteers/activities/{act.pk}/code/")

    data = response.json()
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert data["code"] == checkin_code_at(act, at)
    assert data["code"] != act.checkin_code
    changes = dt.datetime.fromisoformat(data["changes_at"])
    expires = dt.datetime.fromisoformat(data["expires_at"])
    assert changes - at == R - dt.timedelta(seconds=1)
    assert expires - changes == R
    assert dt.datetime.fromisoformat(data["valid_until"]) == act.ends_at + dt.timedelta(minutes=30)


def test_the_expiry_never_passes_the_activitys_window(act):
    last = act.ends_at + dt.timedelta(minutes=30) - dt.timedelta(seconds=1)
    assert checkin_code_current(act, last).expires_at == act.ends_at + dt.timedelta(minutes=30)


def test_the_code_page_refreshes_itself_with_a_new_code_and_image(client, act, boss):
    client.force_login(boss)
    url = reverse("volunteers:activity-code", args=[act.pk])
    at = period_start(act.starts_at)

    with time_machine.travel(at, tick=False):
        page = client.get(url).content.decode()
    with time_machine.travel(at + R, tick=False):
        fragment = client.get(url, headers={"HX-Request": "true"})
    body = fragment.content.decode()

    before, after = checkin_code_current(act, at), checkin_code_current(act, at + R)
    qr = reverse("volunteers:activity-qr", args=[act.pk])
    assert before.code in page
    assert f'hx-get="{url}"' in page
    assert 'hx-trigger="every 20s"' in page
    assert f"{qr}?p={before.period}" in page
    assert "<html" not in body
    assert after.code in body
    assert before.code not in body
    assert f"{qr}?p={after.period}" in body
    assert fragment["Cache-Control"] == "private, no-store"


def test_the_qr_image_is_never_cached(client, act, boss):
    client.force_login(boss)
    response = client.get(reverse("volunteers:activity-qr", args=[act.pk]), {"p": "1"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
