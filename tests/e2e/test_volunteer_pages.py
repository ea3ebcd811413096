"""A resident finds a 助老 activity on the 志愿服务 page, registers as a volunteer by real name
on the way (the guardian's fields stay hidden for an adult) and signs up for a position, with
no Content-Security-Policy violation on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

ACTIVITY = "周末陪伴独居老人"  # the demo's upcoming 助老 activity with open places


def test_a_resident_registers_as_a_volunteer_and_signs_up(
    page, live_server, demo_city, shot, csp_violations
):
    from tests.volunteers.factories import born_years_ago, id_number
    from volunteers.models import Signup, Volunteer

    # 李娜 (not a volunteer yet) looks for eldercare activities.
    log_in(page, live_server.url, "13800000002", demo_city)
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="志愿服务").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("志愿服务")
    page.get_by_label("服务领域").select_option(label="助老")
    page.get_by_role("button", name="搜索").click()  # htmx swaps the results only
    expect(page).to_have_url(re.compile(r"domain=elderly"))
    card = page.locator(".activity-card").filter(has_text=ACTIVITY)
    expect(card).to_contain_text("剩余 4 / 4 个名额")
    card.get_by_role("link", name=ACTIVITY).click()

    # Not registered: the activity sends her to real-name registration and back.
    expect(page.get_by_role("heading", level=1)).to_have_text(ACTIVITY)
    page.get_by_role("link", name="注册成为志愿者").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("志愿者实名注册")
    guardian = page.locator("[data-guardian]")
    page.get_by_label("居民身份证号码").fill(id_number(born_years_ago(16), 321))
    expect(guardian).to_be_visible()  # a minor's number shows the guardian's fields
    page.get_by_label("居民身份证号码").fill(id_number(born_years_ago(32), 321))
    expect(guardian).to_be_hidden()
    page.get_by_label("所在区（县、市）").select_option(label="锦江区")
    page.get_by_label("陪伴聊天").check()
    page.get_by_label("周末上午").check()
    page.get_by_label(re.compile("我已阅读并同意《志愿服务协议》")).check()
    shot("90-volunteer-registration")
    page.get_by_role("button", name="提交注册").click()
    expect(page.locator(".messages")).to_contain_text("注册成功！您的志愿者编号是")
    expect(page.get_by_role("heading", level=1)).to_have_text(ACTIVITY)

    # She signs up for the companionship position.
    page.get_by_label(re.compile("陪伴聊天（剩余 4 个名额）")).check()
    page.get_by_label("留言（选填）").fill("周六上午可以。")
    page.get_by_role("button", name="提交报名").click()
    expect(page.locator(".messages")).to_contain_text("报名成功，请等待组织方录用。")
    expect(page.locator(".status")).to_have_text("待录用")
    shot("91-volunteer-signed-up")

    volunteer = Volunteer.objects.get(user__phone="+8613800000002")
    signup = Signup.objects.get(volunteer=volunteer)
    assert (signup.activity.title, signup.position.name, signup.status) == (
        ACTIVITY,
        "陪伴聊天",
        "applied",
    )
    assert volunteer.skills == ["companionship"]
    assert volunteer.division_id == "510104"

    # Her page lists the sign-up.
    page.goto(live_server.url + "/volunteers/me/")
    expect(page.get_by_role("cell", name=ACTIVITY)).to_be_visible()
    expect(page.locator("main")).to_contain_text(volunteer.number)
    assert csp_violations == []
