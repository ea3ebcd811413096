"""The services app's domain errors."""

from __future__ import annotations

from portal.errors import DomainError


class ListingError(DomainError):
    """A listing, schedule or slot action was refused."""
