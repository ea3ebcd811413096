"""From registration to a public listing: a new eldercare provider signs up, fills in its
organisation, uploads its filing, publishes a listing with a weekly schedule and submits; the
武侯区 民政 official approves; anyone then sees the listing and its free slots."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_provider_goes_from_registration_to_a_public_listing(
    page, live_server, demo_city, shot, tmp_path, csp_violations
):
    base = live_server.url
    scan = tmp_path / "filing.pdf"
    scan.write_bytes("%PDF-1.4\n% 养老机构备案回执\n%%EOF\n".encode())

    # 1. Registration: the person and the organisation.
    page.goto(base + "/provider/register/")
    page.get_by_label("手机号码").fill("139 5555 6666")
    page.get_by_label("您的姓名").fill("赵子龙")
    page.get_by_label("密码", exact=True).fill("Jigou-2026-ok")
    page.get_by_label("再次输入密码").fill("Jigou-2026-ok")
    page.get_by_label("机构名称").fill("晚晴居家养老服务中心")
    page.get_by_label("统一社会信用代码").fill("91350100M000100Y43")
    page.get_by_label("所在区（县、市）").select_option("510107")
    page.get_by_label("养老", exact=True).check()
    page.get_by_label("我已阅读并同意《个人信息保护政策》").check()
    shot("20-provider-register")
    page.get_by_role("button", name="创建账户和机构").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("晚晴居家养老服务中心")
    expect(page.get_by_role("heading", level=1)).to_contain_text("草稿")

    # 2. Profile details needed for review.
    page.get_by_role("link", name="编辑机构信息").click()
    page.get_by_label("法定代表人").fill("赵子龙")
    page.get_by_label("联系电话").fill("028-85556666")
    page.get_by_role("button", name="保存").click()

    # 3. A branch with coordinates.
    page.get_by_role("link", name="添加服务网点").click()
    page.get_by_label("网点名称").fill("玉林服务站")
    page.get_by_label("地址").fill("武侯区玉林南路 12 号")
    page.get_by_label("所在区（县、市）").select_option("510107")
    page.get_by_label("纬度（GCJ-02）").fill("30.628100")
    page.get_by_label("经度（GCJ-02）").fill("104.059800")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("玉林服务站")).to_be_visible()

    # 4. The 养老机构备案 with its scan; a wrong file type is refused first.
    page.get_by_role("link", name="上传证照").click()
    page.get_by_label("证照类型").select_option("eldercare_filing")
    page.get_by_label("证照编号").fill("川民养备 2026-0188")
    page.get_by_label("发证机关").fill("成都市武侯区民政局")
    page.get_by_label("有效期起").fill("2026-01-01")
    fake = tmp_path / "filing.png"
    fake.write_bytes(b"this is not an image")
    page.get_by_label("扫描件（PDF、JPEG 或 PNG，不超过 5 MB）").set_input_files(str(fake))
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".error").first).to_contain_text("只能上传")
    page.get_by_label("有效期起").fill("2026-01-01")
    page.get_by_label("扫描件（PDF、JPEG 或 PNG，不超过 5 MB）").set_input_files(str(scan))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("养老机构备案")).to_be_visible()
    shot("21-provider-organisation")

    # 5. A listing and its weekly schedule.
    page.get_by_role("link", name="服务项目与排班").click()
    page.get_by_role("link", name="发布服务项目").click()
    page.get_by_label("服务网点").select_option(label="玉林服务站")
    page.get_by_label("服务类别").select_option(label="养老 · 助餐")
    page.get_by_label("服务名称").fill("玉林长者午餐")
    page.get_by_label("价格（元）").fill("15")
    page.get_by_label("计价单位").select_option("visit")
    page.get_by_label("服务方式").select_option("at_branch")
    page.get_by_label("每时段名额").fill("20")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("排班")
    page.locator("#id_rules-0-weekday").select_option("0")
    page.locator("#id_rules-0-start").fill("11:00")
    page.locator("#id_rules-0-end").fill("13:00")
    page.locator("#id_rules-0-slot_minutes").fill("60")
    page.locator("#id_rules-0-capacity").fill("20")
    page.get_by_role("button", name="再加一行").click()  # htmx swaps in a second row
    expect(page.locator("#id_rules-1-weekday")).to_be_visible()
    expect(page.locator("#id_rules-0-start")).to_have_value("11:00")  # what was typed stays
    page.locator("#id_rules-1-weekday").select_option("3")
    page.locator("#id_rules-1-start").fill("11:00")
    page.locator("#id_rules-1-end").fill("13:00")
    page.locator("#id_rules-1-slot_minutes").fill("60")
    page.locator("#id_rules-1-capacity").fill("20")
    page.get_by_role("button", name="保存排班").click()
    expect(page.locator(".message")).to_contain_text("已生成 16 个新时段")
    shot("22-provider-schedule")
    page.get_by_role("link", name="服务项目与排班").click()
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_role("cell", name="已发布")).to_be_visible()

    # 6. Submit for review.
    page.get_by_role("link", name="晚晴居家养老服务中心").click()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("待审核")
    page.get_by_role("button", name="退出登录").click()

    # 7. The official of 武侯区 民政 approves.
    page.goto(base + "/accounts/login/")
    page.get_by_label("手机号码").fill("13700000001")
    page.get_by_label("密码").fill(demo_city)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="机构注册审核").click()
    shot("23-official-review-queue")
    page.get_by_role("link", name="晚晴居家养老服务中心").click()
    expect(page.get_by_role("link", name="查看").first).to_be_visible()  # the scan, for review
    shot("24-official-review-detail")
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("已通过")
    page.get_by_role("button", name="退出登录").click()

    # 8. The public sees the listing and its free slots.
    page.goto(base + "/verify/?code=91350100M000100Y43")
    expect(page.get_by_text("已审核通过")).to_be_visible()
    from services.models import Listing

    listing = Listing.objects.get(title="玉林长者午餐")
    page.goto(base + f"/services/{listing.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("玉林长者午餐")
    expect(page.locator(".slot").first).to_contain_text("剩余 20 个名额")
    shot("25-public-listing")
    assert csp_violations == []
