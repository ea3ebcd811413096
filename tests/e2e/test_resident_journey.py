"""A resident's first visit: home page, elder mode, login, my data and its export."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_resident_switches_to_elder_mode_logs_in_and_downloads_their_data(
    page, live_server, demo_city, shot, csp_violations
):
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_contain_text("找养老")
    shot("01-home")

    page.get_by_role("button", name="长者模式").click()
    expect(page.locator("body")).to_have_class("elder")
    font_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font_px >= 20
    button_px = page.evaluate(
        "document.getElementById('elder-mode-toggle').getBoundingClientRect().height"
    )
    assert button_px >= 44
    shot("02-home-elder-mode")

    page.get_by_role("link", name="登录").first.click()
    page.get_by_label("手机号码").fill("138 0000 0001")
    page.get_by_label("密码").fill(demo_city)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")
    expect(page.locator("body")).to_have_class("elder")  # the cookie's choice survived login
    shot("03-my-account")

    page.get_by_role("link", name="我的数据").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的数据")
    shot("04-my-data")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出我的全部数据").click()
    download = download_info.value
    assert download.suggested_filename.startswith("my-data-")
    data = json.loads(download.path().read_text(encoding="utf-8"))
    assert data["sections"]["account"]["phone"] == "+8613800000001"
    assert data["sections"]["account"]["name"] == "王芳"
    assert "+8613800000002" not in json.dumps(data)  # her daughter's account is not in it

    assert csp_violations == []


def test_a_bad_phone_at_signup_is_explained_in_chinese(page, live_server, transactional_db, shot):
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("手机号码").fill("12345")
    page.get_by_label("姓名").fill("王芳")
    page.get_by_label("密码", exact=True).fill("Xingfu-2026-ok")
    page.get_by_label("再次输入密码").fill("Xingfu-2026-ok")
    page.get_by_role("button", name="注册").click()

    expect(page.locator(".error").first).to_contain_text("有效的中国大陆手机号码")
    expect(page.get_by_text("注册前请阅读并同意个人信息保护政策")).to_be_visible()
    shot("05-signup-errors")


def test_the_api_docs_render_from_local_assets_only(page, live_server, transactional_db, shot):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".swagger-ui .title").first).to_contain_text("Portal API")
    shot("06-api-docs")

    assert requested
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requested), [
        u for u in requested if not u.startswith(live_server.url)
    ]
