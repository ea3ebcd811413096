"""A resident looks for a provider by pinyin from the home page, narrows to her district and
opens a listing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_resident_finds_a_provider_by_pinyin_in_her_district(page, live_server, demo_city, shot):
    from services.services.listings import listings_reindex

    listings_reindex()
    page.goto(live_server.url + "/")
    page.get_by_label("想找什么服务？（可输入拼音）").fill("xingfuli")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator(".result").first).to_contain_text("幸福里养老服务中心")
    page.get_by_label("区（县、市）").select_option("510107")
    page.get_by_role("button", name="搜索").click()  # htmx swaps the results only
    expect(page).to_have_url(re.compile(r"division=510107"))
    expect(page.locator(".result").first).to_contain_text("武侯区")
    shot("30-search-results")
    page.locator(".result h2 a").first.click()
    expect(page.get_by_role("heading", level=2, name="近期可预约时段")).to_be_visible()
