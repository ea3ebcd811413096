"""Conditional access (有条件开放): an organisation applies, a steward decides, the applicant takes
a key scoped to one dataset and period, and the key opens that dataset's files and nothing else —
through the services, the workflow API, the public download API and the pages."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from openData import api, selectors
from openData.models import AccessApplication, ApiKey, Dataset, KeyUse
from openData.services import access
from portal.identifiers import credit_code_check_char
from portal.notifications.models import Notification
from tests.openData.conftest import publish

TZ = ZoneInfo("Asia/Shanghai")
CREDIT_CODE = "91510100MA61XXXX0" + credit_code_check_char("91510100MA61XXXX0")
# The same 17 characters with any other last character fail the check.
WRONG_CHECK = CREDIT_CODE[:17] + ("1" if CREDIT_CODE[17] != "1" else "2")
APPLICATIONS = "/api/v1/open-data/applications/"
FILE = "complaint_cases.csv"
S = AccessApplication.Status


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Rate-limit histories live in the cache: no test inherits another's requests."""
    cache.clear()
    yield
    cache.clear()


# --- Helpers and fixtures --------------------------------------------------------------------


def application_data(**overrides) -> dict:
    return {
        "dataset": "complaint-cases",
        "organisation_name": "成都社会服务研究院",
        "credit_code": CREDIT_CODE,
        "purpose": "研究各区县投诉办结用时的差异。",
        "fields": ["district", "month", "days_to_close"],
        "duration_days": 30,
        "security_measures": "专人管理，加密存储，不向第三方提供，期满删除。",
        "agreement_accepted": True,
        **overrides,
    }


def submit(dataset: Dataset, applicant, **overrides) -> AccessApplication:
    data = application_data(**overrides)
    data.pop("dataset")
    return access.application_submit(
        dataset=dataset,
        applicant=applicant,
        field_names=selectors.dataset_field_names(dataset),
        **data,
    )


def file_url(dataset: Dataset, version: int = 1, name: str = FILE) -> str:
    return f"/api/open/v1/datasets/{dataset.slug}/releases/{version}/files/{name}"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def tables_containing(text: str) -> list[str]:
    """Every table with a row whose text form contains `text` (any column)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            name = connection.ops.quote_name(table)
            # The table name comes from introspection, quoted; the text is a parameter.
            query = f"SELECT 1 FROM {name} AS t WHERE strpos(t::text, %s) > 0 LIMIT 1"  # noqa: S608
            cursor.execute(query, [text])
            if cursor.fetchone():
                found.append(table)
    return found


@pytest.fixture
def cases(catalogue) -> Dataset:
    """The conditional dataset of the built-in catalogue."""
    dataset = catalogue["complaint-cases"]
    assert dataset.is_conditional
    return dataset


@pytest.fixture
def release(cases):
    """A published release of the complaint cases (an empty table still has its files)."""
    run = publish(cases)
    assert run.status == run.Status.PUBLISHED, run.error or run.gate_report
    return run.release


@pytest.fixture
def application(cases, staff_a) -> AccessApplication:
    return submit(cases, staff_a)


@pytest.fixture
def approved(application, steward) -> AccessApplication:
    return access.application_decide(application=application, official=steward, approve=True)


@pytest.fixture
def issued(approved, staff_a) -> tuple[ApiKey, str]:
    return access.key_issue(application=approved, user=staff_a)


@pytest.fixture
def other_conditional(catalogue) -> Dataset:
    """A second conditional dataset, built the same way as the complaint cases."""
    return Dataset.objects.create(
        slug="complaint-cases-archive",
        builder="complaint_cases",
        title="投诉办理明细（历史）",
        title_en="Complaint cases (archive)",
        description="历年已办结投诉的去标识化记录。",
        description_en="De-identified closed complaints of past years.",
        publisher="civil_affairs",
        contact_name="成都市民政局",
        contact_phone="12345",
        spatial=["510100"],
        licence=Dataset.Licence.AGREEMENT,
        access=Dataset.Access.CONDITIONAL,
        legal_basis="《数据安全法》第三十八条",
    )


def decide(api_client, user, application, **data):
    api_client.force_authenticate(user)
    return api_client.post(f"{APPLICATIONS}{application.pk}/decision/", data, format="json")


# --- Applying through the API ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff_a", "wang_fang"])
def test_an_organisation_applies_for_a_conditional_dataset(request, api_client, cases, who):
    applicant = request.getfixturevalue(who)
    api_client.force_authenticate(applicant)

    response = api_client.post(APPLICATIONS, application_data(), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"
    application = AccessApplication.objects.get(pk=response.json()["id"])
    assert application.applicant == applicant
    assert application.dataset == cases
    assert application.status == S.PENDING
    assert application.credit_code == CREDIT_CODE
    # Stored in the dataset's column order, whatever order they were asked in.
    assert application.fields == ["month", "district", "days_to_close"]
    mine = api_client.get(APPLICATIONS).json()
    assert [row["id"] for row in mine["results"]] == [application.pk]


def test_the_list_of_applications_shows_only_the_callers_own(api_client, application, wang_fang):
    api_client.force_authenticate(wang_fang)

    response = api_client.get(APPLICATIONS)

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"agreement_accepted": False}, "agreement_accepted", "agreement_required"),
        ({"fields": ["district", "complainant_name"]}, "fields", "unknown_fields"),
        ({"fields": []}, "fields", None),
        ({"credit_code": WRONG_CHECK}, "credit_code", "invalid_credit_code_check"),
        ({"credit_code": "91510100MA61XXXXI"}, "credit_code", None),
        ({"duration_days": 0}, "duration_days", None),
        ({"duration_days": 400}, "duration_days", None),
    ],
    ids=[
        "agreement-not-accepted",
        "field-not-in-dataset",
        "no-fields",
        "credit-code-check-char",
        "credit-code-too-short",
        "duration-0",
        "duration-400",
    ],
)
def test_a_bad_application_is_refused_with_field_errors(
    api_client, cases, staff_a, overrides, field, code
):
    api_client.force_authenticate(staff_a)

    response = api_client.post(APPLICATIONS, application_data(**overrides), format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"], response.json()
    if code:
        assert response.json()["code"] == code
    assert not AccessApplication.objects.exists()


def test_the_unknown_field_is_named_in_the_error(api_client, cases, staff_a):
    api_client.force_authenticate(staff_a)

    response = api_client.post(
        APPLICATIONS, application_data(fields=["district", "complainant_name"]), format="json"
    )

    assert "complainant_name" in response.json()["fields"]["fields"][0]
    assert "district" not in response.json()["fields"]["fields"][0]


@pytest.mark.parametrize("slug", ["quality-grades", "listings-prices", "health-records"])
def test_an_application_for_a_dataset_that_is_not_conditional_is_refused(
    api_client, catalogue, staff_a, slug
):
    api_client.force_authenticate(staff_a)

    response = api_client.post(APPLICATIONS, application_data(dataset=slug), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "not_conditional"
    assert not AccessApplication.objects.exists()


def test_applying_twice_while_the_first_is_pending_is_a_conflict(api_client, application, staff_a):
    api_client.force_authenticate(staff_a)

    response = api_client.post(APPLICATIONS, application_data(), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "already_applied"
    assert AccessApplication.objects.count() == 1


def test_after_a_rejection_the_organisation_may_apply_again(
    api_client, application, steward, staff_a
):
    access.application_decide(
        application=application, official=steward, approve=False, note="用途不明确。"
    )
    api_client.force_authenticate(staff_a)

    response = api_client.post(APPLICATIONS, application_data(), format="json")

    assert response.status_code == 201
    assert AccessApplication.objects.count() == 2


@pytest.mark.parametrize("who", ["official_wuhou", "official_city", "steward"])
def test_an_official_cannot_apply(request, api_client, cases, who):
    api_client.force_authenticate(request.getfixturevalue(who))

    response = api_client.post(APPLICATIONS, application_data(), format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "applicant_role"
    assert not AccessApplication.objects.exists()


def test_an_anonymous_caller_cannot_apply(api_client, cases):
    response = api_client.post(APPLICATIONS, application_data(), format="json")

    assert response.status_code == 401
    assert not AccessApplication.objects.exists()


# --- The decision ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["steward", "official_city"])
def test_a_steward_approves_and_the_period_runs_for_the_days_asked(
    request, api_client, application, staff_a, who, django_capture_on_commit_callbacks
):
    official = request.getfixturevalue(who)
    with (
        time_machine.travel(dt.datetime(2026, 3, 10, 23, 30, tzinfo=TZ), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = decide(api_client, official, application, approve=True, note="同意。")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    application.refresh_from_db()
    assert application.status == S.APPROVED
    assert application.decided_by == official
    # 30 days counted from the day of approval (Shanghai time), that day included.
    assert application.valid_from == dt.date(2026, 3, 10)
    assert application.valid_until == dt.date(2026, 4, 8)
    assert response.json()["valid_until"] == "2026-04-08"
    notice = Notification.objects.get(recipient=staff_a, kind="opendata.application_decided")
    assert notice.title == "数据使用申请已批准"
    assert notice.link == f"/open/applications/{application.pk}/"


def test_a_rejection_with_a_reason_tells_the_applicant_the_reason(
    api_client, application, steward, staff_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(
            api_client, steward, application, approve=False, note="用途超出协议范围。"
        )

    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == S.REJECTED
    assert application.valid_from is None
    assert application.valid_until is None
    notice = Notification.objects.get(recipient=staff_a)
    assert notice.title == "数据使用申请未获批准"
    assert "用途超出协议范围。" in notice.body


@pytest.mark.parametrize("who", ["official_wuhou", "official_jinjiang", "staff_a", "wang_fang"])
def test_only_a_steward_of_the_dataset_can_find_the_application_to_decide(
    request, api_client, application, who
):
    response = decide(api_client, request.getfixturevalue(who), application, approve=True)

    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == S.PENDING
    assert not Notification.objects.exists()


@pytest.mark.parametrize("note", ["", "   "])
def test_a_rejection_without_a_reason_is_refused(api_client, application, steward, note):
    response = decide(api_client, steward, application, approve=False, note=note)

    assert response.status_code == 400
    assert response.json()["code"] == "note_required"
    assert "note" in response.json()["fields"]
    application.refresh_from_db()
    assert application.status == S.PENDING


def test_a_decision_without_approve_is_bad_input(api_client, application, steward):
    response = decide(api_client, steward, application, note="同意。")

    assert response.status_code == 400
    assert "approve" in response.json()["fields"]


def test_an_application_cannot_be_decided_twice(api_client, approved, steward):
    response = decide(api_client, steward, approved, approve=False, note="改变主意。")

    assert response.status_code == 409
    assert response.json()["code"] == "not_pending"
    approved.refresh_from_db()
    assert approved.status == S.APPROVED


# --- The key ---------------------------------------------------------------------------------


def key_url(application) -> str:
    return f"{APPLICATIONS}{application.pk}/key/"


def test_the_applicant_takes_a_key_whose_secret_is_stored_only_as_a_digest(
    api_client, approved, staff_a
):
    api_client.force_authenticate(staff_a)

    response = api_client.post(key_url(approved))

    assert response.status_code == 201, response.json()
    data = response.json()
    secret = data["secret"]
    assert secret.startswith("od_")
    assert secret.startswith(f"od_{data['prefix']}_")
    assert data["valid_until"] == approved.valid_until.isoformat()
    assert data["rate_per_minute"] == settings.OPENDATA_KEY_RATE
    key = ApiKey.objects.get(application=approved)
    assert key.revoked_at is None
    assert key.secret_hash != secret
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    # The scan below finds what is there (the digest) and not the secret, in any column.
    assert "opendata_apikey" in tables_containing(key.secret_hash)
    assert tables_containing(secret) == []
    assert tables_containing(secret.split("_", 2)[2]) == []


@pytest.mark.parametrize("who", ["wang_fang", "staff_b", "steward"])
def test_nobody_else_can_take_a_key_for_the_application(request, api_client, approved, who):
    api_client.force_authenticate(request.getfixturevalue(who))

    response = api_client.post(key_url(approved))

    assert response.status_code == 404
    assert not ApiKey.objects.exists()


def test_a_key_cannot_be_taken_before_approval(api_client, application, staff_a):
    api_client.force_authenticate(staff_a)

    response = api_client.post(key_url(application))

    assert response.status_code == 409
    assert response.json()["code"] == "not_approved"
    assert not ApiKey.objects.exists()


def test_a_key_cannot_be_taken_after_a_rejection(api_client, application, steward, staff_a):
    access.application_decide(application=application, official=steward, approve=False, note="否")
    api_client.force_authenticate(staff_a)

    response = api_client.post(key_url(application))

    assert response.status_code == 409
    assert not ApiKey.objects.exists()


def test_taking_a_new_key_retires_the_previous_one(api_client, release, approved, staff_a):
    api_client.force_authenticate(staff_a)
    first = api_client.post(key_url(approved)).json()["secret"]
    second = api_client.post(key_url(approved)).json()["secret"]
    api_client.force_authenticate(None)

    assert first != second
    assert ApiKey.objects.filter(application=approved).count() == 2
    assert ApiKey.objects.filter(application=approved, revoked_at__isnull=True).count() == 1
    old = api_client.get(file_url(release.dataset), HTTP_X_API_KEY=first)
    assert old.status_code == 403
    assert old.json()["code"] == "key_invalid"
    assert api_client.get(file_url(release.dataset), HTTP_X_API_KEY=second).status_code == 200


# --- Downloading a conditional dataset -------------------------------------------------------


def test_a_conditional_file_without_a_key_is_refused(api_client, release):
    response = api_client.get(file_url(release.dataset))

    assert response.status_code == 403
    assert response.json()["code"] == "key_required"
    assert "X-API-Key" in response.json()["detail"]
    assert not KeyUse.objects.exists()


@pytest.mark.parametrize("how", ["header", "query"])
def test_a_valid_key_downloads_the_file_with_its_checksum(api_client, release, issued, how):
    key, secret = issued
    url = file_url(release.dataset)

    if how == "header":
        response = api_client.get(url, HTTP_X_API_KEY=secret)
    else:
        response = api_client.get(url, {"key": secret})

    assert response.status_code == 200
    content = body(response)
    recorded = release.files.get(name=FILE)
    assert hashlib.sha256(content).hexdigest() == recorded.sha256
    assert response["X-Checksum-SHA256"] == recorded.sha256
    assert content.decode("utf-8-sig").splitlines()[0].startswith("month,district,domain")
    assert response["Cache-Control"] == "private, no-store"
    use = KeyUse.objects.get(key=key)
    assert use.status_code == 200
    assert use.path == url  # never the query string, which may hold the secret
    assert use.ip == "127.0.0.1"
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert tables_containing(secret) == []


@pytest.mark.parametrize(
    "garbage",
    ["nonsense", "od_deadbeef_abcdefghijklmnop", "od_", "od_only-a-prefix"],
)
def test_a_garbage_key_is_refused_as_invalid(api_client, release, issued, garbage):
    response = api_client.get(file_url(release.dataset), HTTP_X_API_KEY=garbage)

    assert response.status_code == 403
    assert response.json()["code"] == "key_invalid"
    assert not KeyUse.objects.exists()


def test_a_key_with_the_right_prefix_and_a_wrong_secret_is_refused(api_client, release, issued):
    _key, secret = issued
    forged = secret[:-1] + ("A" if secret[-1] != "A" else "B")

    response = api_client.get(file_url(release.dataset), HTTP_X_API_KEY=forged)

    assert response.status_code == 403
    assert response.json()["code"] == "key_invalid"
    assert not KeyUse.objects.exists()


def test_a_revoked_application_closes_its_key_at_once(api_client, release, issued, steward):
    key, secret = issued
    url = file_url(release.dataset)
    assert api_client.get(url, HTTP_X_API_KEY=secret).status_code == 200

    access.application_revoke(application=key.application, official=steward, note="违反协议。")
    response = api_client.get(url, HTTP_X_API_KEY=secret)

    assert response.status_code == 403
    assert response.json()["code"] == "key_invalid"
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert list(KeyUse.objects.order_by("at", "pk").values_list("status_code", flat=True)) == [
        200,
        403,
    ]


def test_the_applicant_revoking_the_key_closes_it(api_client, release, issued, staff_a):
    key, secret = issued

    access.key_revoke(key=key, actor=staff_a)

    assert api_client.get(file_url(release.dataset), HTTP_X_API_KEY=secret).status_code == 403


def test_a_key_works_on_the_last_day_of_the_period_and_not_the_day_after(
    api_client, release, issued
):
    key, secret = issued
    last_day = key.application.valid_until
    url = file_url(release.dataset)

    with time_machine.travel(dt.datetime.combine(last_day, dt.time(23, 59), tzinfo=TZ)):
        assert api_client.get(url, HTTP_X_API_KEY=secret).status_code == 200
    with time_machine.travel(
        dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0, 1), tzinfo=TZ)
    ):
        response = api_client.get(url, HTTP_X_API_KEY=secret)

    assert response.status_code == 403
    assert response.json()["code"] == "key_invalid"


def test_a_key_for_another_conditional_dataset_is_refused(
    api_client, release, other_conditional, staff_a, steward
):
    assert access.key_valid_for(None, other_conditional) is False
    other = access.application_decide(
        application=submit(other_conditional, staff_a), official=steward, approve=True
    )
    key, secret = access.key_issue(application=other, user=staff_a)
    assert access.key_valid_for(key, other_conditional) is True  # the key itself is good

    response = api_client.get(file_url(release.dataset), HTTP_X_API_KEY=secret)

    assert response.status_code == 403
    assert response.json()["code"] == "key_invalid"
    assert KeyUse.objects.get(key=key).status_code == 403


def test_every_request_with_a_key_is_logged_with_its_status(
    api_client, release, issued, other_conditional
):
    key, secret = issued
    allowed = file_url(release.dataset)
    json_file = file_url(release.dataset, name="complaint_cases.json")
    refused = file_url(other_conditional)

    statuses = [
        api_client.get(allowed, HTTP_X_API_KEY=secret).status_code,
        api_client.get(json_file, {"key": secret}).status_code,
        api_client.get(refused, HTTP_X_API_KEY=secret).status_code,
    ]

    assert statuses == [200, 200, 403]
    uses = KeyUse.objects.filter(key=key).order_by("at", "pk")
    assert [(use.path, use.status_code) for use in uses] == [
        (allowed, 200),
        (json_file, 200),
        (refused, 403),
    ]


@pytest.mark.parametrize(
    "path", ["releases/1/files/nope.csv", f"releases/99/files/{FILE}"], ids=["file", "version"]
)
def test_a_keyed_request_for_a_missing_file_is_logged_as_a_404(api_client, release, issued, path):
    key, secret = issued

    response = api_client.get(
        f"/api/open/v1/datasets/{release.dataset.slug}/{path}", HTTP_X_API_KEY=secret
    )

    assert response.status_code == 404
    assert KeyUse.objects.get(key=key).status_code == 404


# --- Rate limits -----------------------------------------------------------------------------


def test_a_key_over_its_rate_per_minute_is_told_to_wait(api_client, release, issued):
    key, secret = issued
    ApiKey.objects.filter(pk=key.pk).update(rate_per_minute=2)
    url = file_url(release.dataset)

    with time_machine.travel(timezone.now(), tick=False) as clock:
        statuses = [api_client.get(url, HTTP_X_API_KEY=secret).status_code for _ in range(2)]
        clock.shift(30)
        throttled = api_client.get(url, HTTP_X_API_KEY=secret)
        clock.shift(31)  # a minute after the first request, one slot is free again
        again = api_client.get(url, HTTP_X_API_KEY=secret)

    assert statuses == [200, 200]
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert "请求过于频繁" in throttled.json()["detail"]
    assert 0 < int(throttled["Retry-After"]) <= 30
    assert again.status_code == 200


def test_a_throttled_request_with_a_key_is_logged_as_a_429(api_client, release, issued):
    key, secret = issued
    ApiKey.objects.filter(pk=key.pk).update(rate_per_minute=1)
    url = file_url(release.dataset)

    statuses = [api_client.get(url, HTTP_X_API_KEY=secret).status_code for _ in range(2)]

    assert statuses == [200, 429]
    uses = KeyUse.objects.filter(key=key).order_by("at", "pk")
    assert list(uses.values_list("status_code", flat=True)) == [200, 429]


def test_the_rate_of_one_key_does_not_limit_another(
    api_client, release, issued, other_conditional, staff_b, steward
):
    key, secret = issued
    ApiKey.objects.filter(pk=key.pk).update(rate_per_minute=1)
    other = access.application_decide(
        application=submit(other_conditional, staff_b), official=steward, approve=True
    )
    _other_key, other_secret = access.key_issue(application=other, user=staff_b)
    url = file_url(release.dataset)

    assert api_client.get(url, HTTP_X_API_KEY=secret).status_code == 200
    assert api_client.get(url, HTTP_X_API_KEY=secret).status_code == 429
    # The other key is refused for this dataset, but by the key check, not the throttle.
    assert api_client.get(url, HTTP_X_API_KEY=other_secret).status_code == 403


def test_the_message_names_the_wait_once_as_in_the_retry_after_header(api_client, release, issued):
    key, secret = issued
    ApiKey.objects.filter(pk=key.pk).update(rate_per_minute=1)
    url = file_url(release.dataset)

    with time_machine.travel(timezone.now(), tick=False):
        api_client.get(url, HTTP_X_API_KEY=secret)
        throttled = api_client.get(url, HTTP_X_API_KEY=secret)

    assert throttled.status_code == 429
    assert throttled["Retry-After"] == "60"
    assert throttled.json()["detail"] == "请求过于频繁，请在 60 秒后重试。"


@pytest.fixture
def open_rate_3(settings, monkeypatch):
    """The per-address limit at 3 a minute. DRF's SimpleRateThrottle copies
    DEFAULT_THROTTLE_RATES into a class attribute at import, so the setting alone does not
    reach the throttle: the class attribute is patched as well."""
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "open": "3/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    monkeypatch.setattr(api.OpenAddressThrottle, "THROTTLE_RATES", rates)
    cache.clear()


def test_an_address_over_the_anonymous_rate_is_told_to_wait(api_client, catalogue, open_rate_3):
    url = "/api/open/v1/datasets/"

    statuses = [api_client.get(url).status_code for _ in range(3)]
    throttled = api_client.get(url)
    elsewhere = api_client.get(url, REMOTE_ADDR="203.0.113.9")

    assert statuses == [200, 200, 200]
    assert throttled.status_code == 429
    assert "请求过于频繁" in throttled.json()["detail"]
    assert int(throttled["Retry-After"]) > 0
    assert elsewhere.status_code == 200


def test_requests_with_a_valid_key_are_not_counted_against_the_address(
    api_client, release, issued, open_rate_3
):
    _key, secret = issued
    url = file_url(release.dataset)

    statuses = [api_client.get(url, HTTP_X_API_KEY=secret).status_code for _ in range(5)]

    assert statuses == [200] * 5
    assert api_client.get("/api/open/v1/datasets/").status_code == 200


def test_a_garbage_key_is_counted_against_the_address(api_client, release, open_rate_3):
    url = file_url(release.dataset)

    statuses = [api_client.get(url, HTTP_X_API_KEY="od_x_y").status_code for _ in range(4)]

    assert statuses == [403, 403, 403, 429]


# --- Pages -----------------------------------------------------------------------------------


def apply_url(dataset) -> str:
    return reverse("opendata:apply", args=[dataset.slug])


def form_data(**overrides) -> dict:
    data = application_data(**overrides)
    data.pop("dataset")
    data["columns"] = data.pop("fields")
    if not data["agreement_accepted"]:
        data.pop("agreement_accepted")
    return data


def test_the_apply_page_needs_a_login(client, cases):
    response = client.get(apply_url(cases))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={apply_url(cases)}"


def test_the_apply_page_exists_only_for_conditional_datasets(client, catalogue, staff_a):
    client.force_login(staff_a)

    assert client.get(apply_url(catalogue["quality-grades"])).status_code == 404
    assert client.get(reverse("opendata:apply", args=["no-such-dataset"])).status_code == 404


def test_an_organisation_applies_through_the_form(client, cases, staff_a):
    client.force_login(staff_a)
    page = client.get(apply_url(cases))
    assert page.status_code == 200
    choices = [value for value, _label in page.context["form"].fields["columns"].choices]
    assert choices == selectors.dataset_field_names(cases)

    response = client.post(apply_url(cases), form_data())

    application = AccessApplication.objects.get(applicant=staff_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("opendata:application", args=[application.pk])
    assert application.dataset == cases
    assert application.status == S.PENDING
    assert application.fields == ["month", "district", "days_to_close"]
    assert application.duration_days == 30


def test_a_bad_form_is_shown_again_with_the_reasons_in_chinese(client, cases, staff_a):
    client.force_login(staff_a)

    response = client.post(
        apply_url(cases),
        form_data(agreement_accepted=False, credit_code=WRONG_CHECK, duration_days=0),
    )

    assert response.status_code == 200  # FormView.form_invalid re-renders with 200
    errors = response.context["form"].errors
    assert errors["agreement_accepted"] == ["须阅读并同意数据使用协议。"]
    assert errors["credit_code"] == ["统一社会信用代码校验位不正确。"]
    assert errors["duration_days"] == ["使用期限至少 1 天。"]
    html = response.content.decode()
    assert "统一社会信用代码校验位不正确。" in html
    assert not AccessApplication.objects.exists()


def test_a_second_application_through_the_form_shows_the_rule(client, application, staff_a):
    client.force_login(staff_a)

    response = client.post(apply_url(application.dataset), form_data())

    assert response.status_code == 200
    assert "您对该数据集已有待审核或有效的申请。" in response.context["form"].non_field_errors()
    assert AccessApplication.objects.count() == 1


def test_an_official_applying_through_the_form_is_told_why_not(client, cases, official_wuhou):
    client.force_login(official_wuhou)

    response = client.post(apply_url(cases), form_data())

    assert response.status_code == 200
    assert "监管人员不能以机构名义申请数据。" in response.content.decode()
    assert not AccessApplication.objects.exists()


def test_an_application_page_is_only_for_its_applicant(client, application, staff_a, wang_fang):
    url = reverse("opendata:application", args=[application.pk])
    client.force_login(wang_fang)
    assert client.get(url).status_code == 404

    client.force_login(staff_a)
    response = client.get(url)

    assert response.status_code == 200
    assert application.organisation_name in response.content.decode()


def test_the_key_page_shows_the_secret_once(client, release, approved, staff_a):
    client.force_login(staff_a)
    url = reverse("opendata:application", args=[approved.pk])

    issued = client.post(reverse("opendata:key-issue", args=[approved.pk]))

    assert issued.status_code == 200
    secret = issued.context["secret"]
    key = ApiKey.objects.get(application=approved)
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret in issued.content.decode()
    later = client.get(url)
    assert later.status_code == 200
    assert secret not in later.content.decode()
    assert "已生成有效密钥" in later.content.decode()


def test_the_key_page_refuses_before_approval(client, application, staff_a):
    client.force_login(staff_a)

    response = client.post(reverse("opendata:key-issue", args=[application.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("opendata:application", args=[application.pk])
    assert "申请尚未批准或已失效，不能生成密钥。" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_nobody_else_can_take_the_key_through_the_page(client, approved, wang_fang):
    client.force_login(wang_fang)

    response = client.post(reverse("opendata:key-issue", args=[approved.pk]))

    assert response.status_code == 404
    assert not ApiKey.objects.exists()


def test_the_stewards_console_lists_the_application(client, application, steward, official_wuhou):
    review = reverse("opendata:application-review", args=[application.pk])
    client.force_login(steward)

    response = client.get(reverse("opendata:console"))

    assert response.status_code == 200
    assert list(response.context["applications"]) == [application]
    assert review in response.content.decode()
    client.force_login(official_wuhou)
    assert list(client.get(reverse("opendata:console")).context["applications"]) == []


def test_the_console_is_for_officials(client, staff_a):
    client.force_login(staff_a)

    assert client.get(reverse("opendata:console")).status_code == 403


def test_a_steward_approves_on_the_review_page(
    client, application, steward, staff_a, django_capture_on_commit_callbacks
):
    client.force_login(steward)
    url = reverse("opendata:application-review", args=[application.pk])
    assert client.get(url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "approve", "note": ""})

    assert response.status_code == 302
    assert response["Location"] == reverse("opendata:console")
    application.refresh_from_db()
    assert application.status == S.APPROVED
    assert application.decided_by == steward
    assert application.valid_until == application.valid_from + dt.timedelta(days=29)
    assert Notification.objects.filter(recipient=staff_a).count() == 1


def test_rejecting_on_the_review_page_needs_a_reason(client, application, steward):
    client.force_login(steward)
    url = reverse("opendata:application-review", args=[application.pk])

    response = client.post(url, {"action": "reject", "note": ""})

    assert response.status_code == 400
    assert "不批准时请填写理由。" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.PENDING


def test_the_review_page_without_an_action_decides_nothing(client, application, steward):
    client.force_login(steward)

    response = client.post(
        reverse("opendata:application-review", args=[application.pk]), {"note": "x"}
    )

    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == S.PENDING


def test_an_official_who_is_not_a_steward_cannot_open_the_review_page(
    client, application, official_wuhou
):
    client.force_login(official_wuhou)
    url = reverse("opendata:application-review", args=[application.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "approve"}).status_code == 404
    application.refresh_from_db()
    assert application.status == S.PENDING
