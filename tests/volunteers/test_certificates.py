"""Certificates (志愿服务证明): the totals of a volunteer's own confirmed hours over a period
(dates in Asia/Shanghai), refused for an empty or impossible period; codes nobody misreads;
the PDF (Chinese, the vendored font, the code and a QR code of the verification page) for the
holder only; the public check shows masked data, valid or revoked, and never an ID number."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine
from django.conf import settings as django_settings
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEntry
from tests.volunteers.factories import activity, certificate, hour_record, organisation, volunteer
from volunteers import certificate_pdf
from volunteers.certificate_codes import (
    CODE_ALPHABET,
    certificate_code_new,
    certificate_code_normalise,
)
from volunteers.errors import NotAllowed, VolunteerConflict, VolunteerError
from volunteers.models import Certificate, HourRecord
from volunteers.selectors import certificate_verify
from volunteers.services import certificate_issue, certificate_revoke

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
CODE = re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")


@pytest.fixture
def org(db):
    return organisation(name="浆洗街社区志愿服务队")


@pytest.fixture
def vol(wang_fang):
    return volunteer(wang_fang, real_name="王小芳")


def served(org, vol, at: dt.datetime, *, hours: float = 2, status="confirmed", **kwargs):
    """A record of `vol` at an activity of `org` starting at `at` (Shanghai time)."""
    act = activity(org, starts_in=at - timezone.now(), hours=hours, **kwargs)
    return hour_record(act, vol, status=status)


def on(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=SHANGHAI)


# --- Issuing ------------------------------------------------------------------------------------


@time_machine.travel(on("2026-06-30", 20), tick=False)
def test_the_certificate_totals_the_confirmed_hours_of_the_period(org, vol, daughter):
    served(org, vol, on("2026-03-02"), hours=2, title="社区助老午餐")
    served(org, vol, on("2026-04-10"), hours=1.5, title="重阳敬老陪伴", domain="elderly")
    served(org, vol, on("2026-04-11"), hours=3, status="pending")  # not confirmed
    served(org, vol, on("2026-02-27"), hours=4)  # before the period
    served(org, volunteer(daughter), on("2026-03-05"), hours=6)  # someone else's

    issued = certificate_issue(
        user=vol.user, period_start=dt.date(2026, 3, 1), period_end=dt.date(2026, 6, 30)
    )

    assert issued.minutes == 210
    assert issued.hours == "3.5"
    assert issued.activity_count == 2
    assert issued.lines == [
        {
            "date": "2026-03-02",
            "activity": "社区助老午餐",
            "organisation": "浆洗街社区志愿服务队",
            "domain": "elderly",
            "minutes": 120,
        },
        {
            "date": "2026-04-10",
            "activity": "重阳敬老陪伴",
            "organisation": "浆洗街社区志愿服务队",
            "domain": "elderly",
            "minutes": 90,
        },
    ]
    assert CODE.match(issued.code)
    assert issued.is_valid
    assert AuditEntry.objects.filter(
        action="volunteer_certificate.issued", target_id=str(issued.pk), actor=vol.user
    ).exists()


@time_machine.travel(on("2026-06-30", 20), tick=False)
def test_the_period_is_counted_in_shanghai_dates(org, vol):
    # 00:30 on 1 March in Shanghai is still 28 February in UTC.
    served(org, vol, on("2026-03-01", 0) + dt.timedelta(minutes=30), hours=1)
    served(org, vol, on("2026-02-28", 23) + dt.timedelta(minutes=30), hours=0.25)

    march = certificate_issue(
        user=vol.user, period_start=dt.date(2026, 3, 1), period_end=dt.date(2026, 3, 31)
    )
    assert (march.minutes, march.lines[0]["date"]) == (60, "2026-03-01")


def test_an_empty_period_is_refused(org, vol):
    served(org, vol, timezone.now() - dt.timedelta(days=40), status="pending")
    today = timezone.localdate()
    with pytest.raises(VolunteerError) as refused:
        certificate_issue(
            user=vol.user, period_start=today - dt.timedelta(days=60), period_end=today
        )
    assert refused.value.code == "empty_period"
    assert "没有已确认的服务时长" in refused.value.message
    assert not Certificate.objects.exists()


@time_machine.travel(on("2026-06-30", 20), tick=False)
@pytest.mark.parametrize(
    ("start", "end", "field", "code"),
    [
        ("2026-06-01", "2026-07-01", "period_end", "future_period"),
        ("2026-06-01", "2026-05-01", "period_end", "invalid"),
        ("2021-06-29", "2026-06-30", "period_start", "period_too_long"),
        ("0001-01-01", "0001-01-06", "period_start", "invalid"),
    ],
)
def test_an_impossible_period_is_refused(org, vol, start, end, field, code):
    served(org, vol, on("2026-06-02"))
    with pytest.raises(VolunteerError) as refused:
        certificate_issue(
            user=vol.user,
            period_start=dt.date.fromisoformat(start),
            period_end=dt.date.fromisoformat(end),
        )
    assert (refused.value.field, refused.value.code) == (field, code)


@time_machine.travel(on("2026-06-30", 20), tick=False)
def test_five_years_exactly_is_allowed(org, vol):
    served(org, vol, on("2022-01-05"))
    issued = certificate_issue(
        user=vol.user, period_start=dt.date(2021, 6, 30), period_end=dt.date(2026, 6, 30)
    )
    assert issued.activity_count == 1


def test_only_volunteers_get_certificates(daughter):
    today = timezone.localdate()
    with pytest.raises(NotAllowed):
        certificate_issue(user=daughter, period_start=today, period_end=today)


# --- Codes --------------------------------------------------------------------------------------


def test_codes_are_random_unambiguous_and_grouped():
    codes = {certificate_code_new() for _ in range(500)}

    assert len(codes) == 500
    assert all(CODE.match(code) for code in codes)
    assert not set("".join(codes)) & set("0O1I")
    assert set(CODE_ALPHABET) == set("".join(codes)) - {"-"}  # every letter gets used


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("abcd-efgh-jkmn", "ABCD-EFGH-JKMN"),
        (" ABCD EFGH JKMN ", "ABCD-EFGH-JKMN"),
        ("abcdefghjkmn", "ABCD-EFGH-JKMN"),
        ("ABCD-EFGH-JKM", None),  # too short
        ("ABCD-EFGH-JKMO", None),  # O is never in a code
        ("ABCD-EFGH-JKMN-2", None),
        ("", None),
    ],
)
def test_what_a_person_types_is_normalised(typed, stored):
    assert certificate_code_normalise(typed) == stored


# --- The PDF ------------------------------------------------------------------------------------


def _pdf(response) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(response.content))


def test_the_holder_downloads_a_pdf_with_the_code_and_the_title(client, org, vol):
    served(org, vol, timezone.now() - dt.timedelta(days=3), title="社区助老午餐")
    today = timezone.localdate()
    issued = certificate_issue(
        user=vol.user, period_start=today - dt.timedelta(days=30), period_end=today
    )
    client.force_login(vol.user)

    response = client.get(reverse("volunteers:certificate-pdf", args=[issued.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    reader = _pdf(response)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "志愿服务证明" in text
    assert issued.code in text
    assert "王小芳" in text  # the holder's own document: the full name
    assert vol.number in text
    assert vol.id_number_masked in text
    assert "社区助老午餐" in text
    assert "2.0" in text  # hours
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any(name.endswith("+WenQuanYiMicroHei-0") for name in fonts), fonts


def test_no_one_else_downloads_it(client, api_client, vol, daughter, org):
    issued = certificate(vol)
    other = volunteer(daughter)
    certificate(other)
    organiser = org.members.get().user  # a resident who runs the organisation

    for someone in (daughter, organiser):
        client.force_login(someone)
        response = client.get(reverse("volunteers:certificate-pdf", args=[issued.pk]))
        assert response.status_code == 404
    api_client.force_authenticate(daughter)
    assert api_client.get(f"/api/v1/volunteers/me/certificates/{issued.pk}/pdf/").status_code == 404
    api_client.force_authenticate(vol.user)
    own = api_client.get(
        f"/api/v1/volunteers/me/certificates/{issued.pk}/pdf/", HTTP_ACCEPT="application/pdf"
    )
    assert own.status_code == 200
    assert own.content.startswith(b"%PDF-")


def test_a_long_certificate_continues_on_more_pages(vol):
    lines = [
        {
            "date": (dt.date(2026, 1, 1) + dt.timedelta(days=i)).isoformat(),
            "activity": f"社区助老服务第{i + 1}次（陪伴聊天、读报、协助用餐）",
            "organisation": "浆洗街社区志愿服务队",
            "domain": "elderly",
            "minutes": 90,
        }
        for i in range(120)
    ]
    long = certificate(vol, lines=lines)

    reader = pypdf.PdfReader(io.BytesIO(certificate_pdf.render_certificate_pdf(long)))

    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 3
    assert "第120次" in pages[-1]
    assert all("活动名称" in text for text in pages)  # the table's header repeats
    # Every page carries the code and its number, so a loose page is still verifiable.
    assert all(f"验证码 {long.code} · 第 {n} 页" in text for n, text in enumerate(pages, 1))


def test_the_qr_code_encodes_the_public_verification_page(vol, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.cn"
    issued = certificate(vol, code="7KQM-X2ZD-HP4N")

    payload = certificate_pdf.qr_payload(issued)
    drawing = certificate_pdf._qr(payload)

    assert payload == "https://portal.example.cn/volunteers/verify/?code=7KQM-X2ZD-HP4N"
    assert drawing.contents[0].value == payload
    text = "".join(
        p.extract_text()
        for p in pypdf.PdfReader(io.BytesIO(certificate_pdf.render_certificate_pdf(issued))).pages
    )
    assert payload in text.replace("\n", "")


def test_the_font_is_the_vendored_one():
    vendored = django_settings.BASE_DIR / "static" / "fonts"
    assert vendored / "wqy-microhei.ttc" == certificate_pdf.FONT_PATH
    assert certificate_pdf.FONT_PATH.is_file()
    assert "Apache License" in (vendored / "LICENSE-wqy-microhei.txt").read_text()


# --- Verification -------------------------------------------------------------------------------


def test_the_verify_page_finds_a_valid_code_and_shows_only_masked_data(client, vol):
    issued = certificate(vol)

    response = client.get(
        reverse("volunteers:verify"), {"code": issued.code.lower().replace("-", " ")}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "有效" in body
    assert "已作废" not in body
    assert "王*芳" in body
    assert "王小芳" not in body
    assert vol.number not in body
    assert vol.number[:4] in body
    assert vol.number[-4:] in body
    assert vol.id_number_masked not in body
    assert vol.phone.removeprefix("+86") not in body
    assert issued.hours in body


def test_a_revoked_certificate_verifies_as_revoked(client, vol):
    issued = certificate(vol)
    certificate_revoke(certificate=issued, user=vol.user)

    body = client.get(reverse("volunteers:verify"), {"code": issued.code}).content.decode()

    assert "已作废" in body
    assert certificate_verify(issued.code)["valid"] is False


def test_an_unknown_code_says_so(client):
    response = client.get(reverse("volunteers:verify"), {"code": "ABCD-EFGH-JKMN"})
    malformed = client.get(reverse("volunteers:verify"), {"code": "not a code"})

    assert response.status_code == 404
    assert "未找到该证明" in response.content.decode()
    assert malformed.status_code == 404
    assert certificate_verify("not a code") is None


def test_the_verify_api_shows_the_same_masked_data(api_client, vol):
    issued = certificate(vol)

    found = api_client.get("/api/v1/volunteers/certificates/verify/", {"code": issued.code})
    unknown = api_client.get("/api/v1/volunteers/certificates/verify/", {"code": "ABCD-EFGH-JKMN"})
    missing = api_client.get("/api/v1/volunteers/certificates/verify/")

    assert found.status_code == 200
    data = found.json()
    assert (data["holder"], data["valid"], data["minutes"]) == ("王*芳", True, 120)
    assert set(data) == {
        "code",
        "holder",
        "volunteer_number",
        "period_start",
        "period_end",
        "minutes",
        "hours",
        "activity_count",
        "issued_on",
        "valid",
        "revoked_on",
    }
    assert "王小芳" not in found.content.decode()
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found"
    assert missing.status_code == 400


def test_verification_is_rate_limited_like_the_other_public_checks(client, api_client, vol):
    from django.core.cache import cache

    from providers.throttles import VerifyThrottle

    issued = certificate(vol)
    cache.clear()
    rates = VerifyThrottle.THROTTLE_RATES
    VerifyThrottle.THROTTLE_RATES = {**rates, "verify": "3/minute"}
    try:
        statuses = [
            api_client.get(
                "/api/v1/volunteers/certificates/verify/", {"code": issued.code}
            ).status_code
            for _ in range(4)
        ]
        page = client.get(reverse("volunteers:verify"), {"code": issued.code})
    finally:
        VerifyThrottle.THROTTLE_RATES = rates
        cache.clear()

    assert statuses == [200, 200, 200, 429]
    assert page.status_code == 429
    assert "查询过于频繁" in page.content.decode()


# --- Pages and API of the holder ----------------------------------------------------------------


def test_the_certificates_page_issues_one_and_shows_errors_in_chinese(client, org, vol):
    served(org, vol, timezone.now() - dt.timedelta(days=3))
    today = timezone.localdate()
    url = reverse("volunteers:certificates")
    client.force_login(vol.user)

    empty = client.post(url, {"period_start": "2020-01-01", "period_end": "2020-02-01"})
    future = client.post(
        url, {"period_start": today.isoformat(), "period_end": (today + dt.timedelta(days=2))}
    )
    issued = client.post(
        url, {"period_start": (today - dt.timedelta(days=10)).isoformat(), "period_end": today}
    )
    page = client.get(url).content.decode()

    assert empty.status_code == 400
    assert "该期间内没有已确认的服务时长" in empty.content.decode()
    assert "截止日期不能晚于今天" in future.content.decode()
    assert issued.status_code == 302
    certificate_row = Certificate.objects.get()
    assert certificate_row.code in page
    assert reverse("volunteers:certificate-pdf", args=[certificate_row.pk]) in page


def test_a_resident_who_is_not_a_volunteer_is_told_how_to_start(client, daughter):
    client.force_login(daughter)
    page = client.get(reverse("volunteers:certificates"))
    assert page.status_code == 200
    assert "实名注册" in page.content.decode()


def test_the_holder_revokes_their_own_certificate_only(client, vol, daughter):
    mine = certificate(vol)
    client.force_login(daughter)
    refused = client.post(reverse("volunteers:certificate-revoke", args=[mine.pk]))
    client.force_login(vol.user)
    revoked = client.post(reverse("volunteers:certificate-revoke", args=[mine.pk]))

    mine.refresh_from_db()
    assert refused.status_code == 404
    assert revoked.status_code == 302
    assert mine.revoked_at is not None
    assert AuditEntry.objects.filter(action="volunteer_certificate.revoked").count() == 1


def test_the_api_issues_lists_and_revokes(api_client, org, vol, daughter):
    served(org, vol, timezone.now() - dt.timedelta(days=3), hours=2.5)
    today = timezone.localdate()
    api_client.force_authenticate(vol.user)

    created = api_client.post(
        "/api/v1/volunteers/me/certificates/",
        {"period_start": (today - dt.timedelta(days=7)).isoformat(), "period_end": today},
        format="json",
    )
    empty = api_client.post(
        "/api/v1/volunteers/me/certificates/",
        {"period_start": "2020-01-01", "period_end": "2020-01-31"},
        format="json",
    )
    listed = api_client.get("/api/v1/volunteers/me/certificates/")
    revoked = api_client.post(f"/api/v1/volunteers/me/certificates/{created.json()['id']}/revoke/")
    twice = api_client.post(f"/api/v1/volunteers/me/certificates/{created.json()['id']}/revoke/")
    api_client.force_authenticate(daughter)
    theirs = api_client.get("/api/v1/volunteers/me/certificates/")

    assert created.status_code == 201, created.json()
    assert (created.json()["minutes"], created.json()["hours"]) == (150, "2.5")
    assert empty.status_code == 400
    assert empty.json()["code"] == "empty_period"
    assert [c["id"] for c in listed.json()] == [created.json()["id"]]
    assert revoked.json()["valid"] is False
    assert twice.status_code == 409
    assert theirs.json() == []


def test_a_later_correction_does_not_change_an_issued_certificate(org, vol):
    record = served(org, vol, timezone.now() - dt.timedelta(days=3), hours=2)
    today = timezone.localdate()
    issued = certificate_issue(
        user=vol.user, period_start=today - dt.timedelta(days=7), period_end=today
    )
    HourRecord.objects.filter(pk=record.pk).update(
        minutes=30,
        period=DateTimeTZRange(record.window_start, record.window_start + dt.timedelta(minutes=30)),
    )
    assert certificate_verify(issued.code)["minutes"] == 120  # a snapshot


def test_staff_and_officials_have_no_certificates_page(client, staff_a, official_wuhou):
    for someone in (staff_a, official_wuhou):
        client.force_login(someone)
        assert client.get(reverse("volunteers:certificates")).status_code == 403


def test_certificates_are_in_my_data_export_and_erasure_leaves_no_name_to_verify(vol, password):
    from portal.accounts import personal_data
    from portal.accounts.services import user_erase

    issued = certificate(vol)
    section = personal_data.export_for(vol.user)["sections"]["volunteering"]
    user_erase(user=vol.user, password=password)

    assert [c["code"] for c in section["certificates"]] == [issued.code]
    checked = certificate_verify(issued.code)
    assert checked["minutes"] == 120
    assert "小" not in checked["holder"]


# --- The daily allowance ------------------------------------------------------------------------


def issue_by_api_and_page(api_client, client, user, body):
    """`user` asks for a certificate with `body` through the API, then through the page."""
    api_client.force_authenticate(user)
    client.force_login(user)
    api = api_client.post("/api/v1/volunteers/me/certificates/", body)
    return api, client.post(reverse("volunteers:certificates"), body)


@time_machine.travel(on("2026-06-30", 23), tick=False)
def test_a_volunteer_issues_at_most_the_days_allowance(org, vol, settings):
    settings.VOLUNTEER_CERTIFICATES_PER_DAY = 2
    served(org, vol, on("2026-06-01"))
    period = {"period_start": dt.date(2026, 6, 1), "period_end": dt.date(2026, 6, 30)}
    # Yesterday's (Shanghai) certificate does not count: 15:59 UTC is 23:59 in Shanghai.
    certificate(vol, issued_at=on("2026-06-29", 23) + dt.timedelta(minutes=59))
    first = certificate_issue(user=vol.user, **period)
    certificate_revoke(certificate=first, user=vol.user)  # revoked ones count
    certificate_issue(user=vol.user, **period)

    with pytest.raises(VolunteerConflict) as refused:
        certificate_issue(user=vol.user, **period)

    assert refused.value.code == "daily_limit"
    assert "每天最多出具 2 份" in refused.value.message
    assert Certificate.objects.filter(volunteer=vol).count() == 3
    with time_machine.travel(on("2026-07-01", 0) + dt.timedelta(minutes=1), tick=False):
        assert certificate_issue(user=vol.user, **period).is_valid  # a new day in Shanghai


def test_the_default_allowance_is_twenty_a_day():
    assert django_settings.VOLUNTEER_CERTIFICATES_PER_DAY == 20


def test_past_the_allowance_the_api_answers_409_and_the_page_says_why(
    api_client, client, org, vol, settings
):
    settings.VOLUNTEER_CERTIFICATES_PER_DAY = 1
    served(org, vol, timezone.now() - dt.timedelta(days=3))
    today = timezone.localdate()
    body = {"period_start": (today - dt.timedelta(days=7)).isoformat(), "period_end": today}
    api_client.force_authenticate(vol.user)
    assert api_client.post("/api/v1/volunteers/me/certificates/", body).status_code == 201

    refused, page = issue_by_api_and_page(api_client, client, vol.user, body)

    assert refused.status_code == 409
    assert refused.json()["code"] == "daily_limit"
    assert page.status_code == 400
    assert "每天最多出具 1 份" in page.content.decode()


# --- Who may ask, before what they ask ----------------------------------------------------------


def test_a_resident_who_is_not_a_volunteer_is_refused_before_the_input_is_read(
    api_client, client, daughter
):
    nonsense = {"period_start": "not a date", "period_end": ""}

    api, page = issue_by_api_and_page(api_client, client, daughter, nonsense)

    assert api.status_code == 403
    assert api.json()["code"] == "not_a_volunteer"
    assert page.status_code == 403
    assert "实名注册" in page.content.decode()
    assert "not a date" not in page.content.decode()
    assert not Certificate.objects.exists()


def test_hours_are_rounded_down_the_same_on_the_page_and_in_the_pdf(vol):
    issued = certificate(
        vol,
        lines=[
            {
                "date": "2026-03-02",
                "activity": "社区助老午餐",
                "organisation": "浆洗街社区志愿服务队",
                "domain": "elderly",
                "minutes": 95,
            }
        ],
    )

    assert issued.hours == "1.5"
    text = "".join(
        page.extract_text()
        for page in pypdf.PdfReader(
            io.BytesIO(certificate_pdf.certificate_pdf_response(issued).content)
        ).pages
    )
    assert "1.5" in text
    assert "1.6" not in text
