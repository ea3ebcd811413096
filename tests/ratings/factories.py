"""factory_boy factories for ratings; each sub-domain has its own section."""

# --- complaints

import datetime as dt

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ratings.models import Complaint
from ratings.services.complaints import complaint_file
from tests.accounts.factories import UserFactory
from tests.providers.factories import PDF_BYTES, ProviderFactory

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class ComplaintFactory(factory.django.DjangoModelFactory):
    """A complaint row as filed, without the service's side effects (for list and query tests)."""

    class Meta:
        model = Complaint

    reference = factory.Sequence(lambda n: f"TS260105F{n:06d}")
    resident = factory.SubFactory(UserFactory)
    provider = factory.SubFactory(ProviderFactory)
    division_id = factory.LazyAttribute(lambda o: o.provider.division_id)
    category = Complaint.Category.SERVICE_QUALITY
    description = "上门助浴迟到一个半小时，未提前告知。"
    stage_due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))


def evidence(name: str = "receipt.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    """An uploaded evidence file; the type is read from `content`, not from the name."""
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def file_complaint(resident, *, provider=None, booking=None, **kwargs) -> Complaint:
    """File through the service, as the pages and the API do."""
    kwargs.setdefault("category", Complaint.Category.SERVICE_QUALITY)
    kwargs.setdefault("description", "护理员服务态度恶劣，多次催促老人。")
    return complaint_file(resident=resident, provider=provider, booking=booking, **kwargs)


# --- credit
# (factory, timezone and ProviderFactory come from the imports above.)

from ratings.models import CreditAppeal, CreditEvent, CreditListEntry  # noqa: E402
from tests.accounts.factories import OfficialFactory, ProviderStaffFactory  # noqa: E402


class CreditEventFactory(factory.django.DjangoModelFactory):
    """An upheld complaint (−10) recorded today; pass kind and points for others."""

    class Meta:
        model = CreditEvent

    provider = factory.SubFactory(ProviderFactory)
    kind = CreditEvent.Kind.COMPLAINT_UPHELD
    points = -10
    occurred_on = factory.LazyFunction(timezone.localdate)
    source = factory.Sequence(lambda n: f"test:{n}")
    note = "投诉经查属实"


class CreditListEntryFactory(factory.django.DjangoModelFactory):
    """A black-list entry in force (the row only: ratings.services.credit.list_add also changes
    the provider's standing)."""

    class Meta:
        model = CreditListEntry

    provider = factory.SubFactory(ProviderFactory)
    list = CreditListEntry.List.BLACK
    reason = "虐待老人，情节严重"
    basis = "《养老机构管理办法》第四十六条"
    starts_on = factory.LazyFunction(timezone.localdate)
    created_by = factory.SubFactory(OfficialFactory)


class CreditAppealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreditAppeal

    event = factory.SubFactory(CreditEventFactory)
    provider = factory.LazyAttribute(lambda o: o.event.provider)
    statement = "已完成整改，加强护理员培训。"
    submitted_by = factory.SubFactory(ProviderStaffFactory)


# --- reviews

import itertools  # noqa: E402

from ratings.dimensions import dimension_codes  # noqa: E402
from ratings.models import Review  # noqa: E402
from services.services.bookings import booking_transition  # noqa: E402
from tests.services.factories import SlotFactory, book, pay, public_listing  # noqa: E402

REVIEW_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
_slot_hours = itertools.count()


def completed_booking(resident, provider, staff, *, listing=None, **listing_kwargs):
    """A booking of `resident` at `provider` that was booked, paid, confirmed, started and
    completed by `staff` through the services app (a new public listing unless given)."""
    listing = listing or public_listing(provider, **listing_kwargs)
    # A fresh hour for each booking: the same person cannot be booked twice at one time.
    starts_at = (timezone.now() + dt.timedelta(days=3, hours=2 * next(_slot_hours))).replace(
        minute=0, second=0, microsecond=0
    )
    booking = book(resident, SlotFactory(listing=listing, starts_at=starts_at))
    if booking.price_fen:
        pay(booking)
    for action in ("confirm", "start", "complete"):
        booking = booking_transition(booking=booking, action=action, actor=staff)
    return booking


def ratings_for(domain: str, value: int = 5) -> dict:
    """Every dimension of `domain` rated `value`."""
    return dict.fromkeys(dimension_codes(domain), value)


def review_photo(name: str = "photo.png", content: bytes = REVIEW_PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def review_row(booking, *, overall: int, dimensions=None, status="published", created_at=None):
    """A review row as stored, without the service (for score arithmetic and list tests)."""
    listing = booking.listing
    return Review.objects.create(
        booking=booking,
        resident=booking.resident,
        provider_id=booking.provider_id,
        listing=listing,
        domain=listing.category.domain,
        overall=overall,
        dimensions=dimensions or {},
        status=status,
        created_at=created_at or timezone.now(),
    )


# --- inspections
# (dt, factory, timezone, SimpleUploadedFile, ProviderFactory and OfficialFactory come from above.)

from ratings import checklists  # noqa: E402
from ratings.models import Grade, Inspection  # noqa: E402

INSPECTION_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 48


class InspectionFactory(factory.django.DjangoModelFactory):
    """A planned routine eldercare inspection due in a week (the row only; plan through
    ratings.services.inspections.inspection_plan to test the rules)."""

    class Meta:
        model = Inspection

    provider = factory.SubFactory(ProviderFactory)
    domain = "eldercare"
    kind = Inspection.Kind.ROUTINE
    checklist = factory.LazyAttribute(lambda o: checklists.checklist_for_domain(o.domain).code)
    inspector = factory.SubFactory(OfficialFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))


class GradeFactory(factory.django.DjangoModelFactory):
    """An eldercare 三级 awarded today, valid three years."""

    class Meta:
        model = Grade

    provider = factory.SubFactory(ProviderFactory)
    domain = "eldercare"
    value = "3"
    label = "三级"
    valid_from = factory.LazyFunction(timezone.localdate)
    valid_until = factory.LazyAttribute(
        lambda grade: checklists.grade_validity(grade.domain, grade.valid_from)
    )
    awarded_by = factory.SubFactory(OfficialFactory)


def full_marks(domain: str, **scores) -> dict:
    """Every item of the domain's checklist at its maximum, except the codes given."""
    checklist = checklists.checklist_for_domain(domain)
    return {item.code: scores.get(item.code, item.max_score) for item in checklist.items}


def inspection_photo(name: str = "site.png", content: bytes = INSPECTION_PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")
