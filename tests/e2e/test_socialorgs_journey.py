"""The social-organisation journeys, in the browser, on the demo city:

1. A visitor finds 武侯区阳光社会工作服务中心 on 一网通查 by typing its pinyin, and its page
   shows the 4A grade, last year's annual report 合格 and the 警告 penalty — with the legal
   representative masked.
2. 王芳 looks for projects near her saved home address on the map page, asks for social-work
   service there; the match run proposes 阳光's 浆洗街 project and she accepts it.
3. 李娜 pledges 50 yuan anonymously to the foundation's 困境儿童助学计划; 郑洁 confirms on the
   ledger desk that the money arrived (the donation goes on the chain, 李娜 gets a receipt
   code) and records a disbursement that spends part of it; a visitor sees
   both on the project's traced flow (the donor as 匿名爱心人士, the beneficiary masked), the
   receipt lookup shows where the money went, and the chain verifies (page and API).
No page breaks the Content-Security-Policy.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, log_out

pytestmark = pytest.mark.e2e

CENTRE = "武侯区阳光社会工作服务中心"
FOUNDATION_PROJECT = "困境儿童助学计划"


def test_the_public_finds_an_organisation_by_pinyin_and_sees_grade_reports_and_penalties(
    page, live_server, demo_city, shot, csp_violations
):
    from socialorgs.models import SocialOrganisation

    centre = SocialOrganisation.objects.get(name=CENTRE)
    page.goto(live_server.url + "/socialorgs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("社会组织一网通查")
    page.get_by_label("名称、拼音或统一社会信用代码").fill("yangguang")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#results")).to_contain_text(CENTRE)
    shot("100-socialorgs-search-pinyin")
    page.locator("#results").get_by_role("link", name=CENTRE).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(CENTRE)
    grade = page.locator("section", has=page.get_by_role("heading", name="评估等级"))
    expect(grade).to_contain_text("4A")
    reports = page.locator("section", has=page.get_by_role("heading", name="年度报告"))
    expect(reports).to_contain_text("合格")
    credit = page.locator("section", has=page.get_by_role("heading", name="信用信息"))
    expect(credit).to_contain_text("警告")
    expect(credit).to_contain_text("武民罚")
    body = page.content()
    assert centre.legal_rep_name not in body
    assert centre.legal_rep_masked in body
    shot("101-socialorgs-profile")
    assert csp_violations == []


def test_a_resident_asks_for_social_work_near_home_and_accepts_the_match(
    page, live_server, demo_city, shot, csp_violations
):
    from socialorgs.models import ServiceRequest

    url = live_server.url
    log_in(page, url, "13800000001", demo_city)
    page.goto(url + "/socialorgs/socialwork/")
    expect(page.locator("svg").first).to_be_visible()
    expect(page.get_by_role("link", name="浆洗街长者关爱社工服务").first).to_be_visible()
    page.get_by_label("从我的常用地址出发").select_option(index=1)
    page.get_by_role("button", name="查找").click()
    shot("102-socialwork-map")
    page.get_by_role("link", name="申请社会工作服务").click()
    page.get_by_label("服务对象").select_option(label="老年人")
    page.get_by_label("使用常用地址").select_option(index=1)
    page.get_by_label("需求描述").fill("母亲腿脚不便，希望社工每周上门探访、陪她聊天。")
    page.get_by_role("button", name="提交申请").click()

    request = ServiceRequest.objects.filter(
        resident__phone="+8613800000001", status__in=ServiceRequest.IN_PROGRESS
    ).get()
    expect(page.get_by_role("main")).to_contain_text("浆洗街长者关爱社工服务")
    shot("103-socialwork-proposal")
    page.get_by_role("button", name="接受推荐").click()
    expect(page.get_by_role("main")).to_contain_text("服务中")
    request.refresh_from_db()
    assert request.status == ServiceRequest.Status.ACCEPTED
    assert request.project.title == "浆洗街长者关爱社工服务"
    assert csp_violations == []


def test_a_donation_and_its_disbursement_show_on_the_traced_flow_and_the_chain_verifies(
    page, browser, live_server, demo_city, shot, csp_violations
):
    from socialorgs.models import ChainEntry, DonationPledge, FundraisingProject

    url = live_server.url
    project = FundraisingProject.objects.get(title=FOUNDATION_PROJECT)
    before = project.entries.count()

    # 李娜 pledges 50 yuan, anonymously: nothing is on the chain until the money arrives.
    log_in(page, url, "13800000002", demo_city)
    page.goto(url + "/socialorgs/charity/")
    page.get_by_role("link", name=FOUNDATION_PROJECT).first.click()
    page.get_by_role("link", name="我要捐赠").click()
    page.get_by_label("捐赠金额").fill("50")
    page.get_by_label(re.compile("匿名捐赠")).check()
    page.get_by_role("button", name="确认捐赠").click()
    pledge = DonationPledge.objects.get(project=project, donor__name="李娜", status="pending")
    assert pledge.anonymous
    assert project.entries.count() == before
    mine = page.locator("#my-pledges")
    expect(mine).to_contain_text(pledge.reference)
    expect(mine).to_contain_text("待确认到账")
    shot("104-charity-donated")
    log_out(page)

    # 郑洁 sees the money arrive and confirms it on the ledger desk (the donation goes on the
    # chain), then pays 16,330 yuan out: the 16,300 still unspent from earlier donations,
    # then (first in, first out) 30 of 李娜's 50.
    desk_context = browser.new_context(locale="zh-CN")
    desk = desk_context.new_page()
    log_in(desk, url, "13900000005", demo_city)
    desk.goto(url + f"/socialorgs/charity/{project.filing_number}/")
    desk.get_by_role("link", name="机构记账台").click()
    row = desk.locator("#pledges tr", has_text=pledge.reference)
    row.get_by_role("button", name="确认到账").click()
    expect(desk.get_by_role("main")).to_contain_text("已确认到账")
    donation = ChainEntry.objects.get(project=project, seq=before + 1)
    assert donation.anonymous
    assert donation.donor.name == "李娜"
    pledge.refresh_from_db()
    assert (pledge.status, pledge.entry_id) == ("confirmed", donation.pk)
    form = desk.locator("form", has=desk.get_by_role("heading", name="记录拨付"))
    form.get_by_label("受益人", exact=True).fill("周小明")
    form.get_by_label("个人").check()
    form.get_by_label(re.compile("金额")).fill("16330")
    form.get_by_label("用途").fill("冬季校服")
    form.get_by_role("button", name="记录拨付").click()
    expect(desk.get_by_role("main")).to_contain_text("周小明")
    disbursement = ChainEntry.objects.get(project=project, seq=before + 2)
    assert disbursement.kind == ChainEntry.Kind.DISBURSEMENT
    desk_context.close()

    # A visitor follows the money: the flow, the receipt's trace, the chain's check.
    page.goto(url + f"/socialorgs/charity/{project.filing_number}/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("匿名爱心人士")
    expect(main).to_contain_text("周*明")
    expect(main).to_contain_text("冬季校服")
    expect(main).to_contain_text("验证通过")
    body = page.content()
    assert "李娜" not in body
    assert "周小明" not in body
    page.get_by_label("捐赠凭证号").fill(donation.receipt_code)
    page.locator("#receipt").get_by_role("button", name="查询").click()
    trace = page.locator("#receipt")
    expect(trace).to_contain_text("拨付给 周*明（冬季校服）30.00 元")
    expect(trace).to_contain_text("尚有 20.00 元待拨付")
    shot("105-charity-traced-flow")

    response = page.request.get(url + f"/api/v1/socialorgs/charity/{project.filing_number}/verify/")
    assert response.ok
    verdict = json.loads(response.text())
    assert verdict["valid"] is True
    assert verdict["count"] == before + 2
    assert "李娜" not in response.text()
    assert csp_violations == []
