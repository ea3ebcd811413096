"""Masking of personal data for screens and exports (names, phones, ID numbers, addresses)."""

from __future__ import annotations


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
