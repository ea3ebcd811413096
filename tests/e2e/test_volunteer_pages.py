"""The volunteer journey, in the browser: 张伟's team publishes a 助老 activity; 李娜 (not yet a
volunteer) finds it, registers by real name on the way and signs up; 张伟 accepts her; she
checks in and, two hours later, out with the code shown at the place; 张伟 confirms her hours,
which go into her time bank; she downloads a certificate whose code a stranger verifies on the
public page; and she spends banked hours on a companionship visit for her father 李建国, after
transferring them to his account. No page breaks the Content-Security-Policy.

The server runs in this process (pytest-django's live server), so time-machine moves its clock
for the two hours between check-in and check-out.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

TEAM = "幸福里志愿服务队"  # the demo's team, owned by 张伟 (13900000001)
TITLE = "陪伴社区独居老人散步"
SERVICE = "陪伴聊天（1 小时）"  # a demo time-bank service, 60 minutes


def _local(moment: dt.datetime) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _watch(page, violations: list[str]) -> None:
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )


def test_a_volunteer_serves_is_certified_and_spends_banked_hours_on_her_father(
    page, browser, live_server, demo_city, shot, csp_violations, tmp_path
):
    from django.utils import timezone
    from pypdf import PdfReader

    from tests.volunteers.factories import born_years_ago, id_number
    from volunteers.models import Activity, Certificate, HourRecord, TimeBankRedemption, Volunteer
    from volunteers.services import checkin_code_at
    from volunteers.services.timebank import timebank_reconcile

    starts = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(minutes=10)
    url = live_server.url

    # 张伟 publishes a 助老 activity on his team's page (in his own browser).
    organiser_context = browser.new_context(locale="zh-CN")
    organiser = organiser_context.new_page()
    _watch(organiser, csp_violations)
    log_in(organiser, url, "13900000001", demo_city)
    organiser.goto(url + "/volunteers/organisations/mine/")
    organiser.get_by_role("link", name=TEAM).click()
    expect(organiser.get_by_role("heading", level=1)).to_contain_text(TEAM)
    organiser.get_by_label("活动名称").fill(TITLE)
    organiser.get_by_label("服务领域").select_option(label="助老")
    organiser.get_by_label("活动所在区（县、市）").select_option(label="武侯区")
    organiser.get_by_label("活动地点").fill("浆洗街社区活动中心")
    organiser.get_by_label("开始时间").fill(_local(starts))
    organiser.get_by_label("结束时间").fill(_local(starts + dt.timedelta(hours=3)))
    organiser.locator("input[name='positions-0-name']").fill("陪伴员")
    organiser.locator("select[name='positions-0-skill']").select_option("companionship")
    organiser.locator("input[name='positions-0-needed']").fill("3")
    organiser.get_by_role("button", name="发布活动").click()
    expect(organiser.locator(".messages")).to_contain_text(TITLE)
    activity = Activity.objects.get(title=TITLE)

    # 李娜 finds it among the eldercare activities.
    log_in(page, url, "13800000002", demo_city)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="志愿服务").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("志愿服务")
    page.get_by_label("服务领域").select_option(label="助老")
    page.get_by_role("button", name="搜索").click()  # htmx swaps the results only
    expect(page).to_have_url(re.compile(r"domain=elderly"))
    card = page.locator(".activity-card").filter(has_text=TITLE)
    expect(card).to_contain_text("剩余 3 / 3 个名额")
    card.get_by_role("link", name=TITLE).click()

    # Not registered yet: real-name registration, then back to the activity.
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.get_by_role("link", name="注册成为志愿者").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("志愿者实名注册")
    guardian = page.locator("[data-guardian]")
    page.get_by_label("居民身份证号码").fill(id_number(born_years_ago(16), 321))
    expect(guardian).to_be_visible()  # a minor's number shows the guardian's fields
    page.get_by_label("居民身份证号码").fill("51010719900307001X")  # a wrong check digit
    page.get_by_label("所在区（县、市）").select_option(label="锦江区")
    page.get_by_label("陪伴聊天").check()
    page.get_by_label(re.compile("我已阅读并同意《志愿服务协议》")).check()
    page.get_by_role("button", name="提交注册").click()
    expect(page.locator("main")).to_contain_text("身份证号码校验位不正确。")
    page.get_by_label("居民身份证号码").fill(id_number(born_years_ago(32), 321))
    expect(guardian).to_be_hidden()
    page.get_by_label("周末上午").check()
    page.get_by_label(re.compile("我已阅读并同意《志愿服务协议》")).check()
    shot("90-volunteer-registration")
    page.get_by_role("button", name="提交注册").click()
    expect(page.locator(".messages")).to_contain_text("注册成功！您的志愿者编号是")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    volunteer = Volunteer.objects.get(user__phone="+8613800000002")

    page.get_by_label(re.compile("陪伴员（剩余 3 个名额）")).check()
    page.get_by_label("留言（选填）").fill("周六上午可以。")
    page.get_by_role("button", name="提交报名").click()
    expect(page.locator(".messages")).to_contain_text("报名成功，请等待组织方录用。")
    expect(page.locator(".status")).to_have_text("待录用")
    shot("91-volunteer-signed-up")

    # 张伟 accepts her on the activity's desk (htmx swaps the row) and shows the code.
    organiser.goto(url + f"/volunteers/activities/{activity.pk}/manage/")
    row = organiser.locator("tr").filter(has_text=volunteer.number)
    expect(row).to_contain_text("李*")  # masked until he asks for the contact
    row.get_by_role("button", name="录用", exact=True).click()
    expect(row.locator(".status")).to_have_text("已录用")
    organiser.goto(url + f"/volunteers/activities/{activity.pk}/code/")
    shown = organiser.locator(".checkin-code [aria-hidden='true']").inner_text()
    # The code of this period (or, had it just changed, of the previous one), never the seed.
    assert shown in (
        checkin_code_at(activity, timezone.now()),
        checkin_code_at(activity, timezone.now() - dt.timedelta(minutes=2)),
    )
    expect(organiser.locator("img[src*='code.svg?p=']")).to_be_visible()
    expect(organiser.locator("main")).to_contain_text("签到码每 2 分钟更新一次")

    # At the place, she checks in with the code shown; a wrong code is refused in words.
    page.goto(url + "/volunteers/checkin/")
    page.get_by_label("活动", exact=True).select_option(label=TITLE)
    page.get_by_label("现场签到码").fill(f"{(int(shown) + 1) % 10**6:06d}")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("main")).to_contain_text("签到码不正确。")
    page.get_by_label("现场签到码").fill(shown)
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".messages")).to_contain_text("签到成功")
    record = HourRecord.objects.get(volunteer=volunteer, activity=activity)
    assert record.status == HourRecord.Status.OPEN

    # Two hours and a quarter later she checks out with the code shown then; 张伟 confirms.
    with time_machine.travel(starts + dt.timedelta(hours=2, minutes=5), tick=True):
        page.goto(url + "/volunteers/checkin/")
        page.get_by_label("活动", exact=True).select_option(label=TITLE)
        page.get_by_label("现场签到码").fill(checkin_code_at(activity, timezone.now()))
        page.get_by_role("button", name="提交").click()
        expect(page.locator(".messages")).to_contain_text("签退成功")
        organiser.goto(url + f"/volunteers/activities/{activity.pk}/manage/")
        row = organiser.locator("tr").filter(has_text=volunteer.number)
        row.get_by_role("button", name="确认时长").click()
        expect(row.locator(".status-hours-confirmed")).to_have_text("已确认")
        record.refresh_from_db()
        assert record.status == HourRecord.Status.CONFIRMED
        assert 124 <= record.minutes <= 126  # from the start (not the early check-in) to check-out
        today = timezone.localdate()

        # Her certificate for the day, downloaded as a PDF.
        page.goto(url + "/volunteers/me/")
        expect(page.get_by_role("cell", name=TITLE).first).to_be_visible()
        page.get_by_role("link", name="志愿服务证明").first.click()
        day = timezone.localtime(record.period.lower).date().isoformat()
        page.get_by_label("起始日期").fill(day)
        page.get_by_label("截止日期").fill(today.isoformat())
        page.get_by_role("button", name="出具证明").click()
        expect(page.locator(".messages")).to_contain_text("证明已出具")
        certificate = Certificate.objects.get(volunteer=volunteer)
        assert certificate.minutes == record.minutes
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile("下载 PDF")).click()
        pdf = tmp_path / "certificate.pdf"
        download.value.save_as(pdf)
        text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
        assert "志愿服务证明" in text
        assert certificate.code in text
        shot("92-volunteer-certificates")

    # Anyone can check the code on the public page: valid, name masked.
    stranger_context = browser.new_context(locale="zh-CN")
    stranger = stranger_context.new_page()
    _watch(stranger, csp_violations)
    stranger.goto(url + "/volunteers/verify/")
    stranger.get_by_label("证明验证码").fill(certificate.code.lower().replace("-", " "))
    stranger.get_by_role("button", name="核验").click()
    result = stranger.locator("main")
    expect(result).to_contain_text("有效")
    expect(result).to_contain_text("李*")
    expect(result).not_to_contain_text("李娜")
    expect(result).not_to_contain_text(volunteer.id_number_masked)
    stranger_context.close()

    # Her father 李建国 (over 60) becomes a family member; 1 hour moves to his account.
    page.goto(url + "/me/family/")
    page.get_by_label("姓名", exact=True).fill("李建国")
    page.get_by_label("关系").select_option(label="父母")
    page.get_by_label("出生日期").fill("1954-10-01")
    page.get_by_label("本人已同意代为预约").check()
    page.get_by_role("button", name="添加").click()
    expect(page.get_by_role("cell", name="李建国")).to_be_visible()
    page.goto(url + "/volunteers/timebank/")
    expect(page.locator("main")).to_contain_text("不能提现")
    page.get_by_label("转给哪位家人").select_option(label="李建国（父母）")
    page.get_by_label("转赠时长（小时）").fill("1")
    page.get_by_role("button", name="确认转出").click()
    expect(page.locator(".messages")).to_contain_text("已转入家人的时间银行账户：1 小时。")
    shot("93-volunteer-time-bank")

    # She spends her mother's hour on a companionship visit for her.
    page.goto(url + "/volunteers/timebank/services/")
    shot("94-volunteer-time-bank-services")
    service_card = page.locator(".tb-service").filter(has_text=SERVICE)
    service_card.get_by_role("link", name="用时长兑换").click()
    page.get_by_label(re.compile("家人 李建国 的账户，为其兑换")).check()
    page.get_by_role("button", name="提交兑换申请").click()
    expect(page.locator(".messages")).to_contain_text("兑换申请已提交")
    redemption = TimeBankRedemption.objects.get(account__volunteer=volunteer)
    assert redemption.account.dependant.name == "李建国"
    assert redemption.minutes == 60
    assert redemption.account.balance_minutes == 0
    reconciliation = timebank_reconcile()
    assert reconciliation.ok, reconciliation.problems
    assert csp_violations == []
    organiser_context.close()
