"""The ratings app's domain errors."""

from __future__ import annotations

from portal.errors import DomainError


class RatingsError(DomainError):
    """A review, inspection, complaint or credit action was refused (bad input: 400)."""


class RatingsConflict(RatingsError):
    """The action is not possible in the record's current state (409)."""

    status = 409


class RatingsForbidden(RatingsError):
    status = 403
