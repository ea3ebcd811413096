"""An official and a provider owner start their day; a visitor reads the portal in English."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_an_official_sees_only_providers_of_their_district(
    page, live_server, demo_city, shot, csp_violations
):
    log_in(page, live_server.url, "13700000001", demo_city)  # 赵敏, 武侯区 民政

    expect(page.get_by_role("heading", level=1)).to_have_text("监管工作台")
    expect(page.get_by_text("管辖区域：武侯区")).to_be_visible()
    shot("10-official-workbench")
    page.get_by_role("link", name="辖区服务机构").click()
    expect(page.get_by_role("link", name="幸福里养老服务中心")).to_be_visible()
    expect(page.get_by_text("小橡树托育中心")).to_have_count(0)  # 锦江区, not hers
    shot("11-official-providers")
    page.get_by_role("link", name="幸福里养老服务中心").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("幸福里养老服务中心")
    assert csp_violations == []


def test_a_provider_owner_finds_their_organisation(page, live_server, demo_city, shot):
    log_in(page, live_server.url, "13900000003", demo_city)  # 刘洋, 小橡树托育中心

    expect(page.get_by_role("heading", level=1)).to_have_text("机构工作台")
    page.get_by_role("link", name="我的机构").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("小橡树托育中心")
    shot("12-provider-organisations")
    # Officials' pages stay closed to provider staff.
    response = page.goto(live_server.url + "/official/")
    assert response.status == 403


def test_a_visitor_switches_to_english_and_back(page, live_server, transactional_db, shot):
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Find eldercare, childcare, domestic and health services"
    )
    shot("13-home-english")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
