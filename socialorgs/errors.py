"""The socialorgs app's domain errors."""

from __future__ import annotations

from portal.errors import DomainError


class SocialOrgError(DomainError):
    """An action was refused because of its input (HTTP 400)."""


class SocialOrgConflict(SocialOrgError):
    """The object's current state forbids the action (HTTP 409): a report already reviewed,
    a project closed, a chain entry already recorded."""

    status = 409


class NotAllowed(SocialOrgError):
    """The actor may not do this to this organisation or record (HTTP 403)."""

    status = 403

    def __init__(self, message: str, *, code: str = "not_allowed", field: str | None = None):
        super().__init__(message, code=code, field=field)


class NotFound(SocialOrgError):
    """The object named in the input does not exist for this actor (HTTP 404)."""

    status = 404

    def __init__(self, message: str, *, code: str = "not_found", field: str | None = None):
        super().__init__(message, code=code, field=field)
