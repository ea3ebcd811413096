"""Booking journeys: a resident finds lunch at her community canteen near home, books it and pays
into escrow; the provider confirms, starts and completes it on the desk, and the money is
released. An elder-mode resident books for her father and reads the portal in English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, log_out

pytestmark = pytest.mark.e2e

PROVIDER = "幸福里养老服务中心"
MEALS = "社区长者食堂午餐"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _meals_listing():
    from services.models import Listing

    return Listing.objects.get(provider__name=PROVIDER, category_id="elder_meals")


def _free_slot_for(listing, resident, dependant=None):
    """The first upcoming slot the person has no booking at (王芳 already has a demo booking)."""
    from django.utils import timezone

    from services.models import Booking

    busy = Booking.objects.filter(
        resident=resident, dependant=dependant, status__in=Booking.ACTIVE
    ).values_list("starts_at", flat=True)
    return (
        listing.slots.filter(starts_at__gt=timezone.now(), remaining__gt=0)
        .exclude(starts_at__in=list(busy))
        .order_by("starts_at")
        .first()
    )


def test_a_resident_books_and_pays_and_the_provider_delivers_the_service(
    page, live_server, demo_city, shot, csp_violations
):
    from portal.accounts.models import User
    from services.models import Booking, Payment
    from services.services.ledger import ledger_reconcile
    from services.services.listings import listings_reindex

    listings_reindex()
    wang = User.objects.get(phone="+8613800000001")
    slot = _free_slot_for(_meals_listing(), wang)
    assert slot is not None

    # 王芳 searches for lunch near her saved home address.
    log_in(page, live_server.url, "13800000001", demo_city)
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")
    page.goto(live_server.url + "/search/")
    page.get_by_label("想找什么服务？（可输入拼音）").fill("助餐")
    page.get_by_label("离我的地址").select_option(label="家")
    page.get_by_label("范围").select_option("5")
    page.get_by_role("button", name="搜索").click()  # htmx swaps the results only
    expect(page).to_have_url(re.compile(r"radius_km=5"))
    result = page.locator(".result").filter(has_text=PROVIDER).filter(has_text=MEALS)
    expect(result.first).to_be_visible()
    expect(result.first).to_contain_text("公里")  # the distance from her address is shown
    shot("40-booking-search-results")

    # The listing page, one of its slots, the booking form.
    result.first.get_by_role("link", name=MEALS).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MEALS)
    expect(page.get_by_role("heading", level=2, name="近期可预约时段")).to_be_visible()
    page.locator(f"a[href$='/book/{slot.pk}/']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("预约服务")
    expect(page.locator(".facts")).to_contain_text(PROVIDER)
    page.get_by_label("服务对象").select_option(label="本人")
    shot("41-booking-form")
    page.get_by_role("button", name="提交预约").click()

    # The sandbox cashier, standing in for the bank.
    expect(page.get_by_role("heading", level=1)).to_have_text("模拟支付（沙箱）")
    expect(page.locator(".facts .amount")).to_have_text("¥15.00")
    shot("42-sandbox-cashier")
    page.get_by_role("button", name="确认支付").click()

    # Her booking: paid into escrow, awaiting the provider.
    expect(page).to_have_url(re.compile(rf"/me/bookings/{UUID}/$"))
    booking_id = re.search(UUID, page.url).group(0)
    expect(page.locator(".payments")).to_contain_text("已冻结（资金监管中）")
    expect(page.get_by_role("heading", level=1)).to_contain_text("待确认")
    shot("43-booking-held")
    booking = Booking.objects.get(pk=booking_id)
    assert booking.resident_id == wang.pk
    assert booking.slot_id == slot.pk
    assert booking.dependant_id is None

    # 张伟 opens 幸福里's desk and delivers the service.
    log_out(page)
    log_in(page, live_server.url, "13900000001", demo_city)
    expect(page.get_by_role("heading", level=1)).to_have_text("机构工作台")
    page.get_by_role("link", name="我的机构").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PROVIDER)
    page.get_by_role("link", name="预约工作台").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("预约工作台")
    page.get_by_role("link", name="即将开始").click()
    row = page.locator(f"#booking-{booking_id}")
    expect(row).to_contain_text(booking.reference)
    expect(row.locator(".status")).to_have_text("待确认")
    shot("44-desk-requested")
    for action, status in [("confirm", "已确认"), ("start", "服务中"), ("complete", "已完成")]:
        row.locator(f"button[data-action='{action}']").click()
        expect(row.locator(".status")).to_have_text(status)  # the row swapped by htmx
    expect(row.locator("button[data-action]")).to_have_count(0)
    expect(row.locator(".error")).to_have_count(0)
    shot("45-desk-completed")

    # 王芳 sees the money released to the provider.
    log_out(page)
    log_in(page, live_server.url, "13800000001", demo_city)
    page.goto(f"{live_server.url}/me/bookings/{booking_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已完成")
    expect(page.locator(".payments")).to_contain_text("已结算给机构")
    shot("46-booking-captured")

    payment = Payment.objects.get(booking_id=booking_id)
    assert payment.status == Payment.Status.CAPTURED
    assert payment.captured_fen == payment.amount_fen == 1500
    reconciliation = ledger_reconcile()
    assert reconciliation.ok, reconciliation.problems
    assert csp_violations == []


def test_an_elder_mode_resident_books_for_her_father_and_reads_it_in_english(
    page, live_server, demo_city, shot, csp_violations
):
    from portal.accounts.models import User
    from services.models import Booking, Dependant

    wang = User.objects.get(phone="+8613800000001")
    father = Dependant.objects.get(owner=wang, name="王建国")
    listing = _meals_listing()
    slot = _free_slot_for(listing, wang, father)
    assert slot is not None
    body = page.locator("body")

    page.goto(live_server.url + "/")
    page.get_by_role("button", name="长者模式").click()
    expect(body).to_have_class("elder")
    log_in(page, live_server.url, "13800000001", demo_city)
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")
    expect(body).to_have_class("elder")

    page.goto(f"{live_server.url}/services/{listing.pk}/")
    expect(body).to_have_class("elder")
    page.locator(f"a[href$='/book/{slot.pk}/']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("预约服务")
    expect(body).to_have_class("elder")
    page.get_by_label("服务对象").select_option(label="王*国（父母）")
    shot("50-elder-booking-form")
    page.get_by_role("button", name="提交预约").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("模拟支付（沙箱）")
    expect(body).to_have_class("elder")
    page.get_by_role("button", name="确认支付").click()
    expect(page).to_have_url(re.compile(rf"/me/bookings/{UUID}/$"))
    booking_id = re.search(UUID, page.url).group(0)
    expect(page.locator(".payments")).to_contain_text("已冻结（资金监管中）")
    expect(page.locator(".facts")).to_contain_text("王*国（父母）")
    expect(body).to_have_class("elder")
    shot("51-elder-booking-held")

    # The same page in English (the booking texts themselves may not be translated yet).
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(rf"/me/bookings/{booking_id}/$"))
    expect(page.get_by_role("navigation").get_by_role("link", name="Find services")).to_be_visible()
    expect(body).to_have_class("elder")
    shot("52-elder-booking-english")

    booking = Booking.objects.get(pk=booking_id)
    assert booking.resident_id == wang.pk
    assert booking.dependant_id == father.pk
    assert csp_violations == []
