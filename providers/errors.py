"""The providers app's domain errors."""

from __future__ import annotations

from portal.errors import DomainError


class ProviderError(DomainError):
    """A provider action was refused by a rule (bad input, wrong state)."""


class NotAllowed(ProviderError):
    """The actor may not do this to this organisation (HTTP 403)."""

    status = 403

    def __init__(self, message: str, *, code: str = "not_allowed", field: str | None = None):
        super().__init__(message, code=code, field=field)
