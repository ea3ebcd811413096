"""Models of the providers app."""

from providers.models.organisations import (
    Accessibility,
    Branch,
    Licence,
    Membership,
    Provider,
    ReviewEvent,
)
from providers.models.staff import Certificate, StaffMember

__all__ = [
    "Accessibility",
    "Branch",
    "Certificate",
    "Licence",
    "Membership",
    "Provider",
    "ReviewEvent",
    "StaffMember",
]
