"""Quality and supervision (issue 6): a resident reviews a lunch she had at her community canteen
and complains about it; the district official handles the complaint to the end, inspects the
provider against the GB/T 37276 checklist and grades it; the public listing then shows the
residents' score and the official grade side by side."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, log_out

pytestmark = pytest.mark.e2e

PROVIDER = "幸福里养老服务中心"
MEALS = "社区长者食堂午餐"
REVIEW_TEXT = "午餐荤素搭配合理，饭菜温热，工作人员耐心。"
COMPLAINT_TEXT = "2 天前的午餐比预约时间晚了 40 分钟才开饭，老人等候时间过长。"
DESIRED_OUTCOME = "希望食堂按时开饭并说明原因。"
OUTCOME = "经现场核实，当日开餐延误属实，已责令机构改进排班并向投诉人说明情况。"
# Every item of the eldercare checklist at its maximum except S1 (120 → 20) and S2 (150 → 100):
# 850 of 1000 points, 85 % → 四级 (ratings.checklists: 四级 from 80 %, 五级 from 90 %).
LOWERED = {"S1": Decimal(20), "S2": Decimal(100)}
GRADE = "四级"


def _stars(n: int) -> str:
    """The accessible name of a star-rating radio button (ratings.forms_reviews.STARS)."""
    return f"{'★' * n}{'☆' * (5 - n)} {n}"


def _rate(page, label: str, n: int) -> None:
    # Each rating is a group named by its legend (templates/partials/form_fields.html).
    group = page.get_by_role("group", name=label, exact=True)
    group.get_by_role("radio", name=_stars(n), exact=True).check()


def test_a_review_and_an_upheld_complaint_and_an_inspection_show_on_the_listing(
    page, live_server, demo_city, shot, csp_violations
):
    from providers.models import Provider
    from ratings.checklists import checklist_for_domain
    from ratings.models import Complaint, CreditEvent, Review
    from services.models import Booking, Listing

    listing = Listing.objects.get(provider__name=PROVIDER, category_id="elder_meals")
    assert listing.title == MEALS
    unreviewed = Booking.objects.get(idempotency_key="demo-unreviewed-lunch")
    assert unreviewed.status == Booking.Status.COMPLETED
    assert not Review.objects.filter(booking=unreviewed).exists()
    reviews_before = Review.objects.filter(listing=listing, status="published").count()
    base = live_server.url

    # --- 王芳 reviews her second lunch. ---------------------------------------------------------
    log_in(page, base, "13800000001", demo_city)
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")
    page.goto(base + "/me/bookings/")
    page.get_by_role("link", name="历史预约").click()
    expect(page).to_have_url(re.compile(r"when=past"))
    page.locator(f"a[href$='/me/bookings/{unreviewed.pk}/']").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(MEALS)
    expect(page.get_by_role("heading", level=1)).to_contain_text("已完成")
    expect(page.locator(".facts")).to_contain_text(unreviewed.reference)
    page.get_by_role("link", name="评价这次服务").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("评价这次服务")
    expect(page.locator(".lead")).to_contain_text(PROVIDER)
    _rate(page, "总体评价", 5)
    for label, n in [
        ("服务态度", 5),
        ("专业能力", 4),
        ("准时守约", 3),
        ("环境卫生", 5),
        ("性价比", 5),
    ]:
        _rate(page, label, n)
    page.get_by_label("评价内容").fill(REVIEW_TEXT)
    shot("60-quality-review-form")
    page.get_by_role("button", name="提交评价").click()

    # Back on the booking, published at once: no more review button.
    expect(page).to_have_url(re.compile(rf"/me/bookings/{unreviewed.pk}/$"))
    expect(page.get_by_text("感谢您的评价！")).to_be_visible()
    expect(page.get_by_role("link", name="评价这次服务")).to_have_count(0)
    review = Review.objects.get(booking=unreviewed)
    assert review.status == Review.Status.PUBLISHED
    assert review.overall == 5
    assert review.dimensions == {
        "attitude": 5,
        "skill": 4,
        "punctuality": 3,
        "hygiene": 5,
        "value": 5,
    }

    # The listing counts her review; its reviews page shows it, her name masked.
    page.goto(f"{base}/services/{listing.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(MEALS)
    resident_score = page.locator("dd.resident-score")
    expect(resident_score).to_contain_text(f"{reviews_before + 1} 条评价")
    expect(resident_score).to_contain_text(re.compile(r"\d\.\d / 5"))
    resident_score.get_by_role("link", name="查看评价").click()
    expect(page).to_have_url(re.compile(rf"/services/{listing.pk}/reviews/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("居民评价")
    mine = page.locator(f"#review-{review.pk}")
    expect(mine).to_contain_text(REVIEW_TEXT)
    expect(mine).to_contain_text("准时守约 3")
    expect(mine).not_to_contain_text("王芳")
    shot("61-quality-listing-reviews")

    # --- 王芳 complains about the same lunch. --------------------------------------------------
    page.goto(f"{base}/me/bookings/{unreviewed.pk}/")
    page.get_by_role("link", name="投诉", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我要投诉")
    expect(page.get_by_label("相关预约")).to_have_value(str(unreviewed.pk))
    page.get_by_label("投诉类别").select_option(label="爽约或迟到")
    page.get_by_label("投诉内容").fill(COMPLAINT_TEXT)
    page.get_by_label("您的诉求").fill(DESIRED_OUTCOME)
    shot("62-quality-complaint-form")
    page.get_by_role("button", name="提交投诉").click()

    expect(page).to_have_url(re.compile(r"/me/complaints/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("已收到")
    complaint = Complaint.objects.get(booking=unreviewed)
    expect(page.get_by_text(f"投诉已提交，编号 {complaint.reference}")).to_be_visible()
    page.get_by_role("link", name="← 我的投诉").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的投诉")
    row = page.get_by_role("row").filter(has_text=complaint.reference)
    expect(row).to_contain_text(PROVIDER)
    expect(row).to_contain_text("爽约或迟到")
    expect(row).to_contain_text("已收到")
    shot("63-quality-my-complaints")
    log_out(page)

    # --- 赵敏 handles the complaint from the board. -------------------------------------------
    log_in(page, base, "13700000001", demo_city)
    expect(page.get_by_role("heading", level=1)).to_have_text("监管工作台")
    page.get_by_role("link", name="投诉处理").click()
    expect(page).to_have_url(re.compile(r"/official/complaints/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("投诉处理")
    received = page.locator("section").filter(
        has=page.get_by_role("heading", level=2, name=re.compile("^已收到"))
    )
    expect(received.get_by_role("link", name=complaint.reference)).to_be_visible()
    shot("64-quality-complaint-board")
    received.get_by_role("link", name=complaint.reference).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("投诉办理")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已收到")
    expect(page.locator(".facts")).to_contain_text(PROVIDER)
    expect(page.locator(".facts")).to_contain_text(unreviewed.reference)
    expect(page.locator(".prose").first).to_contain_text(COMPLAINT_TEXT)
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.get_by_text(f"已受理：{complaint.reference}。")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("已受理")
    page.get_by_role("button", name="开始调查").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("调查中")
    # Two forms ask for an outcome: 办结 (with upheld or not) and 认定投诉不成立.
    resolve = page.locator("form.decision").filter(
        has=page.get_by_role("button", name="办结", exact=True)
    )
    resolve.get_by_label("办结：办理结果（投诉人和机构可见）").fill(OUTCOME)
    resolve.get_by_role("radio", name="成立", exact=True).check()
    shot("65-quality-complaint-resolving")
    resolve.get_by_role("button", name="办结", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("已办结")
    expect(page.get_by_text("投诉成立", exact=True)).to_be_visible()
    expect(page.get_by_text(OUTCOME, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="办理", exact=True)).to_have_count(0)  # closed
    shot("66-quality-complaint-resolved")

    # --- 赵敏 plans and records an inspection of 幸福里. ---------------------------------------
    page.get_by_role("link", name="监管工作台").click()
    page.get_by_role("link", name="辖区服务机构").click()
    page.get_by_role("link", name=PROVIDER).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PROVIDER)
    page.get_by_role("link", name="安排检查").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("安排检查")
    provider = Provider.objects.get(name=PROVIDER)
    expect(page.get_by_label("被检查机构")).to_have_value(str(provider.pk))
    page.get_by_label("检查领域").select_option("eldercare")
    page.get_by_label("检查类型").select_option(label="日常检查")
    from django.utils import timezone

    page.get_by_label("计划检查日期").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="确定").click()

    expect(page.get_by_text("已安排检查。")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{PROVIDER} · 日常检查")
    page.get_by_role("link", name="记录检查结果").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("记录检查结果")
    checklist = checklist_for_domain("eldercare")
    assert checklist.code == "eldercare-gbt37276"
    expect(page.locator(".facts")).to_contain_text("满分 1000 分")
    total = Decimal(0)
    for item in checklist.items:
        score = LOWERED.get(item.code, item.max_score)
        total += score
        page.get_by_label(f"{item.code} {item.text}").fill(str(score))
    assert total == Decimal(850)
    page.get_by_label("发现的问题").fill("入院评估记录不全；部分老人照护计划未按季度更新。")
    shot("67-quality-inspection-record")
    page.get_by_role("button", name="提交检查结果").click()

    expect(page.get_by_text("检查结果已记录。")).to_be_visible()
    facts = page.locator(".facts")
    expect(facts).to_contain_text("850")
    expect(facts).to_contain_text("85.0%")
    expect(facts).to_contain_text("合格")
    expect(facts).to_contain_text(f"{GRADE}（有效期至")
    shot("68-quality-inspection-graded")
    log_out(page)

    # --- Anyone: the listing shows both signals, side by side. ------------------------------
    page.goto(f"{base}/services/{listing.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(MEALS)
    official_grade = page.locator("dd.official-grade")
    resident_score = page.locator("dd.resident-score")
    expect(official_grade).to_contain_text(GRADE)
    expect(official_grade).not_to_contain_text("条评价")
    expect(resident_score).to_contain_text(f"{reviews_before + 1} 条评价")
    expect(resident_score).not_to_contain_text(GRADE)
    # Each has its own term in the same list.
    expect(page.locator("dl.facts dt", has_text="居民评价")).to_have_count(1)
    expect(page.locator("dl.facts dt", has_text="官方评定等级")).to_have_count(1)
    shot("69-quality-listing-score-and-grade")

    # --- What was recorded. ------------------------------------------------------------------
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.RESOLVED
    assert complaint.upheld is True
    assert complaint.outcome == OUTCOME
    assert CreditEvent.objects.filter(
        provider=provider,
        kind=CreditEvent.Kind.COMPLAINT_UPHELD,
        source=f"complaint:{complaint.pk}",
    ).exists()
    provider.refresh_from_db()
    assert provider.official_grade == GRADE
    assert provider.official_grade_until is not None
    listing.refresh_from_db()
    assert listing.review_count == reviews_before + 1
    assert csp_violations == []
