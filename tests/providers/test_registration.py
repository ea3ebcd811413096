"""Registering an organisation, its profile and branches; uploads; cross-provider access."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.accounts.models import User
from providers.models import Branch, Licence, Provider
from providers.services import licences, registration
from providers.services.review import NotAllowed, ProviderError
from tests.providers.factories import PDF_BYTES, BranchFactory

pytestmark = pytest.mark.django_db

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64

REGISTRATION = {
    "phone": "13912345678",
    "person_name": "赵子龙",
    "password1": "Jigou-2026-ok",
    "password2": "Jigou-2026-ok",
    "name": "晚晴养老服务中心",
    "credit_code": "91350100M000100Y43",
    "division": "510107",
    "domains": ["eldercare"],
    "consent": "on",
}


def test_a_provider_registers_itself_and_its_organisation(client):
    response = client.post(reverse("providers:register"), REGISTRATION)

    assert response.status_code == 302
    provider = Provider.objects.get(credit_code="91350100M000100Y43")
    assert provider.status == Provider.Status.DRAFT
    owner = User.objects.get(phone="+8613912345678")
    assert owner.role == User.Role.PROVIDER_STAFF
    assert provider.memberships.get().user == owner
    assert owner.consents.get().version == settings.PRIVACY_NOTICE_VERSION


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"credit_code": "91350100M000100Y44"}, "credit_code", "校验位"),
        ({"credit_code": "91350100M000100YI3"}, "credit_code", "不含 I"),
        ({"phone": "1234"}, "phone", "手机号码"),
        ({"domains": []}, "domains", "必填"),
        ({"consent": ""}, "consent", "同意"),
    ],
)
def test_bad_registration_input_is_a_field_error_and_nothing_is_created(
    client, change, field, message
):
    response = client.post(reverse("providers:register"), {**REGISTRATION, **change})

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Provider.objects.exists()
    assert not User.objects.exists()  # the account is not left behind either


def test_a_taken_credit_code_leaves_no_account_behind(client, provider_a):
    response = client.post(
        reverse("providers:register"), {**REGISTRATION, "credit_code": provider_a.credit_code}
    )
    assert "已被其他机构登记" in " ".join(response.context["form"].errors["credit_code"])
    assert not User.objects.filter(phone="+8613912345678").exists()


def test_identity_fields_are_locked_once_submitted(provider_a, staff_a):
    provider_a.status = Provider.Status.SUBMITTED
    provider_a.save()
    with pytest.raises(ProviderError) as exc:
        registration.provider_update(provider=provider_a, actor=staff_a, name="换个名字")
    assert exc.value.code == "identity_locked"
    registration.provider_update(provider=provider_a, actor=staff_a, contact_phone="400-888-1234")
    provider_a.refresh_from_db()
    assert provider_a.contact_phone == "400-888-1234"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"latitude": "95"}, "latitude"),
        ({"latitude": "40.7", "longitude": "-74.0"}, "longitude"),  # New York is not in China
        ({"division": "999999"}, "division"),
        ({"name": ""}, "name"),
        ({"accessibility": ["teleport"]}, "accessibility"),
    ],
)
def test_bad_branches_are_refused_with_the_field_named(provider_a, staff_a, data, field):
    good = {
        "name": "玉林网点",
        "address": "玉林南路1号",
        "division": "510107",
        "latitude": "30.63",
        "longitude": "104.06",
    }
    with pytest.raises(ProviderError) as exc:
        registration.branch_create(provider=provider_a, actor=staff_a, data={**good, **data})
    assert exc.value.field == field
    assert not Branch.objects.exists()


def test_a_branch_of_another_provider_cannot_be_added(provider_a, staff_b):
    with pytest.raises(NotAllowed):
        registration.branch_create(provider=provider_a, actor=staff_b, data={"name": "x"})


def _upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


LICENCE = {
    "kind": "eldercare_filing",
    "number": "川民养备001",
    "issuer": "武侯区民政局",
    "valid_from": "2025-01-01",
    "valid_until": "2028-12-31",
}


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (PDF_BYTES, "my-upload.pdf", "application/pdf"),
        (PNG_BYTES, "my-upload.png", "image/png"),
        (JPEG_BYTES, "my-upload.jpg", "image/jpeg"),
    ],
)
def test_licence_scans_are_recognised_by_their_content(
    provider_a, staff_a, content, name, content_type
):
    import datetime as dt

    licence = licences.licence_add(
        provider=provider_a,
        actor=staff_a,
        kind="eldercare_filing",
        number=name,
        issuer="民政局",
        valid_from=dt.date(2025, 1, 1),
        valid_until=None,
        scan=_upload(content, name),
    )
    assert licence.scan_content_type == content_type
    assert licence.scan.name.startswith("private/licences/")
    assert "my-upload" not in licence.scan.name  # stored under a random name


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00 this is an exe", "scan.pdf", "只能上传"),  # a renamed executable
        (b"<html><script>alert(1)</script>", "scan.png", "只能上传"),
        (b"GIF89a......", "scan.gif", "只能上传"),
        (b"%PDF-" + b"0" * (5 * 1024 * 1024), "big.pdf", "不能超过 5 MB"),
        (b"", "empty.pdf", "空文件"),
    ],
)
def test_bad_scans_are_refused_on_the_page(client, provider_a, staff_a, content, name, message):
    client.force_login(staff_a)
    response = client.post(
        reverse("providers:licence-new", args=[provider_a.pk]),
        {**LICENCE, "scan": _upload(content, name)},
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["scan"])
    assert not Licence.objects.exists()


def test_a_bad_scan_is_a_field_error_in_the_api(api_client, provider_a, staff_a):
    api_client.force_authenticate(staff_a)
    response = api_client.post(
        f"/api/v1/providers/{provider_a.pk}/licences/",
        {**LICENCE, "scan": io.BytesIO(b"not a pdf")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "scan" in response.json()["fields"]


def test_a_scan_is_served_to_members_and_covering_officials_only(
    client, provider_a, staff_a, staff_b, official_wuhou, official_jinjiang, wang_fang
):
    import datetime as dt

    licence = licences.licence_add(
        provider=provider_a,
        actor=staff_a,
        kind="eldercare_filing",
        number="1",
        issuer="民政局",
        valid_from=dt.date(2025, 1, 1),
        valid_until=None,
        scan=_upload(PDF_BYTES, "a.pdf"),
    )
    url = reverse("providers:licence-scan", args=[licence.pk])
    for user, expected in [
        (staff_a, 200),
        (official_wuhou, 200),
        (staff_b, 404),
        (official_jinjiang, 404),
        (wang_fang, 404),
    ]:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == expected, user
        if expected == 200:
            assert response["Content-Type"] == "application/pdf"
            assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.logout()
    assert client.get(url).status_code == 404
    assert client.get("/media/" + licence.scan.name).status_code == 404  # no public path


def test_staff_of_a_cannot_open_bs_desk(client, staff_a, provider_b):
    client.force_login(staff_a)
    for name in (
        "providers:staff-detail",
        "providers:staff-edit",
        "providers:staff-list",
        "providers:branch-new",
        "providers:licence-new",
    ):
        assert client.get(reverse(name, args=[provider_b.pk])).status_code == 404, name


def test_staff_of_a_cannot_touch_bs_records_through_the_api(api_client, staff_a, provider_b):
    branch = BranchFactory(provider=provider_b)
    api_client.force_authenticate(staff_a)
    assert (
        api_client.patch(
            f"/api/v1/providers/{provider_b.pk}/", {"description": "x"}, format="json"
        ).status_code
        == 404
    )
    assert (
        api_client.post(
            f"/api/v1/providers/{provider_b.pk}/branches/", {"name": "x"}, format="json"
        ).status_code
        == 404
    )
    # B is approved: A's staff see B's staff as the public does, masked.
    from tests.providers.factories import StaffMemberFactory

    StaffMemberFactory(provider=provider_b, name="刘小红")
    public = api_client.get(f"/api/v1/providers/{provider_b.pk}/staff/").json()
    assert public[0]["name"] == "刘*红"
    assert "id_number_masked" not in public[0]
    assert api_client.get(f"/api/v1/providers/{provider_b.pk}/licences/").status_code == 404
    branch.refresh_from_db()


def test_the_api_creates_a_draft_with_field_errors_for_bad_input(api_client, staff_a):
    api_client.force_authenticate(staff_a)
    bad = api_client.post(
        "/api/v1/providers/",
        {
            "name": "新机构",
            "credit_code": "91350100M000100Y44",
            "division": "510107",
            "domains": ["eldercare"],
        },
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["fields"] == {"credit_code": ["统一社会信用代码校验位不正确。"]}
    ok = api_client.post(
        "/api/v1/providers/",
        {
            "name": "新机构",
            "credit_code": "91350100M000100Y43",
            "division": "510107",
            "domains": ["eldercare"],
        },
        format="json",
    )
    assert ok.status_code == 201
    assert ok.json()["status"] == "draft"


def test_residents_cannot_create_organisations(api_client, wang_fang):
    api_client.force_authenticate(wang_fang)
    response = api_client.post("/api/v1/providers/", {}, format="json")
    assert response.status_code == 403


def test_the_owner_marks_the_organisation_as_serving_remote_points(staff_a, provider_a):
    from providers.services.registration import provider_update

    provider_update(provider=provider_a, actor=staff_a, outreach=True)
    provider_a.refresh_from_db()
    assert provider_a.outreach is True
