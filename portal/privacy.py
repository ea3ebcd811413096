"""Masking of personal data for screens and exports (names, phones, ID numbers, addresses)."""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings


def mask_phone(phone: str) -> str:
    """`+8613812345678` → `138****5678`."""
    digits = (phone or "").removeprefix("+86")
    if len(digits) != 11:
        return "***"
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str) -> str:
    """The usual Chinese public form: `王芳` → `王*`, `王小芳` → `王*芳`, `欧阳娜娜` → `欧**娜`."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(value: str) -> str:
    """Keep the first and last characters only: `510107199001011234` → `5****************4`."""
    value = value or ""
    if len(value) < 3:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_address(address: str, keep: int = 6) -> str:
    """Keep the start (district, street) and hide the rest (building, door number)."""
    address = address or ""
    return address[:keep] + ("****" if len(address) > keep else "")


# Identifiers people type into free text (a complaint, a note): a mainland mobile number
# (optionally +86/86, with spaces or dashes as people write them) and an 18-character
# 公民身份号码. Digits around them must not be digits, so longer numbers are left alone.
_MOBILE_IN_TEXT = re.compile(
    r"(?<![0-9])(?:\+?86[\s-]?)?(1[3-9][0-9])[\s-]?([0-9]{4})[\s-]?([0-9]{4})(?![0-9])"
)
_ID_IN_TEXT = re.compile(r"(?<![0-9])([1-9][0-9]{16}[0-9Xx])(?![0-9])")


def redact_identifiers(text: str) -> str:
    """Mask the mobile and ID numbers inside free text, for readers who must see what was
    written but not whom it identifies: `请回电 13912345678` → `请回电 139****5678`."""
    if not text:
        return text or ""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m[1]), text)
    return _MOBILE_IN_TEXT.sub(lambda m: f"{m[1]}****{m[3]}", text)


def id_number_digest(value: str) -> str:
    """HMAC-SHA256 of a normalised ID number under PII_HASH_KEY: one person is found again (a
    second registration refused) without the number being stored; not reversible without the key."""
    key = settings.PII_HASH_KEY.encode()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()
