import pytest
from django.conf import settings
from django.urls import reverse

from portal.accounts.models import Consent, User

pytestmark = pytest.mark.django_db

GOOD = {
    "phone": "138 0013 8000",
    "name": "王芳",
    "email": "",
    "password1": "Xingfu-2026-ok",
    "password2": "Xingfu-2026-ok",
    "consent": "on",
}


def test_a_resident_signs_up_with_phone_name_and_consent(client):
    response = client.post(reverse("accounts:signup"), GOOD)

    assert response.status_code == 302
    user = User.objects.get(phone="+8613800138000")
    assert user.role == User.Role.RESIDENT
    assert user.name == "王芳"
    consent = Consent.objects.get(user=user)
    assert consent.version == settings.PRIVACY_NOTICE_VERSION
    assert consent.document == Consent.Document.PRIVACY_NOTICE
    assert client.get(reverse("accounts:me")).status_code == 200  # signed in


@pytest.mark.real_hasher
def test_passwords_are_stored_with_argon2(client):
    client.post(reverse("accounts:signup"), GOOD)
    assert User.objects.get().password.startswith("argon2")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "有效的中国大陆手机号码"),
        ({"phone": ""}, "phone", "必填"),
        ({"name": ""}, "name", "必填"),
        ({"consent": ""}, "consent", "同意个人信息保护政策"),
        ({"password2": "different-2026"}, "password2", "不一致"),
        ({"password1": "12345678", "password2": "12345678"}, "password1", "数字"),
    ],
)
def test_bad_signup_input_gets_a_chinese_field_error_and_creates_nothing(
    client, change, field, message
):
    response = client.post(reverse("accounts:signup"), {**GOOD, **change})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_a_phone_already_registered_is_a_field_error(client, wang_fang):
    response = client.post(reverse("accounts:signup"), {**GOOD, "phone": wang_fang.phone})

    assert "已注册" in " ".join(response.context["form"].errors["phone"])
    assert User.objects.count() == 1


def test_the_api_signs_up_a_resident(api_client):
    response = api_client.post(
        "/api/v1/accounts/signup/",
        {
            "phone": "13800138000",
            "name": "王芳",
            "password": "Xingfu-2026-ok",
            "consent_version": settings.PRIVACY_NOTICE_VERSION,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["phone"] == "+8613800138000"
    assert Consent.objects.filter(user__phone="+8613800138000").exists()


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"phone": "1380013800"}, "phone", "invalid_phone"),
        ({"consent_version": "1999-01-01"}, "consent", "consent_required"),
        ({"password": "password"}, "password", "weak_password"),
        ({"name": "   "}, "name", None),
    ],
)
def test_the_api_answers_bad_signup_input_with_field_errors(api_client, change, field, code):
    body = {
        "phone": "13800138000",
        "name": "王芳",
        "password": "Xingfu-2026-ok",
        "consent_version": settings.PRIVACY_NOTICE_VERSION,
        **change,
    }
    response = api_client.post("/api/v1/accounts/signup/", body, format="json")

    assert response.status_code == 400
    data = response.json()
    assert set(data) == {"detail", "code", "fields"}
    assert field in data["fields"]
    if code:
        assert data["code"] == code
    assert not User.objects.exists()
