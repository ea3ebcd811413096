"""The organisers' pages: register an organisation, my organisations, the organisation's desk
with the publish form, an activity's sign-ups (accept, reject, attendance, hours to confirm,
htmx rows), the contact details on request (audit-logged), the check-in code and its QR code;
organisation A's pages are refused to B's manager."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEntry
from tests.accounts.factories import UserFactory
from tests.volunteers.factories import activity, hour_record, organisation, volunteer
from volunteers.models import Activity, HourRecord, Member, Organisation, Signup
from volunteers.services import checkin_code_current, signup_create, signup_decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss_a(db):
    return UserFactory(name="甲队负责人")


@pytest.fixture
def boss_b(db):
    return UserFactory(name="乙队负责人")


@pytest.fixture
def org_a(boss_a):
    return organisation(boss_a, name="浆洗街志愿服务队")


@pytest.fixture
def org_b(boss_b):
    return organisation(boss_b, name="锦江区志愿服务队", division_id="510104")


@pytest.fixture
def act(org_a):
    return activity(org_a, positions=(("陪伴老人", 1, ["companionship"]),))


@pytest.fixture
def applied(act, wang_fang):
    """王芳 (registered as 王芳) has applied for the activity."""
    volunteer(wang_fang, real_name="王芳")
    return signup_create(
        activity=act, user=wang_fang, position_id=act.positions.get().pk, note="周末有空"
    )


def accepted(signup, boss):
    return signup_decide(signup=signup, actor=boss, accept=True)


# --- Registering an organisation and my organisations -------------------------------------------

NEW = reverse("volunteers:organisation-new")
MINE = reverse("volunteers:organisation-mine")


def test_a_resident_registers_a_community_team_for_review(client, wang_fang):
    client.force_login(wang_fang)
    assert client.get(NEW).status_code == 200

    response = client.post(
        NEW,
        {
            "name": "洗面桥社区志愿服务队",
            "kind": "community",
            "division": "510107",
            "contact_phone": "13800000101",
            "description": "楼栋志愿者",
        },
    )

    organisation = Organisation.objects.get(name="洗面桥社区志愿服务队")
    assert organisation.status == "submitted"
    assert Member.objects.get(organisation=organisation).user == wang_fang
    assert response["Location"] == reverse("volunteers:organisation-manage", args=[organisation.pk])
    page = client.get(response["Location"]).content.decode()
    assert "组织通过民政部门审核后才能发布活动。" in page
    assert "洗面桥社区志愿服务队" in client.get(MINE).content.decode()


def test_a_bad_credit_code_is_named_on_its_field(client, staff_a):
    client.force_login(staff_a)

    response = client.post(
        NEW,
        {
            "name": "幸福里志愿服务队",
            "kind": "provider",
            "credit_code": "123",
            "division": "510107",
            "contact_phone": "13900000001",
        },
    )

    assert response.status_code == 200
    assert "credit_code" in response.context["form"].errors
    assert not Organisation.objects.exists()


def test_officials_and_visitors_do_not_register_organisations(client, official_wuhou):
    assert client.get(NEW)["Location"].startswith(reverse("accounts:login"))
    client.force_login(official_wuhou)
    assert client.get(NEW).status_code == 403
    assert client.get(MINE).status_code == 403


def test_my_organisations_lists_only_those_i_manage(client, org_a, org_b, boss_a):
    client.force_login(boss_a)

    body = client.get(MINE).content.decode()

    assert "浆洗街志愿服务队" in body
    assert "锦江区志愿服务队" not in body


# --- The organisation's desk: activities and the publish form -----------------------------------


def publish_form(**changes) -> dict:
    starts = timezone.localtime(timezone.now() + dt.timedelta(days=5)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    data = {
        "title": "社区助老理发",
        "description": "为老人理发",
        "domain": "elderly",
        "division": "510107",
        "address": "浆洗街社区活动中心",
        "latitude": "30.642000",
        "longitude": "104.043200",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "min_age": "16",
        "positions-TOTAL_FORMS": "3",
        "positions-INITIAL_FORMS": "0",
        "positions-0-name": "理发",
        "positions-0-skill": "general",
        "positions-0-needed": "2",
        "positions-1-name": "引导",
        "positions-1-needed": "1",
    }
    data.update(changes)
    return data


def test_a_manager_publishes_an_activity_from_the_desk(client, org_a, boss_a):
    client.force_login(boss_a)
    url = reverse("volunteers:organisation-manage", args=[org_a.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, publish_form())

    created = Activity.objects.get(title="社区助老理发")
    assert response["Location"] == reverse("volunteers:activity-manage", args=[created.pk])
    assert [(p.name, p.needed, p.skills) for p in created.positions.all()] == [
        ("理发", 2, ["general"]),
        ("引导", 1, []),
    ]
    assert timezone.localtime(created.starts_at).hour == 9
    assert created.min_age == 16
    assert "社区助老理发" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {f"positions-{n}-{f}": "" for n in (0, 1) for f in ("name", "skill", "needed")},
            "请至少设置一个岗位。",
        ),
        ({"positions-0-name": ""}, "请填写岗位名称。"),
        ({"address": ""}, "线下活动请填写活动地点。"),
        ({"latitude": "60.000000"}, "坐标不在中国境内，请检查纬度和经度（GCJ-02）。"),
        ({"starts_at": "2020-01-01T09:00", "ends_at": "2020-01-01T12:00"}, "开始时间必须在将来。"),
        ({"positions-1-needed": ""}, "请填写招募人数。"),
    ],
)
def test_a_bad_activity_shows_the_chinese_error_and_writes_nothing(
    client, org_a, boss_a, changes, message
):
    client.force_login(boss_a)

    response = client.post(
        reverse("volunteers:organisation-manage", args=[org_a.pk]), publish_form(**changes)
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Activity.objects.exists()


def test_organisation_a_is_refused_to_bs_manager_and_to_others(
    client, org_a, boss_b, wang_fang, official_wuhou
):
    url = reverse("volunteers:organisation-manage", args=[org_a.pk])

    assert client.get(url)["Location"].startswith(reverse("accounts:login"))
    for user in (boss_b, wang_fang):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, publish_form()).status_code == 404
    client.force_login(official_wuhou)
    assert client.get(url).status_code == 403
    assert not Activity.objects.exists()


# --- An activity's sign-ups ---------------------------------------------------------------------


def test_the_manager_sees_sign_ups_with_masked_names(client, act, applied, boss_a):
    client.force_login(boss_a)

    response = client.get(reverse("volunteers:activity-manage", args=[act.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "王*" in body
    assert "王芳" not in body
    assert applied.volunteer.number in body
    assert "周末有空" in body
    assert applied.volunteer.phone[-8:] not in body


def test_the_manager_accepts_with_htmx_and_gets_the_row_back(client, act, applied, boss_a):
    client.force_login(boss_a)

    response = client.post(
        reverse("volunteers:signup-action", args=[applied.pk]),
        {"action": "accept"},
        HTTP_HX_REQUEST="true",
    )

    body = response.content.decode()
    assert body.startswith(f'<tr id="signup-{applied.pk}">')
    assert "已录用" in body
    assert "查看联系方式" in body
    assert 'data-action="check_in"' in body
    applied.refresh_from_db()
    assert applied.status == "accepted"
    assert act.positions.get().accepted == 1


def test_the_manager_rejects_with_a_plain_form(client, act, applied, boss_a):
    client.force_login(boss_a)

    response = client.post(
        reverse("volunteers:signup-action", args=[applied.pk]), {"action": "reject"}
    )

    assert response["Location"] == reverse("volunteers:activity-manage", args=[act.pk])
    applied.refresh_from_db()
    assert applied.status == "rejected"


def test_a_full_position_sends_the_next_to_the_waitlist(client, act, applied, boss_a):
    accepted(applied, boss_a)
    second = volunteer(UserFactory(name="李四"))
    later = signup_create(activity=act, user=second.user, position_id=act.positions.get().pk)
    client.force_login(boss_a)

    page = client.get(reverse("volunteers:activity-manage", args=[act.pk]))

    assert later.status == "waitlisted"
    assert [s.pk for s in page.context["waitlist"]] == [later.pk]
    assert "候补名单" in page.content.decode()


def test_an_error_comes_back_in_the_row(client, act, applied, boss_a):
    accepted(applied, boss_a)
    client.force_login(boss_a)

    response = client.post(
        reverse("volunteers:signup-action", args=[applied.pk]),
        {"action": "reject"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "该报名当前状态为“已录用”，不能再处理。" in response.content.decode()
    applied.refresh_from_db()
    assert applied.status == "accepted"


def test_attendance_and_confirmation_from_the_page(client, act, applied, boss_a):
    accepted(applied, boss_a)
    client.force_login(boss_a)
    url = reverse("volunteers:signup-action", args=[applied.pk])

    with time_machine.travel(act.starts_at + dt.timedelta(minutes=10), tick=False):
        client.post(url, {"action": "check_in"})
    with time_machine.travel(act.starts_at + dt.timedelta(hours=2, minutes=10), tick=False):
        row = client.post(url, {"action": "check_out"}, HTTP_HX_REQUEST="true")
        assert 'data-action="confirm"' in row.content.decode()
        client.post(url, {"action": "confirm"})

    record = HourRecord.objects.get()
    assert (record.status, record.minutes, record.confirmed_by) == ("confirmed", 120, boss_a)


def test_a_pending_record_of_a_past_activity_is_confirmed(client, org_a, boss_a, wang_fang):
    finished = activity(org_a, starts_in=dt.timedelta(days=-2), hours=2)
    record = hour_record(finished, volunteer(wang_fang))
    client.force_login(boss_a)

    page = client.get(reverse("volunteers:activity-manage", args=[finished.pk]))
    assert "确认时长" in page.content.decode()
    client.post(reverse("volunteers:signup-action", args=[record.signup_id]), {"action": "confirm"})

    record.refresh_from_db()
    assert record.status == "confirmed"


def test_an_unknown_action_is_refused(client, applied, boss_a):
    client.force_login(boss_a)

    response = client.post(
        reverse("volunteers:signup-action", args=[applied.pk]),
        {"action": "delete"},
        HTTP_HX_REQUEST="true",
    )

    assert "未知的操作。" in response.content.decode()
    applied.refresh_from_db()
    assert applied.status == "applied"


def test_bs_manager_cannot_see_or_decide_as_sign_ups(client, act, applied, boss_b, staff_a):
    for user in (boss_b, staff_a):
        client.force_login(user)
        assert client.get(reverse("volunteers:activity-manage", args=[act.pk])).status_code == 404
        response = client.post(
            reverse("volunteers:signup-action", args=[applied.pk]), {"action": "accept"}
        )
        assert response.status_code == 404
    applied.refresh_from_db()
    assert applied.status == "applied"


def test_the_volunteer_cannot_manage_their_own_sign_up(client, act, applied, wang_fang):
    client.force_login(wang_fang)

    assert client.get(reverse("volunteers:activity-manage", args=[act.pk])).status_code == 404
    response = client.post(
        reverse("volunteers:signup-action", args=[applied.pk]), {"action": "accept"}
    )
    assert response.status_code == 404


# --- Contact details on request -----------------------------------------------------------------


def test_the_contact_of_an_accepted_volunteer_is_shown_and_audit_logged(
    client, act, applied, boss_a
):
    accepted(applied, boss_a)
    client.force_login(boss_a)

    response = client.post(
        reverse("volunteers:signup-contact", args=[applied.pk]), HTTP_HX_REQUEST="true"
    )

    body = response.content.decode()
    assert "王芳" in body
    assert applied.volunteer.phone in body
    entry = AuditEntry.objects.get(action="personal_data.read")
    assert (entry.actor, entry.subject) == (boss_a, applied.volunteer.user)
    assert entry.detail["purpose"] == "volunteer_contact"
    assert entry.detail["fields"] == ["name", "phone"]
    assert entry.detail["organisation"] == "浆洗街志愿服务队"
    # Without htmx: a page of its own.
    page = client.post(reverse("volunteers:signup-contact", args=[applied.pk]))
    assert "您的查看已记录" in page.content.decode()
    assert AuditEntry.objects.filter(action="personal_data.read").count() == 2


def test_no_contact_before_acceptance_and_nothing_logged(client, applied, boss_a):
    client.force_login(boss_a)

    response = client.post(
        reverse("volunteers:signup-contact", args=[applied.pk]), HTTP_HX_REQUEST="true"
    )

    assert "只能查看已录用志愿者的联系方式。" in response.content.decode()
    assert applied.volunteer.phone not in response.content.decode()
    assert not AuditEntry.objects.filter(action="personal_data.read").exists()


def test_bs_manager_gets_no_contact(client, applied, boss_a, boss_b):
    accepted(applied, boss_a)
    client.force_login(boss_b)

    response = client.post(reverse("volunteers:signup-contact", args=[applied.pk]))

    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="personal_data.read").exists()


# --- The check-in code --------------------------------------------------------------------------


def test_the_code_page_shows_the_code_and_its_qr_image(client, act, boss_a):
    client.force_login(boss_a)

    with time_machine.travel(act.starts_at, tick=False):
        page = client.get(reverse("volunteers:activity-code", args=[act.pk]))
        qr = client.get(reverse("volunteers:activity-qr", args=[act.pk]))
        code = checkin_code_current(act)

    body = page.content.decode()
    assert code.code in body
    assert "246810" not in body  # the seed is never shown
    assert f"{reverse('volunteers:activity-qr', args=[act.pk])}?p={code.period}" in body
    assert f"/volunteers/checkin/?activity={act.pk}&amp;code={code.code}" in body
    assert "签到码每 2 分钟更新一次" in body
    assert page["Cache-Control"] == "private, no-store"
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr["Cache-Control"] == "private, no-store"
    assert qr.content.decode().count("<rect") > 100  # modules of a real QR code


def test_the_code_is_refused_to_others(client, act, boss_b, wang_fang, official_wuhou):
    for user in (boss_b, wang_fang):
        client.force_login(user)
        assert client.get(reverse("volunteers:activity-code", args=[act.pk])).status_code == 404
        assert client.get(reverse("volunteers:activity-qr", args=[act.pk])).status_code == 404
    client.force_login(official_wuhou)
    assert client.get(reverse("volunteers:activity-code", args=[act.pk])).status_code == 403


def test_the_organisers_cancel_their_volunteers_sign_up_too(client, act, applied, boss_a):
    client.force_login(boss_a)

    response = client.post(reverse("volunteers:signup-cancel", args=[applied.pk]))

    assert response.status_code == 302
    assert Signup.objects.get(pk=applied.pk).status == "cancelled"
