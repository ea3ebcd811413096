"""The services app's domain errors."""

from __future__ import annotations

from portal.errors import DomainError


class ListingError(DomainError):
    """A listing, schedule or slot action was refused."""


class BookingError(DomainError):
    """A booking could not be made or changed (a full slot, an illegal transition...)."""

    status = 409


class BookingInputError(BookingError):
    """The request itself is wrong (an unknown slot, someone else's family member)."""

    status = 400


class PaymentError(DomainError):
    """A payment, refund or gateway callback was refused."""

    status = 400
