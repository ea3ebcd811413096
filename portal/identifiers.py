"""Validators for Chinese identifiers, shared by forms, serializers, models and importers.

Rules from the standards (see ../shared/standards/README.md): mainland mobile numbers,
公民身份号码 (GB 11643-1999) and 统一社会信用代码 (GB 32100-2015).
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE_RE = re.compile(r"^(?:\+?86)?(1[3-9][0-9]{9})$")
E164_MOBILE_RE = r"^\+861[3-9][0-9]{9}$"


def normalize_mobile(value: str) -> str:
    """Return a mainland mobile number as E.164 (`+8613812345678`) or raise ValidationError.

    Spaces and dashes are tolerated, as people type them; a `+86`/`86` prefix is optional.
    """
    compact = re.sub(r"[\s\-()]", "", value or "")
    match = _MOBILE_RE.match(compact)
    if not match:
        raise ValidationError(
            _("请输入有效的中国大陆手机号码（11 位，以 13–19 开头）。"), code="invalid_phone"
        )
    return "+86" + match.group(1)


def validate_mobile(value: str) -> None:
    normalize_mobile(value)


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def resident_id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def validate_resident_id(value: str) -> None:
    """公民身份号码: 17 digits, a real birth date in digits 7–14, and the ISO 7064 check."""
    value = (value or "").upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        raise ValidationError(_("身份证号码应为 18 位（最后一位可为 X）。"), code="invalid_id")
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="invalid_id_date") from None
    if resident_id_check_char(value[:17]) != value[17]:
        raise ValidationError(_("身份证号码校验位不正确。"), code="invalid_id_check")


CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(
        CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """统一社会信用代码: 18 characters of the GB 32100 alphabet ending in its check character."""
    value = value or ""
    if len(value) != 18 or any(c not in CREDIT_CODE_ALPHABET for c in value):
        raise ValidationError(
            _("统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）。"),
            code="invalid_credit_code",
        )
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确。"), code="invalid_credit_code_check")


LANDLINE_RE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,5})?$")
SERVICE_LINE_RE = re.compile(r"^[48]00-?[0-9]{3}-?[0-9]{4}$")


def validate_public_phone(value: str) -> None:
    """An organisation's public number: a mobile, a landline with area code (028-85551234,
    extension allowed) or a 400/800 service line."""
    compact = re.sub(r"\s", "", value or "")
    if LANDLINE_RE.match(compact) or SERVICE_LINE_RE.match(compact):
        return
    try:
        normalize_mobile(compact)
    except ValidationError:
        raise ValidationError(
            _("请输入有效的联系电话：手机号码、带区号的固定电话（如 028-85551234）或 400 电话。"),
            code="invalid_public_phone",
        ) from None
