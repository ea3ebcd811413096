"""Complaint pages and API through the test clients: the resident files and follows, officials
work the board of their jurisdiction, the provider answers; each boundary answers 404."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.audit.models import AuditEntry
from ratings.models import Complaint, ComplaintMessage
from ratings.services import complaints as service
from tests.ratings.factories import ComplaintFactory, evidence, file_complaint
from tests.services.factories import SlotFactory, book, public_listing

TZ = ZoneInfo("Asia/Shanghai")
S = Complaint.Status


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 1, 9, 10, tzinfo=TZ), tick=False) as traveller:
        yield traveller


@pytest.fixture
def booking(clock, wang_fang, provider_a):
    return book(wang_fang, SlotFactory(listing=public_listing(provider_a, price_fen=0)))


@pytest.fixture
def complaint(clock, wang_fang, booking):
    return file_complaint(wang_fang, booking=booking, description="护理员迟到并态度恶劣。")


def handle(complaint, official, *actions, **inputs):
    for action in actions:
        complaint = service.complaint_transition(
            complaint=complaint, action=action, actor=official, **inputs
        )
    return complaint


def page(client, user, name, *args, **kwargs):
    client.force_login(user)
    return client.get(reverse(name, args=args), **kwargs)


# --- The resident's pages ---------------------------------------------------------------------


def test_a_resident_files_a_complaint_about_her_booking_with_evidence(client, wang_fang, booking):
    client.force_login(wang_fang)
    url = reverse("ratings:complaint-new") + f"?booking={booking.pk}"
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"].initial["booking"] == str(booking.pk)

    response = client.post(
        url,
        {
            "booking": str(booking.pk),
            "category": "no_show",
            "description": "约好 9 点上门，11 点才到。",
            "desired_outcome": "退还费用",
            "files": [evidence("a.pdf"), evidence("b.pdf")],
        },
    )
    complaint = Complaint.objects.get(resident=wang_fang)
    assert response.status_code == 302
    assert response["Location"] == reverse("ratings:my-complaint", args=[complaint.pk])
    assert complaint.provider_id == booking.provider_id
    assert complaint.files.count() == 2

    detail = client.get(response["Location"]).content.decode()
    assert complaint.reference in detail
    assert "已收到" in detail
    assert reverse("ratings:complaint-file", args=[complaint.files.first().pk]) in detail
    listing = page(client, wang_fang, "ratings:my-complaints").content.decode()
    assert complaint.reference in listing


def test_the_booking_page_links_to_the_complaint_form(client, wang_fang, booking):
    html = page(client, wang_fang, "services:my-booking", booking.pk).content.decode()
    assert f"{reverse('ratings:complaint-new')}?booking={booking.pk}" in html


def test_someone_elses_booking_in_the_link_is_not_found(client, daughter, booking):
    client.force_login(daughter)
    response = client.get(reverse("ratings:complaint-new") + f"?booking={booking.pk}")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("values", "field", "text"),
    [
        ({"category": ""}, "category", ""),
        ({"files": [evidence() for _ in range(6)]}, "files", "最多上传 5 个"),
        (
            {"files": [SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>")]},
            "files",
            "只能上传",
        ),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_is_saved(
    client, wang_fang, booking, values, field, text
):
    client.force_login(wang_fang)
    data = {"booking": str(booking.pk), "category": "fees", "description": "多收了费用。"}
    response = client.post(reverse("ratings:complaint-new"), {**data, **values})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert text in str(response.context["form"].errors[field])
    assert not Complaint.objects.exists()


def test_a_resident_never_sees_another_residents_complaint(client, daughter, complaint):
    assert page(client, daughter, "ratings:my-complaint", complaint.pk).status_code == 404
    assert (
        complaint.reference not in page(client, daughter, "ratings:my-complaints").content.decode()
    )


def test_the_resident_rates_the_handling_once_closed(client, wang_fang, official_wuhou, complaint):
    url = reverse("ratings:my-complaint", args=[complaint.pk])
    client.force_login(wang_fang)
    assert "rate_form" in client.get(url).context
    assert client.get(url).context["rate_form"] is None
    handle(complaint, official_wuhou, "not_accept", note="不属于本部门职责")
    assert client.get(url).context["rate_form"] is not None
    client.post(url, {"action": "rate", "rating": "5"})
    complaint.refresh_from_db()
    assert complaint.handling_rating == 5
    assert "5 分" in client.get(url).content.decode()


def test_the_resident_adds_a_message(client, wang_fang, complaint):
    client.force_login(wang_fang)
    url = reverse("ratings:my-complaint", args=[complaint.pk])
    assert client.post(url, {"action": "message", "text": "补充说明"}).status_code == 302
    assert ComplaintMessage.objects.get(complaint=complaint).text == "补充说明"


# --- Evidence files --------------------------------------------------------------------------


def test_evidence_is_for_the_complainant_and_the_handling_officials_only(
    client, wang_fang, booking, official_wuhou, official_jinjiang, staff_a, daughter
):
    with time_machine.travel(dt.datetime(2026, 1, 9, 11, tzinfo=TZ), tick=False):
        complaint = file_complaint(wang_fang, booking=booking, files=[evidence()])
    record = complaint.files.get()
    assert page(client, wang_fang, "ratings:complaint-file", record.pk).status_code == 200
    assert page(client, official_wuhou, "ratings:complaint-file", record.pk).status_code == 200
    for outsider in (official_jinjiang, staff_a, daughter):
        assert page(client, outsider, "ratings:complaint-file", record.pk).status_code == 404


# --- The officials' pages ---------------------------------------------------------------------


def test_the_board_shows_the_jurisdictions_complaints_by_status_with_overdue_marked(
    client, clock, complaint, official_wuhou, official_jinjiang, official_city
):
    clock.move_to(dt.datetime(2026, 1, 14, 9, tzinfo=TZ))  # past the two working days
    response = page(client, official_wuhou, "ratings:complaint-board")
    columns = {c["status"]: c["complaints"] for c in response.context["columns"]}
    assert columns[S.RECEIVED] == [complaint]
    assert columns[S.RECEIVED][0].overdue
    assert "已超期" in response.content.decode()
    assert (
        complaint.reference
        in page(client, official_city, "ratings:complaint-board").content.decode()
    )
    other = page(client, official_jinjiang, "ratings:complaint-board").content.decode()
    assert complaint.reference not in other


def test_the_board_filters_and_htmx_gets_only_the_board(client, complaint, official_wuhou):
    client.force_login(official_wuhou)
    url = reverse("ratings:complaint-board")
    assert complaint.reference not in client.get(url, {"status": "accepted"}).content.decode()
    assert complaint.reference not in client.get(url, {"category": "fees"}).content.decode()
    assert complaint.reference in client.get(url, {"q": complaint.reference}).content.decode()
    fragment = client.get(url, {"overdue": "false"}, HTTP_HX_REQUEST="true").content.decode()
    assert complaint.reference in fragment
    assert "<html" not in fragment
    bad = client.get(url, {"status": "nonsense"})
    assert bad.status_code == 200
    assert complaint.reference not in bad.content.decode()


def test_the_board_is_for_officials_only(client, wang_fang, staff_a):
    assert page(client, wang_fang, "ratings:complaint-board").status_code == 403
    assert page(client, staff_a, "ratings:complaint-board").status_code == 403


def test_the_board_makes_the_same_queries_for_one_complaint_or_many(
    client, official_wuhou, provider_a, django_assert_num_queries
):
    ComplaintFactory(provider=provider_a)
    client.force_login(official_wuhou)
    url = reverse("ratings:complaint-board")
    client.get(url)  # warm the session and the navigation
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    ComplaintFactory.create_batch(8, provider=provider_a)
    ComplaintFactory.create_batch(3, provider=provider_a, status=S.RESOLVED)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(url)


def test_an_official_outside_the_jurisdiction_gets_not_found(client, complaint, official_jinjiang):
    assert (
        page(client, official_jinjiang, "ratings:complaint-official", complaint.pk).status_code
        == 404
    )


def test_the_handling_official_sees_the_complainant_and_the_read_is_audited(
    client, complaint, official_wuhou, wang_fang
):
    response = page(client, official_wuhou, "ratings:complaint-official", complaint.pk)
    html = response.content.decode()
    assert "王芳" in html
    assert wang_fang.phone in html
    entry = AuditEntry.objects.get(action="personal_data.read", actor=official_wuhou)
    assert entry.subject == wang_fang
    assert entry.target_id == str(complaint.pk)


def test_another_covering_official_sees_the_complainant_masked_once_someone_handles_it(
    client, complaint, official_wuhou, official_city, wang_fang
):
    handle(complaint, official_wuhou, "accept")
    html = page(client, official_city, "ratings:complaint-official", complaint.pk).content.decode()
    assert "王芳" not in html
    assert wang_fang.phone not in html
    assert "王*" in html
    assert not AuditEntry.objects.filter(action="personal_data.read", actor=official_city).exists()


def test_the_official_takes_the_complaint_through_its_stages(
    client, complaint, official_wuhou, django_capture_on_commit_callbacks
):
    client.force_login(official_wuhou)
    url = reverse("ratings:complaint-official", args=[complaint.pk])
    assert 'value="accept"' in client.get(url).content.decode()
    client.post(url, {"action": "accept"})
    client.post(url, {"action": "investigate", "note": "调取服务记录"})
    response = client.post(url, {"action": "resolve", "outcome": "情况属实", "upheld": "yes"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.upheld) == (S.RESOLVED, True)
    assert [e.to_status for e in complaint.events.all()] == [
        S.RECEIVED,
        S.ACCEPTED,
        S.INVESTIGATING,
        S.RESOLVED,
    ]


def test_a_refused_step_is_explained(client, complaint, official_wuhou):
    client.force_login(official_wuhou)
    url = reverse("ratings:complaint-official", args=[complaint.pk])
    response = client.post(url, {"action": "not_accept", "note": ""}, follow=True)
    assert "请填写理由" in response.content.decode()
    data = {"action": "resolve", "outcome": "x", "upheld": "yes"}
    response = client.post(url, data, follow=True)
    assert "不能办结" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED


# --- The provider's pages ---------------------------------------------------------------------


def test_the_provider_sees_its_complaints_with_the_complainant_masked(
    client, complaint, staff_a, wang_fang
):
    html = page(
        client, staff_a, "ratings:provider-complaints", complaint.provider_id
    ).content.decode()
    assert complaint.reference in html
    assert "王*" in html
    assert "王芳" not in html
    detail = page(client, staff_a, "ratings:complaint-staff", complaint.pk).content.decode()
    assert "王*" in detail
    assert "王芳" not in detail
    assert wang_fang.phone not in detail
    assert wang_fang.masked_phone not in detail


def test_the_provider_answers_in_the_case(client, complaint, staff_a):
    client.force_login(staff_a)
    url = reverse("ratings:complaint-staff", args=[complaint.pk])
    client.post(url, {"action": "message", "text": "已致歉并调整排班。"})
    message = ComplaintMessage.objects.get(complaint=complaint)
    assert message.author == staff_a
    assert "被投诉机构" in client.get(url).content.decode()


def test_provider_b_never_sees_provider_as_complaints(client, complaint, staff_b, provider_a):
    assert page(client, staff_b, "ratings:provider-complaints", provider_a.pk).status_code == 404
    assert page(client, staff_b, "ratings:complaint-staff", complaint.pk).status_code == 404
    client.post(reverse("ratings:complaint-staff", args=[complaint.pk]), {"text": "hi"})
    assert not ComplaintMessage.objects.exists()


# --- API -----------------------------------------------------------------------------------------

LIST = "/api/v1/complaints/"


def detail(complaint, suffix=""):
    return f"/api/v1/complaints/{complaint.pk}/{suffix}"


def test_the_api_files_a_complaint_about_a_booking(api_client, wang_fang, booking):
    api_client.force_authenticate(wang_fang)
    response = api_client.post(
        LIST,
        {"booking": str(booking.pk), "category": "no_show", "description": "迟到两小时"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "received"
    assert body["provider"] == str(booking.provider_id)
    assert body["complainant"] == {"name": "王芳", "phone": wang_fang.phone, "masked": False}


def test_the_api_takes_evidence_as_multipart(api_client, wang_fang, provider_b, clock):
    api_client.force_authenticate(wang_fang)
    response = api_client.post(
        LIST,
        {
            "provider": str(provider_b.pk),
            "category": "fees",
            "description": "收费与公示不符",
            "files": [evidence(), evidence("p.png")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert len(response.json()["files"]) == 2


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"category": ""}, "category"),
        ({"description": ""}, "description"),
        ({"booking": "00000000-0000-0000-0000-000000000000"}, "booking"),
        ({"booking": "not-a-uuid"}, "booking"),
        ({"provider": None, "booking": None}, "provider"),
    ],
)
def test_the_api_answers_bad_input_on_its_field(api_client, wang_fang, booking, values, field):
    api_client.force_authenticate(wang_fang)
    data = {"booking": str(booking.pk), "category": "fees", "description": "多收费"}
    response = api_client.post(LIST, {**data, **values}, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Complaint.objects.exists()


def test_the_api_refuses_too_many_or_wrong_files(api_client, wang_fang, provider_b, clock):
    api_client.force_authenticate(wang_fang)
    data = {"provider": str(provider_b.pk), "category": "fees", "description": "多收费"}
    many = api_client.post(LIST, {**data, "files": [evidence() for _ in range(6)]})
    assert many.status_code == 400
    assert many.json()["code"] == "too_many_files"
    wrong = api_client.post(LIST, {**data, "files": [SimpleUploadedFile("a.pdf", b"GIF89a....")]})
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "file_type"
    assert not Complaint.objects.exists()


def test_only_residents_file_through_the_api(api_client, staff_a, provider_b):
    api_client.force_authenticate(staff_a)
    data = {"provider": str(provider_b.pk), "category": "fees", "description": "x"}
    assert api_client.post(LIST, data, format="json").status_code == 403


def test_the_api_lists_what_each_role_may_see(
    api_client, complaint, wang_fang, daughter, official_wuhou, official_jinjiang, staff_a, staff_b
):
    def refs(user, **params):
        api_client.force_authenticate(user)
        response = api_client.get(LIST, params)
        assert response.status_code == 200
        return [row["reference"] for row in response.json()["results"]]

    assert refs(wang_fang) == [complaint.reference]
    assert refs(official_wuhou) == [complaint.reference]
    assert refs(staff_a) == [complaint.reference]
    assert refs(daughter) == []
    assert refs(official_jinjiang) == []
    assert refs(staff_b) == []
    assert refs(official_wuhou, status="accepted") == []
    assert refs(official_wuhou, overdue="false") == [complaint.reference]


def test_the_api_list_makes_the_same_queries_for_one_or_many(
    api_client, official_wuhou, provider_a, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ComplaintFactory(provider=provider_a)
    api_client.force_authenticate(official_wuhou)
    with CaptureQueriesContext(connection) as one:
        api_client.get(LIST)
    ComplaintFactory.create_batch(10, provider=provider_a)
    with django_assert_num_queries(len(one.captured_queries)):
        assert api_client.get(LIST).json()["count"] == 11


def test_a_complaint_outside_ones_reach_is_not_found(
    api_client, complaint, daughter, official_jinjiang, staff_b
):
    for outsider in (daughter, official_jinjiang, staff_b):
        api_client.force_authenticate(outsider)
        assert api_client.get(detail(complaint)).status_code == 404
        response = api_client.post(detail(complaint, "transition/"), {"action": "accept"})
        assert response.status_code == 404
        assert api_client.get(detail(complaint, "messages/")).status_code == 404


def test_the_provider_reads_the_complaint_masked(api_client, complaint, staff_a):
    api_client.force_authenticate(staff_a)
    body = api_client.get(detail(complaint)).json()
    assert body["complainant"] == {"name": "王*", "phone": "", "masked": True}
    assert not AuditEntry.objects.filter(action="personal_data.read").exists()


def test_the_handling_official_reads_the_complainant_audited(
    api_client, complaint, official_wuhou, wang_fang
):
    api_client.force_authenticate(official_wuhou)
    body = api_client.get(detail(complaint)).json()
    assert body["complainant"]["phone"] == wang_fang.phone
    assert AuditEntry.objects.filter(
        action="personal_data.read", actor=official_wuhou, subject=wang_fang
    ).exists()


def test_the_api_transitions_and_refuses_illegal_ones(
    api_client, complaint, official_wuhou, wang_fang
):
    api_client.force_authenticate(official_wuhou)
    url = detail(complaint, "transition/")
    response = api_client.post(url, {"action": "accept"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    illegal = api_client.post(url, {"action": "accept"}, format="json")
    assert illegal.status_code == 409
    assert illegal.json()["code"] == "illegal_transition"
    api_client.post(url, {"action": "investigate"}, format="json")
    missing = api_client.post(url, {"action": "resolve", "upheld": True}, format="json")
    assert missing.status_code == 400
    assert "outcome" in missing.json()["fields"]
    unknown = api_client.post(url, {"action": "close"}, format="json")
    assert unknown.status_code == 400
    done = api_client.post(
        url, {"action": "resolve", "outcome": "属实", "upheld": True}, format="json"
    )
    assert (done.json()["status"], done.json()["upheld"]) == ("resolved", True)

    api_client.force_authenticate(wang_fang)
    assert api_client.post(url, {"action": "reject", "outcome": "x"}).status_code == 403


def test_the_api_messages_and_rating(api_client, complaint, staff_a, wang_fang, official_wuhou):
    api_client.force_authenticate(staff_a)
    posted = api_client.post(detail(complaint, "messages/"), {"text": "已致歉"}, format="json")
    assert posted.status_code == 201
    assert posted.json()["speaker"] == "provider"
    api_client.force_authenticate(wang_fang)
    listed = api_client.get(detail(complaint, "messages/")).json()
    assert [m["text"] for m in listed] == ["已致歉"]
    early = api_client.post(detail(complaint, "rate/"), {"rating": 4}, format="json")
    assert early.status_code == 409
    handle(complaint, official_wuhou, "not_accept", note="不属于受理范围")
    assert api_client.post(detail(complaint, "rate/"), {"rating": 9}).status_code == 400
    rated = api_client.post(detail(complaint, "rate/"), {"rating": 4}, format="json")
    assert rated.status_code == 200
    assert rated.json()["handling_rating"] == 4
    again = api_client.post(detail(complaint, "rate/"), {"rating": 5}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_rated"


def test_the_schema_documents_the_complaint_endpoints(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    for path in (
        "/api/v1/complaints/",
        "/api/v1/complaints/{id}/",
        "/api/v1/complaints/{id}/transition/",
        "/api/v1/complaints/{id}/messages/",
        "/api/v1/complaints/{id}/rate/",
    ):
        assert path in schema["paths"]
