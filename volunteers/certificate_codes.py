"""Verification codes of certificates (志愿服务证明): random, unambiguous on paper, grouped
for reading (`7KQM-X2ZD-HP4N`), and what a person types normalised back to the stored form."""

from __future__ import annotations

import secrets

# Letters and digits nobody misreads on paper: no 0/O, 1/I.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_GROUPS, CODE_GROUP_LENGTH = 3, 4  # 12 characters of 32: 60 bits
CODE_LENGTH = CODE_GROUPS * CODE_GROUP_LENGTH


def certificate_code_new() -> str:
    """A new code from `secrets`, as stored and printed: three groups of four."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return _grouped(raw)


def certificate_code_normalise(value: str) -> str | None:
    """What a person typed (any case, spaces, dashes) as a stored code, or None if it cannot
    be one."""
    raw = "".join(ch for ch in (value or "").upper() if ch not in " -_\t\r\n\u3000\u2010\u2014")
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return _grouped(raw)


def _grouped(raw: str) -> str:
    return "-".join(
        raw[i : i + CODE_GROUP_LENGTH] for i in range(0, CODE_LENGTH, CODE_GROUP_LENGTH)
    )
