"""Web security across the whole site: a strict CSP and no inline code on every page a role
can reach, CSRF on every form and session-authenticated API write, login throttling, uploads
checked by content, no user-controlled path reaching the filesystem, static analysis and the
dependency audit.

(Production security headers are checked in test_settings.py; the transport settings again
here through real responses, see test_production_responses_carry_the_secure_headers.)"""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from portal.uploads import UPLOAD_CSP
from tests.portal import crawl as crawler
from tests.portal.security_world import build

# --- The URL patterns of the site ---------------------------------------------------------


def _patterns(resolvers=None, prefix: str = ""):
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _methods(callback) -> set[str]:
    """The HTTP methods a view answers (function views: assume GET and POST)."""
    actions = getattr(callback, "actions", None)
    if actions:
        return set(actions)
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view is None:
        return {"get", "post"}
    return {m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}


def _is_page(route: str) -> bool:
    return not route.startswith(("api/", "admin/")) or route == "api/docs/"


PAGE_ROUTES = sorted(r for r, cb in _patterns() if _is_page(r) and "get" in _methods(cb))
# Served, but not pages anyone opens: the container health probe.
NOT_CRAWLED = {"healthz"}

# --- Which pages each role must reach (HTTP 200) -------------------------------------------
# Public pages every role reaches; then what only a signed-in role (or a visitor) reaches.
PUBLIC = {
    "",
    "privacy/",
    "accessibility/",
    "api/docs/",
    "accounts/signup/",
    "accounts/password/reset/",
    "accounts/password/reset/done/",
    "accounts/password/reset/complete/",
    "verify/",
    "providers/<uuid:pk>/",
    "providers/<uuid:pk>/logo/",
    "provider/register/",
    "search/",
    "services/<int:listing_id>/",
    "services/photos/<int:photo_id>/",
    "services/<int:listing_id>/reviews/",
    "reviews/photos/<int:photo_id>/",
    "credit/lists/",
    "open/",
    "open/list/",
    "open/agreement/",
    "open/datasets/<slug:slug>/",
    "volunteers/verify/",
    "volunteers/ranking/",
    "volunteers/v/<str:number>/",
    "volunteers/timebank/services/",
    "volunteers/",
    "volunteers/activities/<int:pk>/",
    "socialorgs/",
    "socialorgs/org/<creditcode:credit_code>/",
    "socialorgs/charity/",
    "socialorgs/charity/orgs/<str:credit_code>/",
    "socialorgs/charity/<str:filing_number>/",
    "socialorgs/lists/",
    "socialorgs/illegal/",
    "socialorgs/socialwork/",
    "socialorgs/socialwork/projects/<int:pk>/",
    "socialorgs/socialwork/catalogue/",
    "socialorgs/socialwork/org/<creditcode:credit_code>/",
}
SIGNED_IN = {
    "accounts/me/",
    "accounts/me/data/",
    "accounts/me/data/export.json",
    "accounts/password/change/",
    "accounts/password/change/done/",
    "notifications/",
    "open/applications/",
    "socialorgs/mine/charity/",
}
# Officials decide applications for data; they do not apply.
APPLY = "open/datasets/<slug:slug>/apply/"
REACHES = {
    "anonymous": PUBLIC | {"accounts/login/", "accounts/password/reset/<uidb64>/<token>/"},
    "resident": PUBLIC
    | SIGNED_IN
    | {
        APPLY,
        "accounts/me/delete/",
        "services/<int:listing_id>/book/<int:slot_id>/",
        "services/<int:listing_id>/plan/",
        "me/bookings/",
        "me/bookings/<uuid:pk>/",
        "me/bookings/<uuid:pk>/review/",
        "me/family/",
        "me/addresses/",
        "me/plans/",
        "me/payments/",
        "me/family-doctor/",
        "sandbox-pay/<str:reference>/",
        "me/complaints/",
        "me/complaints/new/",
        "me/complaints/<int:pk>/",
        "complaints/files/<int:pk>/",
        "me/needs/",
        "me/needs/new/",
        "me/needs/<int:pk>/",
        "me/needs/<int:pk>/progress/",
        "volunteers/me/certificates/",
        "volunteers/me/certificates/<int:pk>/pdf/",
        "volunteers/me/hours/<int:pk>/dispute/",
        "volunteers/timebank/",
        "volunteers/timebank/services/<int:pk>/redeem/",
        "volunteers/register/",
        "volunteers/me/",
        "volunteers/checkin/",
        "volunteers/organisations/new/",
        "volunteers/organisations/mine/",
        "socialorgs/charity/<str:filing_number>/donate/",
        "socialorgs/mine/",
        "socialorgs/org/<creditcode:credit_code>/complain/",
        "socialorgs/report-illegal/",
        "socialorgs/my/complaints/",
        "socialorgs/socialwork/requests/",
        "socialorgs/socialwork/requests/new/",
        "socialorgs/socialwork/requests/<int:pk>/",
        "socialorgs/socialwork/requests/<int:pk>/review/",
    },
    "provider": PUBLIC
    | SIGNED_IN
    | {
        APPLY,
        "provider/",
        "provider/organisations/<uuid:pk>/",
        "provider/organisations/<uuid:pk>/edit/",
        "provider/organisations/<uuid:pk>/branches/new/",
        "provider/organisations/<uuid:pk>/branches/<int:branch_id>/edit/",
        "provider/organisations/<uuid:pk>/licences/new/",
        "provider/organisations/<uuid:pk>/staff/",
        "provider/organisations/<uuid:pk>/staff/new/",
        "provider/organisations/<uuid:pk>/staff/<int:staff_id>/edit/",
        "provider/organisations/<uuid:pk>/staff/<int:staff_id>/certificates/new/",
        "licences/<int:licence_id>/scan/",
        "provider/organisations/<uuid:pk>/listings/",
        "provider/organisations/<uuid:pk>/listings/new/",
        "provider/listings/<int:listing_id>/edit/",
        "provider/listings/<int:listing_id>/schedule/",
        "provider/organisations/<uuid:pk>/bookings/",
        "provider/organisations/<uuid:pk>/bookings/calendar/",
        "provider/organisations/<uuid:pk>/bookings/export.csv",
        "provider/bookings/<uuid:pk>/",
        "provider/organisations/<uuid:pk>/reviews/",
        "provider/organisations/<uuid:pk>/inspections/",
        "inspections/photos/<int:photo_id>/",
        "provider/organisations/<uuid:pk>/complaints/",
        "provider/complaints/<int:pk>/",
        "provider/organisations/<uuid:pk>/credit/",
        "credit/appeals/<int:appeal_id>/evidence/",
        "provider/organisations/<uuid:pk>/quality/",
        "provider/organisations/<uuid:pk>/leads/",
        "open/applications/<int:pk>/",
        "volunteers/organisations/<int:pk>/disputes/",
        "volunteers/organisations/<int:pk>/redemptions/",
        "volunteers/organisations/<int:pk>/timebank-services/",
        "volunteers/timebank/redemptions/<int:pk>/",
        "volunteers/organisations/new/",
        "volunteers/organisations/mine/",
        "volunteers/organisations/<int:pk>/",
        "volunteers/activities/<int:pk>/manage/",
        "volunteers/activities/<int:pk>/code/",
        "volunteers/activities/<int:pk>/code.svg",
        "socialorgs/mine/",
        "socialorgs/mine/<creditcode:credit_code>/",
        "socialorgs/mine/<creditcode:credit_code>/reports/<int:year>/",
        "socialorgs/mine/charity/<int:pk>/projects/new/",
        "socialorgs/mine/charity/<int:pk>/disclosures/",
        "socialorgs/mine/charity/projects/<str:filing_number>/",
        "socialorgs/my/complaints/",
        "socialorgs/my/complaints/<int:pk>/",
        "socialorgs/socialwork/desk/<creditcode:credit_code>/",
        "socialorgs/socialwork/desk/<creditcode:credit_code>/workers/",
        "socialorgs/socialwork/desk/<creditcode:credit_code>/projects/new/",
        "socialorgs/socialwork/desk/workers/<int:pk>/",
        "socialorgs/socialwork/desk/projects/<int:pk>/",
        "socialorgs/socialwork/desk/requests/<int:pk>/",
    },
    "official": PUBLIC
    | SIGNED_IN
    | {
        "official/",
        "official/providers/",
        "official/review/",
        "official/providers/<uuid:pk>/",
        "licences/<int:licence_id>/scan/",
        "official/reviews/",
        "official/inspections/",
        "official/inspections/new/",
        "official/inspections/draw/",
        "official/inspections/<int:pk>/",
        "official/inspections/<int:pk>/record/",
        "inspections/photos/<int:photo_id>/",
        "official/complaints/",
        "official/complaints/<int:pk>/",
        "complaints/files/<int:pk>/",
        "official/credit/lists/",
        "official/credit/appeals/",
        "official/credit/<uuid:pk>/",
        "credit/appeals/<int:appeal_id>/evidence/",
        "official/quality/",
        "official/quality/<slug:table>.csv",
        "official/needs/",
        "official/needs/new/",
        "official/needs/<int:pk>/",
        "official/gaps/",
        "official/gaps.csv",
        "official/open-data/",
        "official/open-data/datasets/<slug:slug>/",
        "official/open-data/runs/<uuid:pk>/",
        "official/open-data/runs/<uuid:pk>/progress/",
        "official/open-data/applications/<int:pk>/",
        "volunteers/official/",
        "volunteers/official/hours.csv",
        "volunteers/official/roster.csv",
        "volunteers/official/organisations/",
        "volunteers/official/organisations/<int:pk>/",
        "socialorgs/official/",
        "socialorgs/official/register/",
        "socialorgs/official/org/<creditcode:credit_code>/",
        "socialorgs/official/org/<creditcode:credit_code>/edit/",
        "socialorgs/official/org/<creditcode:credit_code>/status/",
        "socialorgs/official/org/<creditcode:credit_code>/charity/",
        "socialorgs/official/org/<creditcode:credit_code>/owner/",
        "socialorgs/official/org/<creditcode:credit_code>/evaluate/",
        "socialorgs/official/reports/",
        "socialorgs/official/reports/<int:pk>/",
        "socialorgs/official/charity/",
        "socialorgs/official/charity/<str:filing_number>/",
        "socialorgs/official/credit/",
        "socialorgs/official/credit/org/<creditcode:credit_code>/",
        "socialorgs/official/credit/illegal/",
        "socialorgs/socialwork/official/catalogue/",
        "socialorgs/official/socialwork/reviews/",
    },
    "admin": PUBLIC
    | SIGNED_IN
    | {APPLY, "admin/", "admin/accounts/user/", "admin/providers/provider/"},
}
# GET views that are not pages of their own: a form's target whose GET only re-shows the form
# (reached by no link), and redirects to a role's home.
NOT_PAGES = {
    "reviews/<int:pk>/report/",
    "provider/organisations/<uuid:pk>/reviews/<int:review_id>/reply/",
    "official/reviews/<int:pk>/moderate/",
    "official/credit/<uuid:pk>/commend/",
    "official/credit/<uuid:pk>/lists/",
    "provider/organisations/",
    "provider/organisation/",
    "accounts/",
    # POST only: Django's language switch and logout.
    "i18n/setlang/",
    "accounts/logout/",
}


def test_the_role_tables_name_every_page_of_the_site():
    """A new page URL must be added to a role's table above, so the crawl checks it."""
    reached = set().union(*REACHES.values()) | NOT_PAGES | NOT_CRAWLED
    page_routes = {r for r in PAGE_ROUTES if not r.startswith("admin/")}
    assert page_routes - reached == set()
    assert {r for r in reached if not r.startswith("admin/")} - set(PAGE_ROUTES) == set()


# --- What a strict CSP forbids, and how the page audit finds it ---------------------------


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ("<script>alert(1)</script>", "inline <script> body"),
        ("<script type='module'>import x</script>", "inline <script> body"),
        ("<button onclick='go()'>x</button>", "event handler"),
        ("<body onload=go()>", "event handler"),
        ('<p style="color:red">x</p>', "inline style attribute"),
        ("<style>p{color:red}</style>", "<style> block"),
        ("<a href='javascript:go()'>x</a>", "script URL"),
        ("<a href=' JavaScript:go()'>x</a>", "script URL"),
        ("<form action='javascript:go()'></form>", "script URL"),
        ("<div hx-on:click='go()'></div>", "htmx inline handler"),
        ("<div hx-on::after-request='go()'></div>", "htmx inline handler"),
        ("<div data-hx-on-click='go()'></div>", "htmx inline handler"),
        ("<div hx-vals='js:{a: go()}'></div>", "htmx evaluated expression"),
        ("<script src='https://cdn.example.com/x.js'></script>", "external asset"),
        ("<iframe srcdoc='<b>x</b>'></iframe>", "inline document"),
    ],
)
def test_the_page_audit_finds_each_kind_of_inline_code(html, found):
    problems = crawler.audit_html(f"<html><body>{html}</body></html>").problems
    assert any(found in p for p in problems), problems


def test_the_page_audit_passes_external_scripts_data_blocks_and_tokened_forms():
    audit = crawler.audit_html(
        "<script src='/static/js/portal.js' defer></script>"
        "<script type='application/json' id='d'>{\"a\": 1}</script>"
        "<form method='post' action='/x/'>"
        "<input type='hidden' name='csrfmiddlewaretoken' value='abc'></form>"
        "<form method='POST'><input name='q'></form>"
    )
    assert audit.problems == []
    assert [f["csrf"] for f in audit.post_forms] == [True, False]
    assert "/x/" in audit.links


def csp_problems(policy: str | None) -> list[str]:
    if not policy:
        return ["no Content-Security-Policy header"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    problems = [
        word
        for word in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*")
        if any(word in values for values in directives.values())
    ]
    expected = {
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
    problems += [
        f"{name} {directives.get(name)}"
        for name, values in expected.items()
        if directives.get(name) != values
    ]
    return problems


def test_the_policy_check_refuses_what_a_weaker_policy_would_allow():
    good = (
        "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    assert csp_problems(good) == []
    assert csp_problems(good.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"))
    assert csp_problems(good.replace("script-src 'self'", "script-src 'self' 'unsafe-eval'"))
    assert csp_problems(good.replace("; object-src 'none'", ""))
    assert csp_problems(None)


# --- The crawl, one role at a time -----------------------------------------------------------


@pytest.fixture
def world(provider_a, wang_fang, staff_a, official_wuhou, official_city, platform_admin):
    return build(
        provider_a=provider_a,
        wang_fang=wang_fang,
        staff_a=staff_a,
        official_wuhou=official_wuhou,
        official_city=official_city,
        platform_admin=platform_admin,
    )


def _crawl_as(client, world, role):
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    seeds = ["/" + r for r in PAGE_ROUTES if "<" not in r and "(" not in r and r != "healthz"]
    seeds += [*world.seeds, "/no-such-page/"]

    def skip(route: str) -> bool:
        if route == "healthz" or (route.startswith("api/") and route != "api/docs/"):
            return True
        return route.startswith("admin/") and role != "admin"

    return crawler.crawl(client, seeds, skip=skip, per_route=2 if role == "admin" else 3)


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(REACHES))
def test_every_page_a_role_reaches_has_a_strict_csp_no_inline_code_and_tokened_forms(
    client, world, role
):
    visits = _crawl_as(client, world, role)

    reached = {v.route for v in visits if v.status == 200}
    assert REACHES[role] - reached == set(), "pages this role no longer reaches"
    errors = [f"{v.url} → {v.status}" for v in visits if v.status >= 500]
    assert errors == []
    pages = [v for v in visits if not v.file]
    bad_policy = {v.url: csp_problems(v.csp) for v in pages if csp_problems(v.csp)}
    assert bad_policy == {}
    # Uploaded files are served sandboxed: no script of theirs runs, nothing loads for them.
    files = {v.url: v.csp for v in visits if v.file and v.status == 200}
    assert files, "no uploaded file was served"
    assert {url: csp for url, csp in files.items() if csp != UPLOAD_CSP} == {}
    inline = {v.url: v.audit.problems for v in visits if v.audit and v.audit.problems}
    assert inline == {}
    untokened = {
        v.url: [f["action"] or "(this page)" for f in v.audit.post_forms if not f["csrf"]]
        for v in visits
        if v.audit and any(not f["csrf"] for f in v.audit.post_forms)
    }
    assert untokened == {}
    assert sum(len(v.audit.post_forms) for v in visits if v.audit) > 0


# --- CSRF -------------------------------------------------------------------------------------

# Writes that are meant to work without a CSRF token, and why.
CSRF_FREE_BY_DESIGN = {
    # No session is read: the phone and password are the credentials, the answer is a token in
    # the body (nothing a forged cross-site request could use).
    "api/v1/accounts/token/",
    # The payment gateway's server calls it; the body is signed (services.gateways).
    "api/v1/payments/callbacks/<str:gateway>/",
}


def _concrete(route: str) -> str:
    """A path for a route, with placeholder values (CSRF is checked before any lookup)."""
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route).replace("^", "").replace("$", "")
    path = re.sub(r"<uuid:\w+>", str(uuid.uuid4()), path)
    path = re.sub(r"<slug:\w+>", "complaint-cases", path)
    path = re.sub(r"<str:gateway>", "sandbox", path)
    path = re.sub(r"<creditcode:\w+>", "52510107MJ0000001X", path)  # 18 characters
    path = re.sub(r"<(int:|str:)?\w+>", "1", path)
    return "/" + path


API_WRITES = sorted(
    (route, method)
    for route, callback in _patterns()
    if route.startswith("api/")
    for method in _methods(callback) - {"get"}
)


def _csrf_client(user) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/")  # the page sets the CSRF cookie
    return client, client.cookies["csrftoken"].value


def _csrf_refused(response) -> bool:
    return response.status_code == 403 and "CSRF" in response.content.decode()


def test_the_api_has_writes_to_check():
    assert len(API_WRITES) > 40
    assert {r for r, _ in API_WRITES} >= CSRF_FREE_BY_DESIGN


@pytest.mark.django_db
def test_every_session_authenticated_api_write_needs_the_csrf_token(wang_fang):
    client, token = _csrf_client(wang_fang)
    unprotected, refused_with_token = [], []
    for route, method in API_WRITES:
        if route in CSRF_FREE_BY_DESIGN:
            continue
        path = _concrete(route)
        assert crawler.route_of(path) is not None, path
        send = getattr(client, method)
        if not _csrf_refused(send(path, data="{}", content_type="application/json")):
            unprotected.append(f"{method.upper()} {path}")
        with_token = send(path, data="{}", content_type="application/json", HTTP_X_CSRFTOKEN=token)
        if _csrf_refused(with_token):
            refused_with_token.append(f"{method.upper()} {path}")

    assert unprotected == []
    assert refused_with_token == []


@pytest.mark.django_db
def test_the_writes_free_of_csrf_by_design_read_no_session(wang_fang, password):
    client, _token = _csrf_client(wang_fang)
    # The session is ignored: the token endpoint wants credentials, the callback a signature.
    token = client.post("/api/v1/accounts/token/", data="{}", content_type="application/json")
    assert token.status_code == 400
    callback = client.post(
        "/api/v1/payments/callbacks/sandbox/", data="{}", content_type="application/json"
    )
    assert callback.status_code in {400, 403}
    assert not _csrf_refused(callback)


PAGE_POSTS = sorted(
    route
    for route, callback in _patterns()
    if not route.startswith(("api/", "admin/")) and "post" in _methods(callback)
)


def test_no_page_view_is_exempt_from_csrf():
    exempt = [
        route
        for route, callback in _patterns()
        if not route.startswith("api/") and getattr(callback, "csrf_exempt", False)
    ]
    assert exempt == []


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["wang_fang", "staff_a", "official_wuhou", None])
def test_every_page_form_target_refuses_a_post_without_the_token(request, who):
    client = Client(enforce_csrf_checks=True)
    if who:
        client.force_login(request.getfixturevalue(who))
    accepted = [
        route
        for route in PAGE_POSTS
        if client.post(_concrete(route), {"x": "1"}).status_code != 403
    ]
    assert accepted == []


# --- Secure headers with the production settings ------------------------------------------
# test_settings.py checks the settings' values; this checks what a browser actually receives.

PRODUCTION_PROBE = """
import json
from django.conf import settings
from django.test import Client

client = Client()
page = client.get("/accounts/login/", secure=True)
plain = client.get("/accounts/login/")
elder = client.post("/prefs/elder-mode/", {"enabled": "1"}, secure=True)
lang = client.post("/i18n/setlang/", {"language": "en"}, secure=True)
api = client.get("/api/v1/accounts/me/", secure=True)
cookies = {}
for response in (page, elder, lang):
    for name, morsel in response.cookies.items():
        cookies[name] = {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
                         "samesite": morsel["samesite"]}
print(json.dumps({
    "page": dict(page.headers), "api": dict(api.headers), "plain": plain.status_code,
    "plain_location": plain.get("Location"), "cookies": cookies,
    "session": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY,
                settings.SESSION_COOKIE_SAMESITE],
}))
"""


def test_production_responses_carry_the_secure_headers():
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "HTTPS", "SECRET_KEY"}}
    env.update(
        DEBUG="false",
        HTTPS="true",
        SECRET_KEY="k3y-For-The-Header-Check-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF",
        ALLOWED_HOSTS="testserver",
        EMBEDDED_SERVICES="true",
        STATICFILES_MANIFEST="false",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PRODUCTION_PROBE],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    for headers in (seen["page"], seen["api"]):
        assert (
            headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        )
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert csp_problems(seen["page"]["Content-Security-Policy"]) == []
    assert seen["plain"] == 301
    assert seen["plain_location"].startswith("https://")
    assert set(seen["cookies"]) >= {"csrftoken", "elder_mode", "django_language"}
    for name, flags in seen["cookies"].items():
        assert flags["secure"], name
        assert flags["samesite"] in {"Lax", "Strict"}, name
    assert seen["cookies"]["elder_mode"]["httponly"]
    assert seen["cookies"]["django_language"]["httponly"]
    assert seen["session"] == [True, True, "Lax"]


# --- No SQL built from input; static analysis ------------------------------------------------

APPS = ["portal", "providers", "services", "ratings", "matching", "openData", "volunteers"]
SQL_CALLS = {"raw", "execute", "executemany", "extra", "copy_expert", "mogrify", "RawSQL"}
# Interpolated into SQL text (file, expression): each is the code's own text, never input.
TRUSTED_SQL_PARTS = {
    # The table name from the model; every value is a bound parameter.
    ("matching/services/engine/publish.py", "Need._meta.db_table"),
    ("matching/services/engine/publish.py", "values"),  # "(%s,%s,%s,%s)" placeholders
    # COPY of the model's table and its fixed column list and options.
    ("matching/services/engine/publish.py", "table"),
    ("matching/services/engine/publish.py", "columns"),
    ("matching/services/engine/publish.py", "options"),
    # Django's own SQL for a queryset (sql_with_params); its parameters are bound.
    ("services/selectors.py", "sql"),
    ("openData/services/writers.py", "sql"),
    # mogrify() bound the parameters into it (psycopg2 quoting).
    ("openData/services/writers.py", "statement"),
}


def _sql_calls():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = str(path.relative_to(root))
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in SQL_CALLS:
                    yield name, node.lineno, node.args[0]


def _untrusted_sql(name: str, arg) -> list[str]:
    import ast

    if isinstance(arg, ast.Constant):
        return []
    if isinstance(arg, ast.JoinedStr):
        return [
            ast.unparse(part.value)
            for part in arg.values
            if isinstance(part, ast.FormattedValue)
            and (name, ast.unparse(part.value)) not in TRUSTED_SQL_PARTS
        ]
    if isinstance(arg, ast.Call) and ast.unparse(arg.func).startswith("sql.SQL("):
        return []  # psycopg2's composition: identifiers quoted by sql.Identifier
    if isinstance(arg, ast.Name) and (name, arg.id) in TRUSTED_SQL_PARTS:
        return []
    return [ast.unparse(arg)]  # % or + or .format() on SQL text, or an unknown variable


def test_raw_sql_takes_its_values_as_parameters():
    calls = list(_sql_calls())
    assert len(calls) >= 5  # the scan sees the raw SQL there is
    found = {
        f"{name}:{line}": bad for name, line, arg in calls if (bad := _untrusted_sql(name, arg))
    }
    assert found == {}


def test_the_sql_scan_catches_formatting_with_input():
    import ast

    def first_arg(code):
        return ast.parse(code).body[0].value.args[0]

    assert _untrusted_sql("x.py", first_arg("c.execute('SELECT %s' % name)"))
    assert _untrusted_sql("x.py", first_arg("c.execute(f'SELECT * FROM t WHERE a = {q}')"))
    assert _untrusted_sql("x.py", first_arg("c.execute('SELECT {}'.format(q))"))
    assert _untrusted_sql("x.py", first_arg("M.objects.raw('SELECT ' + q)"))
    assert not _untrusted_sql("x.py", first_arg("c.execute('SELECT %s', [q])"))


def test_bandit_finds_no_high_or_unexplained_medium_issue():
    """High severity fails; a medium one must be fixed or carry `# nosec BXXX - why`."""
    import json
    import shutil
    import subprocess
    from pathlib import Path

    bandit = shutil.which("bandit") or str(Path(__import__("sys").executable).parent / "bandit")
    if not Path(bandit).exists():
        pytest.fail("bandit is not installed: pip install bandit")
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [bandit, "-r", *APPS, "-x", "*/migrations/*,*/tests/*,.venv", "-ll", "-f", "json", "-q"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    assert report["errors"] == []
    issues = [
        f"{r['test_id']} {r['filename']}:{r['line_number']} {r['issue_text']}"
        for r in report["results"]
    ]
    assert issues == []
    # Every suppression says why.
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if "# nosec" in line:
                    assert re.search(r"# nosec B\d{3} - \w", line), f"{path}: {line.strip()}"


# --- Known vulnerabilities in the pinned dependencies ------------------------------------------

# Advisories that do not apply to this project, by id, each with the reason. Empty today.
PIP_AUDIT_IGNORES: dict[str, str] = {}


def _pin(name: str) -> str:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "requirements.txt").read_text()
    return re.search(rf"^{name}==(\S+)", text, re.MULTILINE).group(1)


def _vulnerability_service() -> tuple[str | None, str]:
    """('pypi' or 'osv', '') when one of pip-audit's services answers, else (None, why)."""
    import urllib.error
    import urllib.request

    probes = {
        "pypi": f"https://pypi.org/pypi/Django/{_pin('Django')}/json",
        "osv": "https://api.osv.dev/v1/",
    }
    reasons = []
    for service, url in probes.items():
        try:
            urllib.request.urlopen(url, timeout=5).close()  # noqa: S310 - fixed https URLs
            return service, ""
        except urllib.error.HTTPError as exc:
            if service == "osv" and exc.code in {404, 405}:
                return service, ""  # the host answers
            reasons.append(f"{url} → HTTP {exc.code}")
        except OSError as exc:
            reasons.append(f"{url} → {getattr(exc, 'reason', exc)}")
    return None, "; ".join(reasons)


def test_pinned_dependencies_have_no_known_vulnerability():
    import json
    import subprocess
    import sys
    from pathlib import Path

    service, why = _vulnerability_service()
    if service is None:
        pytest.skip(f"no vulnerability service reachable from here ({why})")
    pip_audit = Path(sys.executable).parent / "pip-audit"
    if not pip_audit.exists():
        pytest.fail("pip-audit is not installed: pip install pip-audit")
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [str(pip_audit), "-s", service, "-r", "requirements.txt", "--no-deps", "-f", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(result.stdout)
    unaudited = [d["name"] for d in report["dependencies"] if "skip_reason" in d]
    assert unaudited == []
    found = {
        f"{dep['name']}=={dep['version']}: {vuln['id']} (fixed in {vuln['fix_versions']})"
        for dep in report["dependencies"]
        for vuln in dep.get("vulns", [])
        if vuln["id"] not in PIP_AUDIT_IGNORES
        and not set(vuln.get("aliases", [])) & set(PIP_AUDIT_IGNORES)
    }
    assert found == set()


# --- Uploads are judged by their content ---------------------------------------------------


def _png_of(width: int, height: int) -> bytes:
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
        + b"\x00" * 32
    )


def _jpeg_of(width: int, height: int) -> bytes:
    import struct

    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\x00" * 32


PDF_OK = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n"
BAD_UPLOADS = {
    "html named .pdf": ("scan.pdf", b"<!DOCTYPE html><script>alert(1)</script>", "只能上传"),
    "svg with script named .jpg": (
        "photo.jpg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "只能上传",
    ),
    "windows executable named .pdf": ("scan.pdf", b"MZ\x90\x00" + b"\x00" * 60, "只能上传"),
    "elf executable named .png": ("photo.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 60, "只能上传"),
    "zip named .pdf": ("scan.pdf", b"PK\x03\x04" + b"\x00" * 60, "只能上传"),
    "huge file": ("scan.pdf", b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024), "不能超过 5 MB"),
    "pdf with javascript": (
        "scan.pdf",
        b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF",
        "PDF 文件含有脚本",
    ),
    "pdf with an escaped javascript name": (
        "scan.pdf",
        b"%PDF-1.4\n1 0 obj<</OpenAction<</S/J#61vaScript/J#53(x)>>>>endobj\n%%EOF",
        "PDF 文件含有脚本",
    ),
    "pdf that launches a program": (
        "scan.pdf",
        b"%PDF-1.4\n1 0 obj<</OpenAction<</S/Launch/F(cmd.exe)>>>>endobj\n%%EOF",
        "PDF 文件含有脚本",
    ),
    "pdf with an embedded file": (
        "scan.pdf",
        b"%PDF-1.4\n1 0 obj<</Type/EmbeddedFile>>stream\nMZ\nendstream\n%%EOF",
        "PDF 文件含有脚本",
    ),
    "png decompression bomb": ("photo.png", _png_of(100_000, 100_000), "图片尺寸过大"),
    "jpeg decompression bomb": ("photo.jpg", _jpeg_of(60_000, 60_000), "图片尺寸过大"),
}


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    # The browser's claim is always the friendly one: only the content decides.
    kind = "application/pdf" if name.endswith(".pdf") else "image/jpeg"
    return SimpleUploadedFile(name, content, content_type=kind)


@pytest.mark.parametrize("case", sorted(BAD_UPLOADS))
def test_an_upload_is_refused_by_its_content_with_a_chinese_message(case):
    from django.core.exceptions import ValidationError

    from portal.uploads import DOCUMENT_KINDS, MB, sniff

    name, content, message = BAD_UPLOADS[case]
    with pytest.raises(ValidationError) as refused:
        sniff(_upload(name, content), allowed=DOCUMENT_KINDS, max_bytes=5 * MB)
    assert message in " ".join(refused.value.messages)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scan.pdf", PDF_OK),
        ("photo.png", _png_of(4000, 3000)),
        ("photo.jpg", _jpeg_of(4000, 3000)),
        ("named-wrong.pdf", _png_of(800, 600)),  # the content decides the type
    ],
)
def test_ordinary_documents_and_photos_pass(name, content):
    from portal.uploads import DOCUMENT_KINDS, MB, sniff

    content_type, _extension = sniff(
        _upload(name, content), allowed=DOCUMENT_KINDS, max_bytes=5 * MB
    )
    assert content_type in {"application/pdf", "image/png", "image/jpeg"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case", ["pdf with javascript", "png decompression bomb", "svg with script named .jpg"]
)
def test_a_licence_scan_with_bad_content_is_refused_on_the_page(client, provider_a, staff_a, case):
    from providers.models import Licence

    name, content, message = BAD_UPLOADS[case]
    client.force_login(staff_a)
    response = client.post(
        f"/provider/organisations/{provider_a.pk}/licences/new/",
        {
            "kind": "eldercare_filing",
            "number": "川民养备000001",
            "issuer": "成都市武侯区民政局",
            "valid_from": "2024-01-01",
            "scan": _upload(name, content),
        },
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["scan"])
    assert not Licence.objects.filter(provider=provider_a).exists()


def test_every_service_taking_an_upload_checks_it_with_sniff():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    takers = []
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            # The demo city writes files it made itself; uploads.py is the checker.
            if "migrations" in path.parts or path.name in {"uploads.py", "demo.py"}:
                continue
            if re.search(r"\.save\([^)]*(upload|image|scan|evidence|logo|file)\b", text) or (
                "private_name(" in text
            ):
                takers.append(path.relative_to(root))
                assert "sniff(" in text or "check_scan(" in text, path
    assert len(takers) >= 5


# --- No user-controlled path reaches the filesystem --------------------------------------------


def test_no_page_or_api_url_takes_a_path():
    with_path = [
        route
        for route, _ in _patterns()
        if not route.startswith("admin/") and ("<path:" in route or "(?P<path>" in route)
    ]
    assert with_path == []


TRAVERSALS = [
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2fsettings.py",
    "%2e%2e",
    "..",
    "%2Fetc%2Fpasswd",
    "data.csv%00.txt",
    "..%5C..%5Cwindows%5Cwin.ini",
    "%252e%252e%252fetc%252fpasswd",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", TRAVERSALS)
def test_open_data_file_names_cannot_leave_the_release_folder(client, world, name, settings):
    run = world.objects["run"]
    release = run.release
    base = f"/api/open/v1/datasets/{run.dataset.slug}/releases/{release.version}/files/"
    # The published file itself is served (so the refusals below are not a broken URL).
    first = release.files.order_by("name").first()
    assert client.get(base + first.name, HTTP_X_API_KEY="").status_code in {200, 403}

    for url in (base + name, base.replace(f"/{release.version}/", f"/{name}/") + first.name):
        response = client.get(url)
        assert response.status_code in {403, 404}, url
        assert not getattr(response, "streaming", False), url


@pytest.mark.django_db
def test_uploaded_files_are_not_served_from_a_media_folder(client, world, settings):
    licence = world.objects["licence"]
    assert (settings.MEDIA_ROOT / licence.scan.name).exists()
    for prefix in ("/media/", "/var/media/", "/static/../var/media/"):
        response = client.get(prefix + licence.scan.name)
        assert response.status_code == 404, prefix


# --- Login throttling (tests/accounts/test_login.py has the page's cases) ------------------------


@pytest.mark.django_db
def test_password_spraying_through_the_token_api_locks_that_address(
    api_client, wang_fang, password
):
    for n in range(5):
        api_client.post(
            "/api/v1/accounts/token/",
            {"phone": f"1390000{n:04d}", "password": "spray-spray"},
            format="json",
        )

    here = api_client.post(
        "/api/v1/accounts/token/", {"phone": wang_fang.phone, "password": password}, format="json"
    )
    elsewhere = api_client.post(
        "/api/v1/accounts/token/",
        {"phone": wang_fang.phone, "password": password},
        format="json",
        REMOTE_ADDR="10.4.5.6",
    )

    assert here.status_code == 429
    assert elsewhere.status_code == 200


@pytest.mark.django_db
def test_failures_on_the_page_and_the_api_add_up(client, api_client, wang_fang, password):
    for _ in range(3):
        client.post("/accounts/login/", {"username": wang_fang.phone, "password": "nope-nope"})
    for _ in range(2):
        api_client.post(
            "/api/v1/accounts/token/",
            {"phone": wang_fang.phone, "password": "nope-nope"},
            format="json",
            REMOTE_ADDR="10.7.7.7",
        )

    response = client.post("/accounts/login/", {"username": wang_fang.phone, "password": password})
    assert response.status_code == 429


@pytest.mark.django_db
def test_the_admin_login_is_throttled_too(client, platform_admin, password):
    for _ in range(5):
        client.post("/admin/login/", {"username": platform_admin.phone, "password": "wrong-wrong"})

    response = client.post(
        "/admin/login/",
        {"username": platform_admin.phone, "password": password},
        REMOTE_ADDR="10.3.3.3",
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
