"""Models of the services app."""

from services.models.listings import Category, Listing, ListingPhoto
from services.models.schedules import ScheduleException, ScheduleRule, Slot

__all__ = [
    "Category",
    "Listing",
    "ListingPhoto",
    "ScheduleException",
    "ScheduleRule",
    "Slot",
]
