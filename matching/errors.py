"""The matching app's domain errors."""

from __future__ import annotations

from portal.errors import DomainError


class MatchingError(DomainError):
    """A need or a decision on a candidate was refused (bad input: 400). Several field errors
    at once go in `fields`."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        field: str | None = None,
        fields: dict | None = None,
    ) -> None:
        super().__init__(message, code=code, field=field)
        if fields is not None:
            self.fields = fields


class MatchingConflict(MatchingError):
    """The action is not possible in the need's or candidate's current state (409)."""

    status = 409


class MatchingForbidden(MatchingError):
    """The person may not act on this need or lead (403)."""

    status = 403
