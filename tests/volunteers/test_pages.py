"""The 志愿服务 pages for residents: activity search (Chinese text, filters, htmx, paging, a
pinned number of queries), the activity page and sign-up, real-name registration with the
service's Chinese errors, 我的志愿服务, and check-in with the code shown at the place."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEntry
from tests.accounts.factories import UserFactory
from tests.volunteers.factories import (
    activity,
    born_years_ago,
    hour_record,
    id_number,
    organisation,
    volunteer,
)
from volunteers.models import HourRecord, Organisation, Signup, Volunteer
from volunteers.services import checkin_code_at, signup_create, signup_decide

pytestmark = pytest.mark.django_db

HOME = reverse("volunteers:home")


@pytest.fixture
def boss(db):
    return UserFactory(name="社区管理员")


@pytest.fixture
def org(boss):
    return organisation(boss, name="浆洗街志愿服务队")


def titles(response) -> list[str]:
    page = response.context["page"]
    return [a.title for a in page.object_list] if page else []


# --- Search -------------------------------------------------------------------------------------


@pytest.fixture
def city(org):
    """Activities across domains, districts, dates and skills (the first is 助老 in 武侯区)."""
    jinjiang = organisation(UserFactory(), name="锦江区志愿服务队", division_id="510104")
    return {
        "elderly": activity(org, title="重阳节敬老院陪伴", starts_in=dt.timedelta(days=2)),
        "clean": activity(
            org,
            title="社区环境清洁日",
            domain="community",
            description="清理楼道小广告",
            address="武侯区浆洗街社区广场",
            starts_in=dt.timedelta(days=9),
            positions=(("清洁", 5, ["general"]),),
        ),
        "reading": activity(
            jinjiang,
            title="亲子阅读志愿者",
            domain="childcare",
            address="锦江区小橡树托育中心",
            starts_in=dt.timedelta(days=4),
            positions=(("绘本讲读", 2, ["childcare"]),),
        ),
        "past": activity(org, title="已结束的敬老活动", starts_in=dt.timedelta(days=-3)),
    }


def test_the_home_page_lists_upcoming_activities_to_anyone(client, city):
    response = client.get(HOME)

    assert response.status_code == 200
    assert titles(response) == ["重阳节敬老院陪伴", "亲子阅读志愿者", "社区环境清洁日"]
    body = response.content.decode()
    assert "浆洗街志愿服务队" in body
    assert "剩余 2 / 2 个名额" in body


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("敬老", ["重阳节敬老院陪伴"]),
        ("小广告", ["社区环境清洁日"]),  # the description
        ("锦江区志愿", ["亲子阅读志愿者"]),  # the organisation
        ("浆洗街 广场", ["社区环境清洁日"]),  # every word, the address
        ("敬老 锦江", []),
    ],
)
def test_search_finds_activities_by_chinese_text(client, city, q, found):
    assert titles(client.get(HOME, {"q": q})) == found


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"domain": "childcare"}, ["亲子阅读志愿者"]),
        ({"division": "510104"}, ["亲子阅读志愿者"]),
        ({"skill": "general"}, ["社区环境清洁日"]),
        ({"domain": "elderly", "division": "510107"}, ["重阳节敬老院陪伴"]),
    ],
)
def test_search_filters_by_domain_district_and_skill(client, city, params, found):
    assert titles(client.get(HOME, params)) == found


def test_search_filters_by_dates(client, city):
    today = timezone.localtime(city["elderly"].starts_at).date() - dt.timedelta(days=2)
    # From day 4: the eldercare activity starts on day 2 at this time of day and runs three
    # hours, so late in the evening it reaches into day 3.
    window = {
        "date_from": (today + dt.timedelta(days=4)).isoformat(),
        "date_to": (today + dt.timedelta(days=5)).isoformat(),
    }

    assert titles(client.get(HOME, window)) == ["亲子阅读志愿者"]
    # A start date in the past also finds activities already over.
    past = {"date_from": (today - dt.timedelta(days=5)).isoformat(), "q": "敬老"}
    assert titles(client.get(HOME, past)) == ["已结束的敬老活动", "重阳节敬老院陪伴"]


def test_a_bad_filter_is_named_in_chinese_and_finds_nothing(client, city):
    response = client.get(HOME, {"date_from": "2026-12-10", "date_to": "2026-12-01"})

    assert response.status_code == 200
    assert response.context["page"] is None
    assert "结束日期不能早于开始日期。" in response.content.decode()


def test_htmx_gets_only_the_results(client, city):
    response = client.get(HOME, {"q": "敬老"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert body.startswith('<div id="results">')
    assert "<html" not in body
    assert "重阳节敬老院陪伴" in body


def test_results_come_twenty_a_page(client, org):
    for n in range(23):
        activity(org, title=f"助老活动{n:02d}", starts_in=dt.timedelta(days=1, hours=n))

    first = client.get(HOME, {"q": "助老"})
    second = client.get(HOME, {"q": "助老", "page": 2})

    assert len(titles(first)) == 20
    assert titles(second) == ["助老活动20", "助老活动21", "助老活动22"]
    assert "q=%E5%8A%A9%E8%80%81&amp;page=2" in first.content.decode()


def test_the_search_page_takes_the_same_queries_for_more_activities(
    client, org, django_assert_num_queries
):
    """Anonymous: divisions for the filter, the count, the page, its positions."""
    for n in range(3):
        activity(org, title=f"助老活动{n}", positions=(("陪伴", 2, []), ("助洁", 1, [])))
    with django_assert_num_queries(4):
        assert len(titles(client.get(HOME, {"q": "助老"}))) == 3
    for n in range(3, 12):
        activity(org, title=f"助老活动{n}", positions=(("陪伴", 2, []), ("助洁", 1, [])))
    with django_assert_num_queries(4):
        assert len(titles(client.get(HOME, {"q": "助老"}))) == 12


def test_a_signed_in_volunteer_searches_in_a_fixed_number_of_queries(
    client, org, wang_fang, django_assert_num_queries
):
    volunteer(wang_fang)
    client.force_login(wang_fang)
    for n in range(5):
        activity(org, title=f"助老活动{n}")
    # Session, user, unread notifications, the volunteer record, then the anonymous four.
    with django_assert_num_queries(8):
        assert len(titles(client.get(HOME, {"domain": "elderly"}))) == 5


def test_activities_of_organisations_not_approved_are_hidden(client, boss, org):
    pending = organisation(boss, name="待审核的队", status=Organisation.Status.SUBMITTED)
    hidden = activity(pending, title="未审核组织的活动")

    assert titles(client.get(HOME)) == []
    assert client.get(reverse("volunteers:activity", args=[hidden.pk])).status_code == 404
    client.force_login(boss)  # its manager sees it
    assert client.get(reverse("volunteers:activity", args=[hidden.pk])).status_code == 200


# --- The activity page and sign-up --------------------------------------------------------------


@pytest.fixture
def act(org):
    return activity(org, positions=(("陪伴老人", 1, ["companionship"]), ("助洁", 2, [])))


def test_anyone_sees_the_activity_and_is_invited_to_log_in(client, act):
    response = client.get(reverse("volunteers:activity", args=[act.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "陪伴老人" in body
    assert "剩余 1 / 1" in body
    assert "登录后报名" in body
    assert response.context["form"] is None


def test_a_resident_not_registered_is_sent_to_registration(client, act, wang_fang):
    client.force_login(wang_fang)
    url = reverse("volunteers:activity", args=[act.pk])

    assert "注册成为志愿者" in client.get(url).content.decode()
    response = client.post(url, {"position": act.positions.first().pk})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("volunteers:register"))
    assert not Signup.objects.exists()


def test_a_volunteer_signs_up_on_the_page_and_sees_the_state(client, act, wang_fang):
    volunteer(wang_fang)
    client.force_login(wang_fang)
    url = reverse("volunteers:activity", args=[act.pk])
    position = act.positions.get(name="助洁")

    response = client.post(url, {"position": position.pk, "note": "周末有空"}, follow=True)

    signup = Signup.objects.get()
    assert (signup.position, signup.status, signup.note) == (position, "applied", "周末有空")
    body = response.content.decode()
    assert "报名成功，请等待组织方录用。" in body
    assert "待录用" in body
    assert response.context["form"] is None  # no second sign-up while this one is open
    assert reverse("volunteers:signup-cancel", args=[signup.pk]) in body


def test_a_full_position_puts_the_volunteer_on_the_waitlist(client, act, wang_fang, boss):
    first = volunteer(UserFactory())
    position = act.positions.get(name="陪伴老人")
    signup = signup_create(activity=act, user=first.user, position_id=position.pk)
    signup_decide(signup=signup, actor=boss, accept=True)
    volunteer(wang_fang)
    client.force_login(wang_fang)

    response = client.post(
        reverse("volunteers:activity", args=[act.pk]), {"position": position.pk}, follow=True
    )

    assert Signup.objects.get(volunteer__user=wang_fang).status == "waitlisted"
    assert "该岗位已满，您已进入候补名单。" in response.content.decode()


def test_the_services_refusal_shows_on_the_form(client, org, wang_fang):
    adults = activity(org, min_age=40)
    volunteer(wang_fang, age=30)
    client.force_login(wang_fang)

    response = client.post(
        reverse("volunteers:activity", args=[adults.pk]), {"position": adults.positions.get().pk}
    )

    assert response.status_code == 200
    assert "该活动要求年满 40 周岁。" in response.content.decode()
    assert not Signup.objects.exists()


def test_a_position_of_another_activity_is_refused(client, act, org, wang_fang):
    other = activity(org)
    volunteer(wang_fang)
    client.force_login(wang_fang)

    response = client.post(
        reverse("volunteers:activity", args=[act.pk]), {"position": other.positions.get().pk}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["position"]
    assert not Signup.objects.exists()


def test_only_residents_sign_up(client, act, staff_a, official_wuhou):
    url = reverse("volunteers:activity", args=[act.pk])
    body = {"position": act.positions.first().pk}

    assert client.post(url, body)["Location"].startswith(reverse("accounts:login"))
    for user in (staff_a, official_wuhou):
        client.force_login(user)
        assert client.post(url, body).status_code == 403
    assert not Signup.objects.exists()


def test_a_volunteer_cancels_on_the_page(client, act, wang_fang):
    volunteer(wang_fang)
    signup = signup_create(activity=act, user=wang_fang, position_id=act.positions.first().pk)
    client.force_login(wang_fang)

    response = client.post(
        reverse("volunteers:signup-cancel", args=[signup.pk]),
        {"next": reverse("volunteers:me")},
    )

    assert response["Location"] == reverse("volunteers:me")
    signup.refresh_from_db()
    assert signup.status == "cancelled"


def test_someone_elses_sign_up_cannot_be_cancelled(client, act, wang_fang, daughter):
    volunteer(wang_fang)
    signup = signup_create(activity=act, user=wang_fang, position_id=act.positions.first().pk)
    volunteer(daughter)
    client.force_login(daughter)

    response = client.post(reverse("volunteers:signup-cancel", args=[signup.pk]))

    assert response.status_code == 404
    signup.refresh_from_db()
    assert signup.status == "applied"


# --- Registration -------------------------------------------------------------------------------

REGISTER = reverse("volunteers:register")


def registration(**changes) -> dict:
    data = {
        "real_name": "王芳",
        "id_number": id_number(born_years_ago(45)),
        "phone": "13800000101",
        "division": "510107",
        "skills": ["companionship", "cleaning"],
        "languages": "普通话、四川话",
        "available_times": ["weekend_morning"],
        "consent": "on",
        "agreement_version": settings.VOLUNTEER_AGREEMENT_VERSION,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_registration_is_for_residents(client, staff_a, official_wuhou):
    assert client.get(REGISTER)["Location"].startswith(reverse("accounts:login"))
    for user in (staff_a, official_wuhou):
        client.force_login(user)
        assert client.get(REGISTER).status_code == 403


def test_a_resident_registers_by_real_name(client, wang_fang):
    client.force_login(wang_fang)
    assert client.get(REGISTER).status_code == 200

    response = client.post(REGISTER, registration(), follow=True)

    volunteer = Volunteer.objects.get(user=wang_fang)
    assert volunteer.skills == ["companionship", "cleaning"]
    assert volunteer.languages == ["普通话", "四川话"]
    assert volunteer.consent_version == settings.VOLUNTEER_AGREEMENT_VERSION
    assert response.redirect_chain[-1][0] == reverse("volunteers:me")
    assert f"您的志愿者编号是 {volunteer.number}" in response.content.decode()
    # Registered: no second form, their number and a way to their page.
    again = client.get(REGISTER).content.decode()
    assert f"您已注册为志愿者，志愿者编号 {volunteer.number}" in again
    assert 'name="id_number"' not in again
    assert client.post(REGISTER, registration())["Location"] == reverse("volunteers:me")
    assert Volunteer.objects.count() == 1


def test_registration_returns_to_the_activity_it_came_from(client, wang_fang, act):
    client.force_login(wang_fang)
    back = reverse("volunteers:activity", args=[act.pk])

    response = client.post(REGISTER, registration(next=back))

    assert response["Location"] == back


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"id_number": "51010719800101123X"}, "id_number", "身份证号码校验位不正确。"),
        ({"id_number": "5101071980"}, "id_number", "身份证号码应为 18 位（最后一位可为 X）。"),
        ({"phone": "12345"}, "phone", None),
        ({"consent": None}, "consent", "注册前请阅读并同意志愿服务协议。"),
        ({"agreement_version": "2020-01-01"}, "consent", "请阅读并同意最新的志愿服务协议。"),
        (
            {"languages": "、".join(f"方言{n}" for n in range(11))},
            "languages",
            "最多填写 10 种语言，每种不超过 20 个字。",
        ),
    ],
)
def test_bad_registrations_show_the_chinese_error_and_write_nothing(
    client, wang_fang, changes, field, message
):
    client.force_login(wang_fang)

    response = client.post(REGISTER, registration(**changes))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    if message:
        assert errors[field] == [message]
        assert message in response.content.decode()
    assert not Volunteer.objects.exists()
    assert not AuditEntry.objects.filter(action="volunteer.registered").exists()


def test_a_minor_needs_the_guardians_consent(client, wang_fang):
    client.force_login(wang_fang)
    minor = {"id_number": id_number(born_years_ago(16))}

    refused = client.post(REGISTER, registration(**minor))
    accepted = client.post(
        REGISTER,
        registration(
            **minor,
            guardian_name="王建国",
            guardian_phone="13800001111",
            guardian_consent="on",
        ),
    )

    assert refused.context["form"].errors["guardian_name"] == ["此项为必填项。"]
    assert accepted.status_code == 302
    assert Volunteer.objects.get(user=wang_fang).guardian_consent


def test_an_id_number_registers_once(client, wang_fang, daughter):
    number = id_number(born_years_ago(45), 777)
    volunteer(daughter, id_number=number)
    client.force_login(wang_fang)

    response = client.post(REGISTER, registration(id_number=number))

    assert response.context["form"].errors["id_number"] == ["该身份证号码已注册为志愿者。"]
    assert not Volunteer.objects.filter(user=wang_fang).exists()


# --- 我的志愿服务 --------------------------------------------------------------------------------

ME = reverse("volunteers:me")


def test_my_volunteering_shows_my_number_masked_id_sign_ups_and_hours(client, org, wang_fang):
    mine = volunteer(wang_fang)
    finished = activity(org, title="上周的助餐", starts_in=dt.timedelta(days=-7), hours=2)
    hour_record(finished, mine, status=HourRecord.Status.CONFIRMED)
    other = volunteer(UserFactory(name="赵六"))
    hour_record(activity(org, title="别人的活动", starts_in=dt.timedelta(days=-9)), other)
    client.force_login(wang_fang)

    response = client.get(ME)

    body = response.content.decode()
    assert mine.number in body
    assert mine.id_number_masked in body
    assert "上周的助餐" in body
    assert "已确认" in body
    assert response.context["totals"][0]["minutes"] == 120
    assert "2.0" in body
    assert "别人的活动" not in body
    assert other.number not in body
    assert reverse("volunteers:certificates") in body
    assert reverse("volunteers:profile", args=[mine.number]) in body


def test_my_volunteering_offers_a_dispute_only_while_the_window_is_open(
    client, org, wang_fang, settings
):
    settings.VOLUNTEER_DISPUTE_DAYS = 30
    mine = volunteer(wang_fang)
    recent = hour_record(activity(org, starts_in=dt.timedelta(days=-7)), mine)
    old = hour_record(activity(org, starts_in=dt.timedelta(days=-40)), mine)
    client.force_login(wang_fang)

    body = client.get(ME).content.decode()

    assert reverse("volunteers:dispute-raise", args=[recent.pk]) in body
    assert reverse("volunteers:dispute-raise", args=[old.pk]) not in body


def test_my_volunteering_invites_a_resident_to_register(client, wang_fang):
    client.force_login(wang_fang)

    response = client.get(ME)

    assert response.status_code == 200
    assert reverse("volunteers:register") in response.content.decode()


def test_my_volunteering_is_for_residents(client, staff_a):
    assert client.get(ME)["Location"].startswith(reverse("accounts:login"))
    client.force_login(staff_a)
    assert client.get(ME).status_code == 403


# --- Check-in with the code ---------------------------------------------------------------------

CHECKIN = reverse("volunteers:checkin")


@pytest.fixture
def today_act(org, boss, wang_fang):
    """An activity in two days that 王芳 was accepted for."""
    act = activity(org, starts_in=dt.timedelta(days=2), hours=2)
    volunteer(wang_fang)
    signup = signup_create(activity=act, user=wang_fang, position_id=act.positions.get().pk)
    signup_decide(signup=signup, actor=boss, accept=True)
    return act


def test_the_qr_link_opens_the_form_filled_in(client, today_act, wang_fang):
    client.force_login(wang_fang)

    response = client.get(CHECKIN, {"activity": today_act.pk, "code": "246810"})

    form = response.context["form"]
    assert form["activity"].value() == today_act.pk
    assert form["code"].value() == "246810"


def test_the_qr_link_sends_a_visitor_to_log_in_and_back(client, today_act):
    response = client.get(CHECKIN, {"activity": today_act.pk, "code": "246810"})

    assert response.status_code == 302
    assert "next=/volunteers/checkin/%3Factivity%3D" in response["Location"]


def _shown(act) -> str:
    from django.utils import timezone

    return checkin_code_at(act, timezone.now())


def test_the_code_checks_in_then_out(client, today_act, wang_fang):
    client.force_login(wang_fang)

    with time_machine.travel(today_act.starts_at + dt.timedelta(minutes=5), tick=False):
        body = {"activity": today_act.pk, "code": _shown(today_act)}
        first = client.post(CHECKIN, body, follow=True)
    with time_machine.travel(today_act.starts_at + dt.timedelta(minutes=95), tick=False):
        body = {"activity": today_act.pk, "code": _shown(today_act)}
        second = client.post(CHECKIN, body, follow=True)

    assert "签到成功" in first.content.decode()
    assert "签退成功：本次计入 90 分钟，待组织方确认。" in second.content.decode()
    record = HourRecord.objects.get()
    assert (record.status, record.minutes) == ("pending", 90)


@pytest.mark.parametrize(
    ("code", "offset", "message"),
    [
        ("wrong", dt.timedelta(minutes=5), "签到码不正确。"),
        ("shown", dt.timedelta(hours=-3), "签到码仅在活动开始前后 30 分钟内有效。"),
    ],
)
def test_a_wrong_or_early_code_is_refused_in_chinese(
    client, today_act, wang_fang, settings, code, offset, message
):
    settings.VOLUNTEER_CODE_GRACE_MINUTES = 30
    client.force_login(wang_fang)

    with time_machine.travel(today_act.starts_at + offset, tick=False):
        typed = _shown(today_act)
        if code == "wrong":
            typed = f"{(int(typed) + 1) % 10**6:06d}"
        response = client.post(CHECKIN, {"activity": today_act.pk, "code": typed})

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [message]
    assert not HourRecord.objects.exists()


def test_a_volunteer_not_accepted_cannot_check_in(client, today_act, daughter):
    volunteer(daughter)
    client.force_login(daughter)

    with time_machine.travel(today_act.starts_at, tick=False):
        response = client.post(CHECKIN, {"activity": today_act.pk, "code": _shown(today_act)})

    assert "您未被该活动录用。" in response.content.decode()
    assert not HourRecord.objects.exists()
