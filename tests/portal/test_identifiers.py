import pytest
from django.core.exceptions import ValidationError

from portal.identifiers import (
    credit_code_check_char,
    normalize_mobile,
    resident_id_check_char,
    validate_credit_code,
    validate_resident_id,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "+8613800138000"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("86-138-0013-8000", "+8613800138000"),
        ("19912345678", "+8619912345678"),
    ],
)
def test_it_normalises_mainland_mobiles_to_e164(raw, expected):
    assert normalize_mobile(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1380013800",
        "138001380001",
        "12800138000",
        "+85213800138000",
        "abc",
        "0138001380",
        "１３８００１３８０００",  # full-width digits
    ],
)
def test_it_rejects_what_is_not_a_mainland_mobile(raw):
    with pytest.raises(ValidationError) as exc:
        normalize_mobile(raw)
    assert exc.value.code == "invalid_phone"


def test_it_accepts_a_real_credit_code_and_rejects_a_wrong_check_character():
    # 91350100M000100Y43 is the standard's worked example (GB 32100-2015, 附录).
    validate_credit_code("91350100M000100Y43")
    assert credit_code_check_char("91350100M000100Y4") == "3"
    with pytest.raises(ValidationError, match="校验位"):
        validate_credit_code("91350100M000100Y44")


@pytest.mark.parametrize(
    "raw", ["", "91350100M000100Y4", "91350100M000100YI3", "91350100m000100y43"]
)
def test_it_rejects_malformed_credit_codes(raw):
    with pytest.raises(ValidationError):
        validate_credit_code(raw)


def test_it_checks_resident_id_check_character_and_birth_date():
    # 11010519491231002X is the standard's worked example (GB 11643-1999).
    validate_resident_id("11010519491231002X")
    assert resident_id_check_char("11010519491231002") == "X"
    with pytest.raises(ValidationError, match="校验位"):
        validate_resident_id("110105194912310021")
    with pytest.raises(ValidationError, match="出生日期"):
        validate_resident_id("110105194913310020")
