"""统一社会信用代码 of a social organisation: GB 32100's check character, 5 (民政) first, the
kind second, upper case, 18 characters; each refusal says in Chinese what is wrong."""

from __future__ import annotations

import pytest

from socialorgs.errors import SocialOrgError
from socialorgs.models import SocialOrganisation
from socialorgs.services.registry import credit_code_clean, org_register
from tests.socialorgs.factories_registry import (
    civil_affairs_official,
    registration,
    with_check,
)

Kind = SocialOrganisation.Kind
GOOD = with_check("52510107MJ0000123")  # 5 民政, 2 民办非企业单位


def refusal(value, kind=Kind.SOCIAL_SERVICE) -> SocialOrgError:
    with pytest.raises(SocialOrgError) as caught:
        credit_code_clean(value, kind)
    assert caught.value.field == "credit_code"
    return caught.value


def test_a_valid_code_of_the_kind_passes():
    assert credit_code_clean(GOOD, Kind.SOCIAL_SERVICE) == GOOD
    association = with_check("51510107MJ0000123")
    assert credit_code_clean(association, Kind.ASSOCIATION) == association
    foundation = with_check("53510000MJ0000123")
    assert credit_code_clean(foundation, Kind.FOUNDATION) == foundation


def test_a_wrong_check_character_is_refused():
    wrong = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")
    error = refusal(wrong)
    assert error.code == "invalid_credit_code_check"
    assert "校验位" in error.message


def test_a_code_not_registered_by_civil_affairs_is_refused():
    company = with_check("91510107MA0000123")  # 9 市场监管: a company
    error = refusal(company)
    assert error.code == "not_civil_affairs"
    assert "第 1 位应为 5" in error.message


@pytest.mark.parametrize(
    ("first17", "kind", "expected"),
    [
        ("51510107MJ0000123", Kind.SOCIAL_SERVICE, "2"),  # an association's code
        ("52510107MJ0000123", Kind.FOUNDATION, "3"),
        ("53510107MJ0000123", Kind.ASSOCIATION, "1"),
    ],
)
def test_the_second_character_must_match_the_kind(first17, kind, expected):
    error = refusal(with_check(first17), kind)
    assert error.code == "kind_mismatch"
    assert f"第 2 位应为 {expected}" in error.message


def test_lowercase_letters_are_refused_with_their_own_message():
    error = refusal(GOOD.lower())
    assert error.code == "lowercase"
    assert "大写" in error.message


@pytest.mark.parametrize("value", [GOOD[:17], GOOD + "1", "5251"])
def test_a_code_of_another_length_is_refused(value):
    error = refusal(value)
    assert error.code == "invalid_length"
    assert f"您输入了 {len(value)} 位" in error.message


def test_letters_outside_the_alphabet_and_a_blank_code_are_refused():
    assert refusal(GOOD[:10] + "IOZSV" + GOOD[15:]).code == "invalid_credit_code"
    assert refusal("").code == "required"
    assert refusal("   ").code == "required"


@pytest.mark.django_db
def test_registration_puts_the_code_error_on_the_field():
    official = civil_affairs_official()
    company = with_check("91510107MA0000123")
    with pytest.raises(SocialOrgError) as caught:
        org_register(official=official, data=registration(credit_code=company))
    assert caught.value.field_errors() == {"credit_code": [caught.value.message]}
    assert not SocialOrganisation.objects.exists()


@pytest.mark.django_db
def test_the_api_answers_a_bad_code_with_a_chinese_field_error(api_client):
    api_client.force_authenticate(civil_affairs_official())
    data = {**registration(credit_code=GOOD.lower()), "founded_on": "2016-05-10"}
    response = api_client.post("/api/v1/socialorgs/orgs/", data, format="json")
    assert response.status_code == 400
    assert "大写" in response.json()["fields"]["credit_code"][0]
