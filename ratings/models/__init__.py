"""Models of the ratings app: reviews and quality scores, inspections and grades, complaints,
credit records and lists."""

from ratings.models.complaints import Complaint, ComplaintEvent, ComplaintFile, ComplaintMessage
from ratings.models.credit import CreditAppeal, CreditEvent, CreditListEntry
from ratings.models.inspections import Grade, Inspection, InspectionItem, InspectionPhoto
from ratings.models.reviews import QualityScore, Review, ReviewPhoto, ReviewReply, ReviewReport

__all__ = [
    "Complaint",
    "ComplaintEvent",
    "ComplaintFile",
    "ComplaintMessage",
    "CreditAppeal",
    "CreditEvent",
    "CreditListEntry",
    "Grade",
    "Inspection",
    "InspectionItem",
    "InspectionPhoto",
    "QualityScore",
    "Review",
    "ReviewPhoto",
    "ReviewReply",
    "ReviewReport",
]
