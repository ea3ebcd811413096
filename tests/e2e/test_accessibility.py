"""Accessibility: axe-core (vendored under static/vendor/axe-core/, injected by these tests only,
never referenced by a page) checks the main pages of every role, in normal and in elder mode, a
form showing its errors and widgets after an htmx swap, and one page in English.

Any violation axe rates "serious" or "critical" fails the test, and so does a serious or critical
result axe could not decide ("incomplete": aria-describedby naming an id that is not on the page,
text whose background is hidden by overflowing content): each one needs a person to look at it.
In elder mode a page must not scroll sideways. The message lists rule, impact, element and help.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, log_in

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations", "incomplete"],
}
BLOCKING = {"serious", "critical"}
SCREENSHOT = {"home", "search results", "dataset", "booking form", "booking desk"}

RESIDENT = "13800000001"  # 王芳
DAUGHTER = "13800000002"  # 李娜, not a volunteer yet
PROVIDER_OWNER = "13900000001"  # 张伟, 幸福里养老服务中心
OFFICIAL = "13700000001"  # 赵敏, 武侯区 民政
CITY_OFFICIAL = "13700000003"  # 周强, 成都市 民政: stewards the open data


def _submit_without_browser_checks(page) -> None:
    """Send the form empty, past the browser's own `required` checks, to get the server's errors."""
    page.eval_on_selector("main form", "form => { form.noValidate = true; }")
    page.locator("main form").get_by_role("button", name="注册").click()
    expect(page.locator("main .error").first).to_be_visible()


def _search_with_htmx(page) -> None:
    """Results swapped in by htmx land inside the live region that was there before the swap:
    a screen reader announces changes to a live region, not a freshly inserted one."""
    page.locator("main [aria-live]").evaluate("region => { region.dataset.beforeSwap = '1'; }")
    page.get_by_label("想找什么服务？（可输入拼音）").fill("zhucan")
    page.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"q=zhucan"))
    expect(page.locator("main [aria-live][data-before-swap] .result").first).to_be_visible()


def _confirm_on_the_desk(page) -> None:
    """The row the desk swaps in after an action, as htmx leaves it."""
    row = page.locator("tr", has=page.locator("button[data-action='confirm']")).first
    row_id = row.get_attribute("id")
    row.locator("button[data-action='confirm']").click()
    expect(page.locator(f"#{row_id} .status")).to_have_text("已确认")


@dataclass(frozen=True)
class Screen:
    name: str
    path: str
    status: int = 200
    then: Callable | None = None  # brings the page to the state to check


def _demo_paths() -> dict[str, str]:
    """Ids of the demo objects the pages show, read after seeding."""
    from django.utils import timezone

    from openData.models import Dataset, Run
    from openData.services import releases
    from portal.accounts.models import User
    from providers.models import Provider
    from services.models import Booking, Listing
    from services.services.listings import listings_reindex
    from volunteers.models import Volunteer

    listings_reindex()  # search results come from the tsvector column
    run = releases.run_execute(
        Run.objects.create(dataset=Dataset.objects.get(slug="listings-prices"), trigger="manual").pk
    )
    assert run.status == Run.Status.PUBLISHED, run.gate_report
    provider = Provider.objects.get(name="幸福里养老服务中心")
    listing = Listing.objects.get(provider=provider, category_id="elder_meals")
    slot = (
        listing.slots.filter(starts_at__gt=timezone.now(), remaining__gt=0)
        .order_by("starts_at")
        .first()
    )
    booking = Booking.objects.filter(resident=User.objects.get(phone=f"+86{RESIDENT}")).first()
    volunteer = Volunteer.objects.filter(user__phone=f"+86{RESIDENT}").first()  # 王芳
    assert slot is not None
    assert booking is not None
    assert volunteer is not None
    from socialorgs.models import SocialWorkProject
    from volunteers.models import Activity, Organisation, TimeBankService

    return {
        "provider": str(provider.pk),
        "listing": str(listing.pk),
        "slot": str(slot.pk),
        "booking": str(booking.pk),
        "volunteer": volunteer.number,
        # The demo's volunteering: an activity with open places, one 王芳 applied for.
        "vol_org": str(Organisation.objects.get(name="幸福里志愿服务队").pk),
        "vol_open": str(Activity.objects.get(title="周末陪伴独居老人").pk),
        "vol_applied": str(Activity.objects.get(title="助浴助洁上门服务").pk),
        # A service of the time bank the demo lists.
        "tb_service": str(TimeBankService.objects.get(title="居家助洁（2 小时）").pk),
        # The demo's social-work project near 浆洗街 (socialorgs/demo.py).
        "sw_project": str(SocialWorkProject.objects.get(title="浆洗街长者关爱社工服务").pk),
    }


SCREENS: dict[str | None, list[Screen]] = {
    None: [
        Screen("home", "/"),
        Screen("search results", "/search/?q=助餐"),
        Screen("search results swapped by htmx", "/search/", then=_search_with_htmx),
        Screen("listing detail", "/services/{listing}/"),
        Screen("login", "/accounts/login/"),
        Screen("signup", "/accounts/signup/"),
        Screen("signup with errors", "/accounts/signup/", then=_submit_without_browser_checks),
        Screen("open-data catalogue", "/open/"),
        Screen("volunteer search", "/volunteers/?domain=elderly"),
        Screen("volunteer activity", "/volunteers/activities/{vol_open}/"),
        Screen("dataset", "/open/datasets/listings-prices/"),
        Screen("privacy notice", "/privacy/"),
        Screen("accessibility statement", "/accessibility/"),
        Screen("volunteer ranking", "/volunteers/ranking/?district=510107"),
        Screen("volunteer profile", "/volunteers/v/{volunteer}/"),
        Screen("certificate check", "/volunteers/verify/?code=ABCD-EFGH-JKMN", status=404),
        Screen("not found", "/no-such-page/", status=404),
        Screen("social organisation credit lists", "/socialorgs/lists/"),
        Screen("illegal social organisations", "/socialorgs/illegal/"),
        Screen("charity projects", "/socialorgs/charity/"),
        Screen("social organisation search", "/socialorgs/?q=shgz"),
        Screen("social work map", "/socialorgs/socialwork/?division=510107&distance=10"),
        Screen("purchase catalogue", "/socialorgs/socialwork/catalogue/"),
        Screen("social work project", "/socialorgs/socialwork/projects/{sw_project}/"),
    ],
    RESIDENT: [
        Screen("booking form", "/services/{listing}/book/{slot}/"),
        Screen("my bookings", "/me/bookings/"),
        Screen("my booking", "/me/bookings/{booking}/"),
        Screen("my account", "/accounts/me/"),
        Screen("my data", "/accounts/me/data/"),
        Screen("volunteer sign-up", "/volunteers/activities/{vol_open}/"),
        Screen("my volunteering", "/volunteers/me/"),
        Screen("volunteer check-in", "/volunteers/checkin/?activity={vol_open}&code=123456"),
        Screen("my certificates", "/volunteers/me/certificates/"),
        Screen("time bank", "/volunteers/timebank/"),
        Screen("time-bank services", "/volunteers/timebank/services/?skill=cleaning"),
        Screen("time-bank redeem form", "/volunteers/timebank/services/{tb_service}/redeem/"),
        Screen("report an illegal social organisation", "/socialorgs/report-illegal/"),
        Screen("social work request form", "/socialorgs/socialwork/requests/new/"),
        Screen("my social work requests", "/socialorgs/socialwork/requests/"),
    ],
    DAUGHTER: [
        Screen("volunteer registration", "/volunteers/register/"),
    ],
    PROVIDER_OWNER: [
        Screen("provider workbench", "/provider/"),
        Screen("organisation", "/provider/organisations/{provider}/"),
        Screen("booking desk", "/provider/organisations/{provider}/bookings/?view=requested"),
        Screen(
            "booking desk after an htmx action",
            "/provider/organisations/{provider}/bookings/?view=requested",
            then=_confirm_on_the_desk,
        ),
        Screen("volunteer organisation", "/volunteers/organisations/{vol_org}/"),
        Screen("volunteer sign-ups", "/volunteers/activities/{vol_applied}/manage/"),
        Screen("check-in code", "/volunteers/activities/{vol_open}/code/"),
        Screen("hour disputes", "/volunteers/organisations/{vol_org}/disputes/"),
        Screen("time-bank redemptions", "/volunteers/organisations/{vol_org}/redemptions/"),
        Screen(
            "time-bank services of a team", "/volunteers/organisations/{vol_org}/timebank-services/"
        ),
        Screen("charity desk", "/socialorgs/mine/charity/"),
        Screen("my social organisations", "/socialorgs/mine/"),
    ],
    OFFICIAL: [
        Screen("official workbench", "/official/"),
        Screen("registration review", "/official/review/"),
        Screen("review moderation", "/official/reviews/"),
        Screen("complaint board", "/official/complaints/"),
        Screen("volunteer service dashboard", "/volunteers/official/"),
        Screen("volunteer organisation review", "/volunteers/official/organisations/"),
        Screen("social organisation credit", "/socialorgs/official/credit/"),
        Screen("illegal social organisation exposure", "/socialorgs/official/credit/illegal/"),
        Screen("charity supervision", "/socialorgs/official/charity/"),
        Screen("social organisation registry", "/socialorgs/official/"),
        Screen("social organisation registration form", "/socialorgs/official/register/"),
        Screen("annual report review queue", "/socialorgs/official/reports/"),
        Screen("purchase catalogue desk", "/socialorgs/socialwork/official/catalogue/"),
        # The demo's one social-work review names 诈骗 (a listed word): it waits here.
        Screen("social work review moderation", "/socialorgs/official/socialwork/reviews/"),
    ],
    CITY_OFFICIAL: [
        Screen("open-data console", "/official/open-data/"),
    ],
}


def _axe(page) -> list[dict]:
    """Run axe on the current page and return the serious and critical findings."""
    # Evaluated through the DevTools protocol rather than add_script_tag: the portal's CSP
    # (script-src 'self') rightly blocks an injected inline <script>.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    undecided = [{**v, "id": f"{v['id']} (needs review)"} for v in result["incomplete"]]
    return [v for v in result["violations"] + undecided if v["impact"] in BLOCKING]


def _describe(screen: str, violations: list[dict]) -> list[str]:
    lines = []
    for v in violations:
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"[{screen}] {v['id']} ({v['impact']}) at {target}: {v['help']}")
    return lines


def _reflow(screen: str, page) -> list[str]:
    """Elder mode's large type must wrap, not push the page sideways (WCAG 1.4.10)."""
    width, window = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if width <= window:
        return []
    return [f"[{screen}] page scrolls sideways: {width}px of content in a {window}px window"]


def _turn_on_elder_mode(page) -> None:
    page.get_by_role("button", name="长者模式").click()
    expect(page.locator("body")).to_have_class("elder")


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_the_main_pages_have_no_serious_accessibility_violations(
    browser, live_server, demo_city, elder
):
    ids = _demo_paths()
    base = live_server.url
    found: list[str] = []
    for who, screens in SCREENS.items():
        context = browser.new_context()
        page = context.new_page()
        try:
            if who is not None:
                log_in(page, base, who, demo_city)
                expect(page.get_by_role("button", name="退出登录")).to_be_visible()
            else:
                page.goto(base + "/")
            if elder:
                _turn_on_elder_mode(page)
            for screen in screens:
                response = page.goto(base + screen.path.format(**ids))
                assert response.status == screen.status, f"{screen.name}: {response.status}"
                if elder:
                    expect(page.locator("body")).to_have_class("elder")
                if screen.name == "search results":
                    expect(page.locator(".result").first).to_be_visible()
                if screen.then is not None:
                    screen.then(page)
                found += _describe(screen.name, _axe(page))
                if elder:
                    found += _reflow(screen.name, page)
                if elder and screen.name in SCREENSHOT:
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    name = screen.name.replace(" ", "-")
                    page.screenshot(
                        path=str(SCREENSHOTS / f"a11y-elder-{name}.png"), full_page=True
                    )
        finally:
            context.close()
    assert not found, "serious or critical accessibility problems:\n" + "\n".join(found)


def test_a_page_in_english_has_no_serious_accessibility_violations(
    browser, live_server, transactional_db
):
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(live_server.url + "/accounts/signup/")
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
        found = _describe("signup (English)", _axe(page))
    finally:
        context.close()
    assert not found, "serious or critical accessibility problems:\n" + "\n".join(found)
