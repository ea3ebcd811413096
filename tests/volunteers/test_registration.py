"""Volunteer registration by real name: the ID number check (GB 11643), its protected
storage, the volunteer number, the guardian rule under 18 and the masked public profile."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from portal.privacy import id_number_digest
from tests.volunteers.factories import born_years_ago, id_number, volunteer
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

URL = "/api/v1/volunteers/me/"


def _body(**changes) -> dict:
    body = {
        "real_name": "王芳",
        "id_number": id_number(dt.date(1990, 3, 15)),
        "phone": "13800000101",
        "division": "510107",
        "consent_version": settings.VOLUNTEER_AGREEMENT_VERSION,
        "skills": ["companionship", "digital"],
        "languages": ["普通话"],
        "available_times": ["weekend_morning"],
    }
    body.update(changes)
    return body


def _register(api_client, user, **changes):
    api_client.force_authenticate(user)
    return api_client.post(URL, _body(**changes), format="json")


def test_a_resident_registers_and_the_id_number_is_kept_only_hashed_and_masked(
    api_client, wang_fang
):
    number = id_number(dt.date(1990, 3, 15))
    response = _register(api_client, wang_fang, id_number=number)

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["id_number_masked"] == number[0] + "*" * 16 + number[-1]
    assert data["birth_date"] == "1990-03-15"
    assert data["phone"] == "+8613800000101"
    assert "id_number" not in data
    saved = Volunteer.objects.get(user=wang_fang)
    assert saved.id_number_hash == id_number_digest(number)
    # Nowhere in the row is the ID number in clear.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM volunteers_volunteer WHERE id = %s", [saved.pk])
        row = cursor.fetchone()
    assert not any(number in str(value) for value in row)


def test_volunteer_numbers_are_city_year_and_a_sequence(wang_fang, daughter):
    first, second = volunteer(wang_fang), volunteer(daughter)
    year = timezone.localdate().year
    assert first.number == f"510100{year}000001"
    assert second.number == f"510100{year}000002"


def test_a_bad_check_digit_is_a_field_error_in_chinese(api_client, wang_fang):
    good = id_number(dt.date(1990, 3, 15))
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = _register(api_client, wang_fang, id_number=bad)

    assert response.status_code == 400
    assert response.json()["fields"] == {"id_number": ["身份证号码校验位不正确。"]}
    assert not Volunteer.objects.exists()


def test_an_impossible_birth_date_is_refused(api_client, wang_fang):
    first17 = "51010719900230123"  # 30 February
    from portal.identifiers import resident_id_check_char

    response = _register(api_client, wang_fang, id_number=first17 + resident_id_check_char(first17))

    assert response.status_code == 400
    assert response.json()["fields"] == {"id_number": ["身份证号码中的出生日期无效。"]}


def test_a_birth_date_in_the_future_is_refused(api_client, wang_fang):
    future = timezone.localdate() + dt.timedelta(days=30)
    response = _register(api_client, wang_fang, id_number=id_number(future))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_id_date"


def test_one_person_registers_once(api_client, wang_fang, daughter):
    number = id_number(dt.date(1990, 3, 15))
    assert _register(api_client, wang_fang, id_number=number).status_code == 201

    again = _register(api_client, daughter, id_number=number.lower())

    assert again.status_code == 400
    assert again.json()["fields"] == {"id_number": ["该身份证号码已注册为志愿者。"]}
    assert _register(api_client, wang_fang).status_code == 409


def test_a_minor_needs_the_guardians_consent(api_client, wang_fang):
    minor = id_number(born_years_ago(16))

    missing = _register(api_client, wang_fang, id_number=minor)
    unconsented = _register(
        api_client,
        wang_fang,
        id_number=minor,
        guardian_name="王建国",
        guardian_phone="13800001111",
    )
    consented = _register(
        api_client,
        wang_fang,
        id_number=minor,
        guardian_name="王建国",
        guardian_phone="13800001111",
        guardian_consent=True,
    )

    assert missing.status_code == 400
    assert missing.json()["fields"] == {"guardian_name": ["此项为必填项。"]}
    assert unconsented.status_code == 400
    assert unconsented.json()["fields"] == {
        "guardian_consent": ["未满 18 周岁的志愿者须经监护人同意。"]
    }
    assert consented.status_code == 201
    assert consented.json()["guardian_phone"] == "+8613800001111"


def test_an_adult_keeps_no_guardian_fields(wang_fang):
    adult = volunteer(wang_fang, age=40, guardian_name="某人", guardian_consent=True)
    assert (adult.guardian_name, adult.guardian_consent) == ("", False)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "请输入有效的中国大陆手机号码（11 位，以 13–19 开头）。"),
        ({"division": "999999"}, "division", "未知的行政区划代码：999999"),
        ({"consent_version": "old"}, "consent_version", "请阅读并同意最新的志愿服务协议。"),
        ({"real_name": "  "}, "real_name", None),
        ({"skills": ["flying"]}, "skills", None),
    ],
)
def test_bad_input_answers_400_with_the_field(api_client, wang_fang, changes, field, message):
    response = _register(api_client, wang_fang, **changes)

    assert response.status_code == 400
    fields = response.json()["fields"]
    assert list(fields) == [field]
    if message:
        assert fields[field] == [message]


def test_only_residents_register(api_client, staff_a, official_wuhou):
    for user in (staff_a, official_wuhou):
        assert _register(api_client, user).status_code == 403


def test_the_public_profile_shows_the_identity_masked(api_client, wang_fang, daughter):
    record = volunteer(wang_fang)
    api_client.force_authenticate(daughter)

    body = api_client.get(f"/api/v1/volunteers/{record.pk}/").content.decode()

    assert "王*" in body
    assert record.number in body
    for secret in ("王芳", "13800000101", record.id_number_masked, str(record.birth_date)):
        assert secret not in body


def test_me_is_404_before_registering(api_client, daughter):
    api_client.force_authenticate(daughter)
    assert api_client.get(URL).status_code == 404
