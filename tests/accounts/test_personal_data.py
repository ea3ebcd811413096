import json

import pytest
from django.urls import reverse

from portal.accounts.models import Consent, User
from portal.audit.models import AuditEntry
from portal.audit.services import audit_personal_data_read

pytestmark = pytest.mark.django_db


def test_the_export_holds_my_data_and_nobody_elses(client, wang_fang, daughter, staff_a):
    client.force_login(wang_fang)

    response = client.get(reverse("accounts:my-data-export"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    body = response.content.decode()
    data = json.loads(body)
    assert data["format"] == "portal.personal-data/1"
    assert data["sections"]["account"]["phone"] == wang_fang.phone
    assert data["sections"]["account"]["name"] == "王芳"
    assert {"account", "consents", "access_log", "provider_memberships"} <= set(data["sections"])
    for other in (daughter, staff_a):
        assert other.phone not in body
        assert other.name not in body


def test_the_export_lists_who_read_my_data(client, wang_fang, official_wuhou):
    audit_personal_data_read(
        viewer=official_wuhou,
        subject=wang_fang,
        target=wang_fang,
        fields=["phone"],
        purpose="complaint_handling",
    )
    client.force_login(wang_fang)

    data = client.get(reverse("accounts:my-data-export")).json()

    assert data["sections"]["access_log"][0]["by_role"] == "official"
    assert data["sections"]["access_log"][0]["fields"] == ["phone"]
    # The entry names the role, never the official's own phone or name.
    assert official_wuhou.phone not in json.dumps(data, ensure_ascii=False)


def test_a_staff_members_export_includes_their_memberships(client, staff_a, provider_a):
    client.force_login(staff_a)
    data = client.get(reverse("accounts:my-data-export")).json()
    assert data["sections"]["provider_memberships"][0]["provider"] == provider_a.name


def test_the_my_data_page_offers_export_and_erasure(client, wang_fang):
    client.force_login(wang_fang)
    page = client.get(reverse("accounts:my-data")).content.decode()
    assert reverse("accounts:my-data-export") in page
    assert reverse("accounts:erase") in page


def test_my_data_needs_a_login(client, db):
    assert client.get(reverse("accounts:my-data-export")).status_code == 302


def test_the_api_export_is_my_own(api_client, wang_fang, daughter):
    api_client.force_authenticate(wang_fang)
    body = json.dumps(api_client.get("/api/v1/accounts/me/export/").json(), ensure_ascii=False)
    assert wang_fang.phone in body
    assert daughter.phone not in body


def test_the_api_export_refuses_anonymous_callers(api_client, db):
    response = api_client.get("/api/v1/accounts/me/export/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_erasure_pseudonymises_and_closes_the_account(client, wang_fang, password):
    Consent.objects.create(user=wang_fang, document=Consent.Document.PRIVACY_NOTICE, version="v1")
    client.force_login(wang_fang)
    old_phone = wang_fang.phone

    response = client.post(reverse("accounts:erase"), {"password": password, "confirm": "on"})

    assert response.status_code == 302
    wang_fang.refresh_from_db()
    assert wang_fang.name == "已注销用户"
    assert wang_fang.phone.startswith("erased:")
    assert wang_fang.email == ""
    assert not wang_fang.is_active
    assert wang_fang.erased_at is not None
    assert not User.objects.filter(phone=old_phone).exists()
    relogin = client.post(reverse("accounts:login"), {"username": old_phone, "password": password})
    assert relogin.status_code == 200  # the form again: no such account any more
    assert AuditEntry.objects.filter(action="account.erased", target_id=str(wang_fang.pk)).exists()
    # The consent record stays as evidence of the legal basis, attached to the pseudonym.
    assert wang_fang.consents.count() == 1


def test_erasure_with_a_wrong_password_changes_nothing(client, wang_fang):
    client.force_login(wang_fang)

    response = client.post(reverse("accounts:erase"), {"password": "not-it", "confirm": "on"})

    assert response.status_code == 200
    assert "密码不正确" in response.content.decode()
    wang_fang.refresh_from_db()
    assert wang_fang.is_active
    assert wang_fang.name == "王芳"


def test_erasure_requires_the_confirmation_box(client, wang_fang, password):
    client.force_login(wang_fang)
    response = client.post(reverse("accounts:erase"), {"password": password})
    assert "请勾选确认" in response.content.decode()
    wang_fang.refresh_from_db()
    assert wang_fang.is_active


def test_erasure_through_the_api(api_client, wang_fang, password):
    api_client.force_authenticate(wang_fang)
    assert api_client.post(
        "/api/v1/accounts/me/erasure/", {"password": "wrong"}, format="json"
    ).json()["fields"] == {"password": ["密码不正确。"]}

    response = api_client.post(
        "/api/v1/accounts/me/erasure/", {"password": password}, format="json"
    )

    assert response.status_code == 204
    wang_fang.refresh_from_db()
    assert wang_fang.erased_at is not None


def test_the_my_data_page_shows_reads_by_others_in_plain_words(client, wang_fang, official_wuhou):
    audit_personal_data_read(
        viewer=official_wuhou,
        subject=wang_fang,
        target=wang_fang,
        fields=["phone"],
        purpose="complaint_handling",
    )
    client.force_login(wang_fang)

    page = client.get(reverse("accounts:my-data")).content.decode()

    assert "监管人员" in page
    assert "查看个人信息" in page
    assert "账户信息" in page  # a section label, not a key
    assert official_wuhou.name not in page


def test_reading_my_own_data_is_not_logged_as_a_read_by_others(wang_fang):
    assert (
        audit_personal_data_read(
            viewer=wang_fang,
            subject=wang_fang,
            target=wang_fang,
            fields=["phone"],
            purpose="complaint_handling",
        )
        is None
    )
    assert not AuditEntry.objects.exists()


def test_an_official_opening_a_provider_is_audited(client, official_wuhou, provider_a):
    client.force_login(official_wuhou)
    client.get(reverse("providers:official-detail", args=[provider_a.pk]))
    entry = AuditEntry.objects.get(action="personal_data.read")
    assert entry.actor == official_wuhou
    assert entry.target_id == str(provider_a.pk)


def test_erasure_leaves_the_phone_number_and_addresses_nowhere(client, wang_fang, password):
    from axes.models import AccessAttempt, AccessLog

    phone = wang_fang.phone
    client.post(reverse("accounts:login"), {"username": phone, "password": "typo-typo"})
    client.post(reverse("accounts:login"), {"username": phone, "password": password})
    audit_personal_data_read(
        viewer=wang_fang, subject=None, target=wang_fang, fields=[], purpose="complaint_handling"
    )
    assert AccessAttempt.objects.filter(username=phone).exists()

    client.post(reverse("accounts:erase"), {"password": password, "confirm": "on"})

    assert not AccessAttempt.objects.filter(username=phone).exists()
    assert not AccessLog.objects.filter(username=phone).exists()
    assert not AuditEntry.objects.filter(ip_address__isnull=False, actor=wang_fang).exists()
    assert not AuditEntry.objects.filter(ip_address__isnull=False, subject=wang_fang).exists()


def test_officials_and_staff_cannot_erase_their_accounts_themselves(
    client, api_client, official_wuhou, staff_a, password
):
    client.force_login(official_wuhou)
    assert client.get(reverse("accounts:erase")).status_code == 403
    assert (
        client.post(reverse("accounts:erase"), {"password": password, "confirm": "on"}).status_code
        == 403
    )
    api_client.force_authenticate(staff_a)
    response = api_client.post("/api/v1/accounts/me/erasure/", {"password": password})
    assert response.status_code == 403
    official_wuhou.refresh_from_db()
    staff_a.refresh_from_db()
    assert official_wuhou.is_active
    assert staff_a.is_active


def test_erased_sessions_and_tokens_stop_working(client, api_client, wang_fang, password):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=wang_fang)
    other_device = client.__class__()
    other_device.force_login(wang_fang)
    client.force_login(wang_fang)

    client.post(reverse("accounts:erase"), {"password": password, "confirm": "on"})

    assert other_device.get(reverse("accounts:me")).status_code == 302  # to the login page
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.get("/api/v1/accounts/me/").status_code == 401


def test_the_my_data_page_shows_the_data_itself(client, wang_fang):
    client.force_login(wang_fang)
    page = client.get(reverse("accounts:my-data")).content.decode()
    assert "wangfang@example.cn" in page
