"""Models of the services app."""

from services.models.bookings import (
    Booking,
    BookingEvent,
    FamilyDoctorContract,
    FamilyDoctorPackage,
    Plan,
    PlanOccurrence,
)
from services.models.listings import Category, Listing, ListingPhoto
from services.models.payments import (
    GatewayEvent,
    JournalEntry,
    LedgerAccount,
    Payment,
    Posting,
    PrepaidPackage,
    SandboxTransaction,
)
from services.models.residents import Address, Dependant
from services.models.schedules import ScheduleException, ScheduleRule, Slot

__all__ = [
    "Address",
    "Booking",
    "BookingEvent",
    "Category",
    "Dependant",
    "FamilyDoctorContract",
    "FamilyDoctorPackage",
    "GatewayEvent",
    "JournalEntry",
    "LedgerAccount",
    "Listing",
    "ListingPhoto",
    "Payment",
    "Plan",
    "PlanOccurrence",
    "Posting",
    "PrepaidPackage",
    "SandboxTransaction",
    "ScheduleException",
    "ScheduleRule",
    "Slot",
]
