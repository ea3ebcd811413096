"""Matching journey: 王芳 posts a need for lunch at a canteen near home on a weekday, the match
run completes, she reads the proposal with its reasons and accepts it; the booking appears in
her bookings and on 幸福里's desk, and among 幸福里's leads with her name masked."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, log_out

pytestmark = pytest.mark.e2e

PROVIDER = "幸福里养老服务中心"
MEALS = "社区长者食堂午餐"


def _free_weekday_for(resident) -> dt.date:
    """A coming weekday whose 11:00 lunch slot at 幸福里 has room and where 王芳 has no booking
    (the demo gives her some)."""
    from django.utils import timezone

    from services.models import Booking, Listing

    listing = Listing.objects.get(provider__name=PROVIDER, category_id="elder_meals")
    busy = {
        timezone.localtime(at).date()
        for at in Booking.objects.filter(resident=resident, status__in=Booking.ACTIVE).values_list(
            "starts_at", flat=True
        )
    }
    for slot in listing.slots.filter(
        starts_at__gt=timezone.now() + dt.timedelta(hours=2), remaining__gt=0
    ).order_by("starts_at"):
        local = timezone.localtime(slot.starts_at)
        if local.hour == 11 and local.weekday() < 5 and local.date() not in busy:
            return local.date()
    raise AssertionError("no free weekday lunch slot in the demo data")


def test_a_resident_posts_a_need_accepts_the_proposal_and_the_provider_sees_the_booking(
    page, live_server, demo_city, shot, csp_violations
):
    from matching.models import Candidate, Need
    from portal.accounts.models import User
    from services.models import Booking

    wang = User.objects.get(phone="+8613800000001")
    day = _free_weekday_for(wang)
    home = wang.addresses.get(label="家")

    # 王芳 opens her services and posts a need.
    log_in(page, live_server.url, "13800000001", demo_city)
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")
    page.goto(live_server.url + "/me/bookings/")
    page.get_by_role("link", name="服务需求").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("服务需求")
    page.get_by_role("link", name="发布需求").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("发布服务需求")
    page.get_by_label("服务领域").select_option("eldercare")
    page.get_by_label("服务类别").select_option("elder_meals")
    page.get_by_label("到机构服务").check()
    page.get_by_label("常用地址").select_option(str(home.pk))
    page.get_by_label("到机构的最远距离（公里）").fill("5")
    page.locator("#id_window-0-date").fill(day.isoformat())
    page.locator("#id_window-0-start").fill("11:00")
    page.locator("#id_window-0-end").fill("12:00")
    page.get_by_label("预算下限（元）").fill("10")
    page.get_by_label("预算上限（元）").fill("30")
    shot("70-matching-need-form")
    page.get_by_role("button", name="发布需求").click()

    # The run completed before the page came back (eager here): the proposal and its reasons.
    expect(page).to_have_url(re.compile(r"/me/needs/\d+/$"))
    need = Need.objects.get(pk=re.search(r"/me/needs/(\d+)/$", page.url).group(1), resident=wang)
    expect(page.get_by_role("heading", level=2, name="为您推荐")).to_be_visible()
    proposed = page.locator("section[aria-labelledby='proposed-heading'] .candidate")
    expect(proposed).to_contain_text(PROVIDER)
    expect(proposed).to_contain_text(MEALS)
    expect(proposed.locator(".reasons li").first).to_be_visible()
    shot("71-matching-proposal")
    first = Candidate.objects.get(need=need, rank=0)
    assert first.provider.name == PROVIDER
    assert first.reasons

    proposed.get_by_role("button", name="接受并预约").click()
    booking = Booking.objects.get(resident=wang, idempotency_key=f"match:{first.pk}")
    expect(page.locator(".messages")).to_contain_text(booking.reference)
    expect(page.get_by_role("heading", level=1)).to_contain_text("已预约")
    shot("72-matching-booked")
    assert timezone_date(booking.starts_at) == day

    # The booking is among her bookings.
    page.get_by_role("link", name="查看预约").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("待确认")
    page.goto(live_server.url + "/me/bookings/")
    expect(page.locator("table")).to_contain_text(MEALS)

    # 张伟 sees it on 幸福里's desk and among the leads, her name masked.
    log_out(page)
    log_in(page, live_server.url, "13900000001", demo_city)
    page.get_by_role("link", name="我的机构").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PROVIDER)
    page.get_by_role("link", name="预约工作台").click()
    page.get_by_role("link", name="即将开始").click()
    expect(page.locator(f"#booking-{booking.pk}")).to_contain_text(booking.reference)
    page.go_back()
    page.go_back()
    page.get_by_role("link", name="匹配线索").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("匹配线索")
    row = page.locator(f"#lead-{first.pk}")
    expect(row).to_contain_text(booking.reference)
    expect(row.locator(".person")).to_contain_text("王*")
    shot("73-matching-leads")
    assert csp_violations == []


def timezone_date(value: dt.datetime) -> dt.date:
    from django.utils import timezone

    return timezone.localtime(value).date()
