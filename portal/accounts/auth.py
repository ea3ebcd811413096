"""Authentication helpers: the phone number axes counts failures against."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from portal.identifiers import normalize_mobile


def axes_username(request, credentials: dict | None) -> str:
    """Normalise the login name so `138 0013 8000` and `+8613800138000` share one counter."""
    raw = (credentials or {}).get("username") or (credentials or {}).get("phone")
    if raw is None and request is not None:
        data = getattr(request, "data", None) or request.POST
        raw = data.get("username") or data.get("phone")
    raw = raw or ""
    try:
        return normalize_mobile(raw)
    except ValidationError:
        return raw.strip()
