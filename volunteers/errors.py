"""The volunteers app's domain errors."""

from __future__ import annotations

from portal.errors import DomainError


class VolunteerError(DomainError):
    """A volunteer action was refused because of its input (HTTP 400)."""


class VolunteerConflict(VolunteerError):
    """The object's current state forbids the action (HTTP 409): a full position, a
    decided sign-up, a record already confirmed."""

    status = 409


class NotAllowed(VolunteerError):
    """The actor may not do this to this organisation or record (HTTP 403)."""

    status = 403

    def __init__(self, message: str, *, code: str = "not_allowed", field: str | None = None):
        super().__init__(message, code=code, field=field)


class NotFound(VolunteerError):
    """The object named in the input does not exist for this actor (HTTP 404): someone
    else's family member answers exactly like an unknown one."""

    status = 404

    def __init__(self, message: str, *, code: str = "not_found", field: str | None = None):
        super().__init__(message, code=code, field=field)
