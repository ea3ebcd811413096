"""Service staff with protected ID numbers, certificates, and public verification."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from portal.privacy import id_number_digest
from providers.models import Provider, StaffMember
from providers.selectors import verification_lookup
from providers.services import staff
from providers.services.review import NotAllowed, ProviderError
from tests.providers.factories import CertificateFactory, LicenceFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"  # the standard's worked example


def test_an_id_number_is_kept_only_as_a_keyed_hash_and_a_masked_form(provider_a, staff_a):
    member = staff.staff_create(
        provider=provider_a,
        actor=staff_a,
        id_number=ID_NUMBER,
        data={"name": "王小芳", "gender": "female", "role": "caregiver"},
    )

    assert member.id_number_masked == "1****************X"
    assert member.id_number_hash == id_number_digest(ID_NUMBER)
    assert ID_NUMBER not in member.id_number_hash
    row = StaffMember.objects.filter(pk=member.pk).values().get()
    assert ID_NUMBER not in json.dumps(row, default=str)


@pytest.mark.parametrize(
    ("id_number", "message"),
    [("110105194912310021", "校验位"), ("110105194913310020", "出生日期"), ("12345", "18 位")],
)
def test_bad_id_numbers_are_refused(provider_a, staff_a, id_number, message):
    with pytest.raises(ProviderError, match=message) as exc:
        staff.staff_create(
            provider=provider_a,
            actor=staff_a,
            id_number=id_number,
            data={"name": "王小芳", "gender": "female", "role": "caregiver"},
        )
    assert exc.value.field == "id_number"
    assert not StaffMember.objects.exists()


def test_the_same_person_cannot_be_registered_twice_by_one_provider(provider_a, staff_a):
    data = {"name": "王小芳", "gender": "female", "role": "caregiver"}
    staff.staff_create(provider=provider_a, actor=staff_a, id_number=ID_NUMBER, data=data)
    with pytest.raises(ProviderError, match="已在本机构登记"):
        staff.staff_create(
            provider=provider_a, actor=staff_a, id_number=ID_NUMBER.lower(), data=data
        )


def test_a_verified_background_check_needs_a_date(provider_a, staff_a):
    with pytest.raises(ProviderError) as exc:
        staff.staff_create(
            provider=provider_a,
            actor=staff_a,
            id_number=ID_NUMBER,
            data={
                "name": "王小芳",
                "gender": "female",
                "role": "caregiver",
                "background_check": "verified",
            },
        )
    assert exc.value.field == "background_checked_on"


def test_staff_of_b_cannot_add_staff_to_a(provider_a, staff_b):
    with pytest.raises(NotAllowed):
        staff.staff_create(
            provider=provider_a,
            actor=staff_b,
            id_number=ID_NUMBER,
            data={"name": "x", "gender": "female", "role": "caregiver"},
        )


def test_the_public_sees_masked_names_roles_badges_and_experience(client, provider_a):
    member = StaffMemberFactory(
        provider=provider_a,
        name="王小芳",
        background_check="verified",
        background_checked_on=dt.date(2026, 1, 5),
    )
    CertificateFactory(staff=member)

    page = client.get(reverse("providers:public-detail", args=[provider_a.pk])).content.decode()

    assert "王*芳" in page
    assert "王小芳" not in page
    assert member.id_number_masked not in page
    assert "养老护理员职业技能等级证书" in page
    assert "背景已核查" in page


def test_an_unapproved_provider_has_no_public_page(client, provider_a):
    for status in ("draft", "submitted", "rejected", "suspended", "revoked"):
        provider_a.status = status
        provider_a.save()
        url = reverse("providers:public-detail", args=[provider_a.pk])
        assert client.get(url).status_code == 404, status


def test_unapproved_providers_are_invisible_to_the_public_api(api_client, provider_a, provider_b):
    provider_b.status = Provider.Status.SUBMITTED
    provider_b.save()
    listed = {p["id"] for p in api_client.get("/api/v1/providers/").json()["results"]}
    assert listed == {str(provider_a.pk)}
    assert api_client.get(f"/api/v1/providers/{provider_b.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/providers/{provider_b.pk}/branches/").status_code == 404


def test_verifying_a_credit_code_shows_registration_and_licence_state(provider_a):
    LicenceFactory(provider=provider_a)
    LicenceFactory(
        provider=provider_a,
        kind="food_business",
        valid_from=dt.date(2019, 1, 1),
        valid_until=dt.date(2020, 1, 1),
    )

    [result] = verification_lookup(code=provider_a.credit_code.lower())

    assert result["type"] == "organisation"
    assert result["state"] == "approved"
    assert sorted(lic["state"] for lic in result["licences"]) == ["expired", "valid"]
    assert provider_a.contact_phone not in json.dumps(result, default=str)
    assert provider_a.legal_representative not in json.dumps(
        result, default=str, ensure_ascii=False
    )


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("submitted", "under_review"),
        ("rejected", "not_approved"),
        ("suspended", "suspended"),
        ("revoked", "revoked"),
    ],
)
def test_verification_states_follow_the_review(provider_a, status, state):
    provider_a.status = status
    provider_a.save()
    assert verification_lookup(code=provider_a.credit_code)[0]["state"] == state


def test_a_draft_is_not_registered_as_far_as_the_public_knows(provider_a):
    provider_a.status = "draft"
    provider_a.save()
    assert verification_lookup(code=provider_a.credit_code) == []


def test_verifying_a_certificate_shows_validity_and_a_masked_holder(provider_a):
    member = StaffMemberFactory(provider=provider_a, name="王小芳")
    CertificateFactory(staff=member, number="CHN-001", expires_on=dt.date(2020, 1, 1))

    [result] = verification_lookup(code="chn-001")

    assert result["state"] == "expired"
    assert result["holder"] == "王*芳"
    assert result["provider"] == provider_a.name
    text = json.dumps(result, default=str, ensure_ascii=False)
    assert "王小芳" not in text
    assert member.id_number_masked not in text


def test_the_verify_page_and_api(client, api_client, provider_a):
    page = client.get(reverse("providers:verify"), {"code": provider_a.credit_code})
    assert "已审核通过" in page.content.decode()
    response = api_client.get("/api/v1/verify/", {"code": provider_a.credit_code})
    assert response.status_code == 200
    assert response.json()[0]["name"] == provider_a.name
    assert api_client.get("/api/v1/verify/", {"code": "x"}).json()["fields"]["code"]
    unknown = client.get(reverse("providers:verify"), {"code": "NOPE12345"})
    assert "未查到登记信息" in unknown.content.decode()


def test_verification_is_rate_limited(client, api_client, settings, provider_a):
    from django.core.cache import cache

    cache.clear()
    from providers.throttles import VerifyThrottle

    VerifyThrottle.THROTTLE_RATES = {**VerifyThrottle.THROTTLE_RATES, "verify": "3/minute"}
    try:
        statuses = [
            api_client.get("/api/v1/verify/", {"code": provider_a.credit_code}).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        page = client.get(reverse("providers:verify"), {"code": provider_a.credit_code})
        assert page.status_code == 429
        assert "查询过于频繁" in page.content.decode()
    finally:
        VerifyThrottle.THROTTLE_RATES = {**VerifyThrottle.THROTTLE_RATES, "verify": "30/minute"}
        cache.clear()


def test_certificates_of_unapproved_providers_or_former_staff_do_not_verify(provider_a):
    member = StaffMemberFactory(provider=provider_a)
    CertificateFactory(staff=member, number="CHN-777")
    assert verification_lookup(code="CHN-777")[0]["state"] == "valid"
    provider_a.status = "draft"
    provider_a.save()
    assert verification_lookup(code="CHN-777") == []
    provider_a.status = "approved"
    provider_a.save()
    member.is_active = False
    member.save()
    assert verification_lookup(code="CHN-777") == []


def test_an_official_revokes_a_forged_certificate(provider_a, official_wuhou, official_jinjiang):
    from providers.services.staff import certificate_revoke

    certificate = CertificateFactory(staff=StaffMemberFactory(provider=provider_a), number="FAKE-1")
    with pytest.raises(NotAllowed):
        certificate_revoke(certificate=certificate, official=official_jinjiang, reason="伪造")
    with pytest.raises(ProviderError):
        certificate_revoke(certificate=certificate, official=official_wuhou, reason="")
    certificate_revoke(certificate=certificate, official=official_wuhou, reason="证书系伪造")
    assert verification_lookup(code="FAKE-1")[0]["state"] == "revoked"


def test_public_badges_and_the_public_staff_api_show_only_valid_certificates(
    client, api_client, provider_a
):
    member = StaffMemberFactory(provider=provider_a, name="王小芳")
    CertificateFactory(staff=member, kind="nurse", expires_on=dt.date(2020, 1, 1))
    page = client.get(reverse("providers:public-detail", args=[provider_a.pk])).content.decode()
    assert "护士执业证书" not in page
    staff = api_client.get(f"/api/v1/providers/{provider_a.pk}/staff/").json()
    assert staff == [
        {
            "name": "王*芳",
            "role": "caregiver",
            "years_of_experience": 5,
            "certificates": [],
            "background_verified": False,
        }
    ]


def test_certificates_are_revoked_by_officials_and_removed_by_members_through_the_api(
    api_client, provider_a, staff_a, staff_b, official_wuhou, official_jinjiang
):
    member = StaffMemberFactory(provider=provider_a)
    forged = CertificateFactory(staff=member, number="API-1")
    old = CertificateFactory(staff=member, number="API-2")

    api_client.force_authenticate(official_jinjiang)
    url = f"/api/v1/certificates/{forged.pk}/revoke/"
    assert api_client.post(url, {"reason": "伪造"}, format="json").status_code == 404
    api_client.force_authenticate(official_wuhou)
    assert "reason" in api_client.post(url, {}, format="json").json()["fields"]
    assert api_client.post(url, {"reason": "伪造"}, format="json").status_code == 200
    forged.refresh_from_db()
    assert forged.revoked_at is not None

    api_client.force_authenticate(staff_b)
    assert api_client.delete(f"/api/v1/certificates/{old.pk}/").status_code == 404
    api_client.force_authenticate(staff_a)
    assert api_client.delete(f"/api/v1/certificates/{old.pk}/").status_code == 204
    assert not member.certificates.filter(number="API-2").exists()
