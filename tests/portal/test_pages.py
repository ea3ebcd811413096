import re
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_home_page_is_simplified_chinese_by_default(client):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "找养老、托育、家政、医疗健康服务" in html
    assert reverse("privacy") in html
    assert reverse("accessibility") in html


def test_english_is_one_switch_away(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Find eldercare, childcare, domestic and health services" in html
    assert "Privacy notice" in html
    assert "Chengdu Internet + Social Services" in html


def test_elder_mode_is_remembered_in_a_cookie_for_visitors(client):
    assert 'class="elder"' not in client.get("/").content.decode()

    response = client.post(reverse("elder-mode"), {"enabled": "1", "next": "/privacy/"})

    assert response.status_code == 302
    assert response.url == "/privacy/"
    assert response.cookies["elder_mode"].value == "1"
    assert '<body class="elder"' in client.get("/privacy/").content.decode()
    client.post(reverse("elder-mode"), {"enabled": "0"})
    assert '<body class="elder"' not in client.get("/").content.decode()


def test_elder_mode_is_remembered_on_the_account(client, wang_fang):
    client.force_login(wang_fang)
    client.post(reverse("elder-mode"), {"enabled": "1"})

    wang_fang.refresh_from_db()
    assert wang_fang.elder_mode
    client.cookies.clear()  # another device: the account carries it
    client.force_login(wang_fang)
    assert '<body class="elder"' in client.get(reverse("accounts:me")).content.decode()


def test_elder_mode_will_not_redirect_off_site(client):
    response = client.post(reverse("elder-mode"), {"enabled": "1", "next": "https://evil.example/"})
    assert response.url == "/"


def test_the_elder_stylesheet_meets_the_size_targets():
    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/portal.css")).read_text(encoding="utf-8")
    elder_font = re.search(r"body\.elder\s*\{[^}]*font-size:\s*(\d+)px", css)
    assert elder_font
    assert int(elder_font.group(1)) >= 20
    targets = re.findall(r"body\.elder a,[^{]*\{[^}]*min-height:\s*(\d+)px", css)
    assert targets
    assert int(targets[0]) >= 44


PAGES = [
    "/",
    "/privacy/",
    "/accessibility/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_security_headers_and_carry_no_inline_script_or_external_asset(client, path):
    response = client.get(path)

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> found"
    assert not re.search(r"<style\b", html), "inline <style> found"
    assert not re.search(r"""(src|href)=["']https?://""", html), "external asset found"


@pytest.mark.parametrize(
    "path", ["/accounts/me/", "/accounts/me/data/", "/official/", "/provider/"]
)
def test_signed_in_pages_honour_elder_mode(client, path, wang_fang, official_wuhou, staff_a):
    user = {"/official/": official_wuhou, "/provider/": staff_a}.get(path, wang_fang)
    user.elder_mode = True
    user.save()
    client.force_login(user)
    assert '<body class="elder"' in client.get(path).content.decode()


def test_the_official_workbench_lists_app_entries_and_jurisdiction(client, official_wuhou):
    client.force_login(official_wuhou)
    html = client.get(reverse("workbench-official")).content.decode()
    assert "武侯区" in html
    assert reverse("providers:official-list") in html


def test_a_browser_asking_for_english_still_gets_chinese_until_it_switches(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-Hans">' in html


def test_api_clients_may_negotiate_english(api_client):
    response = api_client.get("/api/v1/accounts/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "Authentication credentials were not provided."


def test_elder_mode_chosen_before_login_carries_into_the_account(client, wang_fang, password):
    client.post(reverse("elder-mode"), {"enabled": "1"})
    client.post(reverse("accounts:login"), {"username": wang_fang.phone, "password": password})

    wang_fang.refresh_from_db()
    assert wang_fang.elder_mode
