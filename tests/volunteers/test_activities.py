"""Activities: publishing by an organisation's managers, public search, sign-up, acceptance
(录用) and rejection, the waitlist when full and promotion on cancel; organisation A cannot
manage B's activities."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.volunteers.factories import activity, organisation, volunteer
from volunteers.models import Position, Signup
from volunteers.services import signup_cancel, signup_create, signup_decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_a(db):
    return organisation(UserFactory(name="社区管理员甲"), name="浆洗街志愿服务队")


@pytest.fixture
def org_b(db):
    return organisation(
        UserFactory(name="社区管理员乙"), name="锦江区志愿服务队", division_id="510104"
    )


def manager(org):
    return org.members.get(role="owner").user


def _publish_body(**changes) -> dict:
    starts = (timezone.now() + dt.timedelta(days=5)).replace(microsecond=0)
    body = {
        "title": "社区助老理发",
        "domain": "elderly",
        "division": "510107",
        "address": "浆洗街社区活动中心",
        "latitude": "30.642000",
        "longitude": "104.043200",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=3)).isoformat(),
        "min_age": 16,
        "positions": [{"name": "理发", "needed": 2, "skills": ["general"]}],
    }
    body.update(changes)
    return body


def test_a_manager_publishes_an_activity_with_positions(api_client, org_a):
    api_client.force_authenticate(manager(org_a))
    response = api_client.post(
        f"/api/v1/volunteers/organisations/{org_a.pk}/activities/", _publish_body(), format="json"
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["positions"][0]["needed"] == 2
    assert "checkin_code" not in data


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"domain": "party"}, "domain"),
        ({"address": "", "online": False}, "address"),
        ({"latitude": "60.000000"}, "latitude"),
        ({"positions": []}, "positions"),
        (
            {"starts_at": "2020-01-01T09:00:00+08:00", "ends_at": "2020-01-01T12:00:00+08:00"},
            "starts_at",
        ),
        ({"ends_at": "2020-01-01T12:00:00+08:00"}, "ends_at"),
    ],
)
def test_bad_activities_are_field_errors(api_client, org_a, changes, field):
    api_client.force_authenticate(manager(org_a))
    response = api_client.post(
        f"/api/v1/volunteers/organisations/{org_a.pk}/activities/",
        _publish_body(**changes),
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_organisation_b_cannot_manage_a_s_activities(api_client, org_a, org_b, wang_fang):
    act = activity(org_a)
    signup = signup_create(
        activity=act, user=volunteer(wang_fang).user, position_id=act.positions.get().pk
    )
    api_client.force_authenticate(manager(org_b))

    publish = api_client.post(
        f"/api/v1/volunteers/organisations/{org_a.pk}/activities/", _publish_body(), format="json"
    )
    signups = api_client.get(f"/api/v1/volunteers/activities/{act.pk}/signups/")
    code = api_client.get(f"/api/v1/volunteers/activities/{act.pk}/code/")
    decide = api_client.post(
        f"/api/v1/volunteers/signups/{signup.pk}/decision/", {"action": "accept"}, format="json"
    )

    assert [r.status_code for r in (publish, signups, code, decide)] == [404, 404, 404, 404]
    signup.refresh_from_db()
    assert signup.status == Signup.Status.APPLIED


def test_the_public_search_filters_by_text_domain_division_dates_and_skill(
    api_client, org_a, org_b
):
    elderly = activity(org_a, title="重阳节敬老院陪伴")
    childcare = activity(
        org_b,
        title="周末托育志愿者",
        domain="childcare",
        address="锦江区小橡树托育中心",  # the text search also reads the address
        starts_in=dt.timedelta(days=20),
        positions=[("看护", 3, ["childcare"])],
    )
    activity(org_a, title="已结束的活动", starts_in=dt.timedelta(days=-3))

    def ids(query=""):
        response = api_client.get(f"/api/v1/volunteers/activities/{query}")
        assert response.status_code == 200
        return {a["id"] for a in response.json()["results"]}

    later = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    assert ids() == {elderly.pk, childcare.pk}
    assert ids("?q=敬老") == {elderly.pk}
    assert ids("?domain=childcare") == {childcare.pk}
    assert ids("?division=510104") == {childcare.pk}
    assert ids(f"?date_from={later}") == {childcare.pk}
    assert ids(f"?date_to={later}") == {elderly.pk}
    assert ids("?skill=childcare") == {childcare.pk}
    bad = api_client.get("/api/v1/volunteers/activities/?date_from=tomorrow")
    assert bad.status_code == 400
    assert list(bad.json()["fields"]) == ["date_from"]


def test_accepting_beyond_the_needed_number_puts_on_the_waitlist(org_a):
    act = activity(org_a, positions=[("陪伴", 1, [])])
    position = act.positions.get()
    first, second = (
        signup_create(activity=act, user=volunteer().user, position_id=position.pk)
        for _ in range(2)
    )

    accepted = signup_decide(signup=first, actor=manager(org_a), accept=True)
    waitlisted = signup_decide(signup=second, actor=manager(org_a), accept=True)

    assert accepted.status == Signup.Status.ACCEPTED
    assert waitlisted.status == Signup.Status.WAITLISTED
    assert Position.objects.get(pk=position.pk).accepted == 1
    # Signing up for a full position goes straight to the waitlist.
    late = signup_create(activity=act, user=volunteer().user, position_id=position.pk)
    assert late.status == Signup.Status.WAITLISTED


def test_a_cancelled_place_goes_to_the_first_on_the_waitlist(api_client, org_a, wang_fang):
    act = activity(org_a, positions=[("陪伴", 1, [])])
    position = act.positions.get()
    mine = signup_create(activity=act, user=volunteer(wang_fang).user, position_id=position.pk)
    signup_decide(signup=mine, actor=manager(org_a), accept=True)
    waiting = [
        signup_create(activity=act, user=volunteer().user, position_id=position.pk)
        for _ in range(2)
    ]

    api_client.force_authenticate(wang_fang)
    response = api_client.post(f"/api/v1/volunteers/signups/{mine.pk}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    statuses = [Signup.objects.get(pk=s.pk).status for s in waiting]
    assert statuses == [Signup.Status.ACCEPTED, Signup.Status.WAITLISTED]
    assert Position.objects.get(pk=position.pk).accepted == 1
    assert waiting[0].volunteer.user.notifications.filter(kind="volunteer_signup").exists()


def test_someone_else_cannot_cancel_my_sign_up(api_client, org_a, wang_fang, daughter):
    act = activity(org_a)
    mine = signup_create(
        activity=act, user=volunteer(wang_fang).user, position_id=act.positions.get().pk
    )
    volunteer(daughter)
    api_client.force_authenticate(daughter)
    assert api_client.post(f"/api/v1/volunteers/signups/{mine.pk}/cancel/").status_code == 404
    with pytest.raises(Exception, match="负责人或管理员"):
        signup_cancel(signup=mine, actor=daughter)


def test_sign_up_rules_give_clear_errors(api_client, org_a, wang_fang, daughter):
    act = activity(org_a, min_age=18)
    url = f"/api/v1/volunteers/activities/{act.pk}/signups/"
    position = act.positions.get().pk

    api_client.force_authenticate(daughter)  # not registered as a volunteer yet
    not_volunteer = api_client.post(url, {"position": position}, format="json")
    volunteer(daughter, age=16)
    too_young = api_client.post(url, {"position": position}, format="json")
    volunteer(wang_fang)
    api_client.force_authenticate(wang_fang)
    wrong_position = api_client.post(url, {"position": 10**9}, format="json")
    ok = api_client.post(url, {"position": position}, format="json")
    twice = api_client.post(url, {"position": position}, format="json")

    assert not_volunteer.json()["fields"] == {"position": ["请先完成志愿者实名注册。"]}
    assert too_young.json()["fields"] == {"position": ["该活动要求年满 18 周岁。"]}
    assert wrong_position.status_code == 400
    assert ok.status_code == 201
    assert ok.json()["status"] == "applied"
    assert twice.status_code == 409
