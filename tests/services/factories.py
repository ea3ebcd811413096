"""factory_boy factories for services."""

import datetime as dt
import uuid
from decimal import Decimal

import factory
from django.utils import timezone

from services.gateways.sandbox import SandboxGateway
from services.models import (
    Address,
    Booking,
    Category,
    Dependant,
    Listing,
    Payment,
    ScheduleRule,
    Slot,
)
from services.services.bookings import booking_create
from services.services.payments import callback_receive
from services.services.visibility import listings_refresh_visibility
from tests.providers.factories import BranchFactory, LicenceFactory


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    branch = factory.SubFactory(BranchFactory)
    provider = factory.LazyAttribute(lambda o: o.branch.provider)
    category = factory.LazyFunction(lambda: Category.objects.get(code="elder_meals"))
    title = factory.Sequence(lambda n: f"长者助餐{n}")
    price_fen = 1500
    price_unit = Listing.PriceUnit.VISIT
    status = Listing.Status.PUBLISHED


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduleRule

    listing = factory.SubFactory(ListingFactory)
    weekday = 0
    start = dt.time(9)
    end = dt.time(12)
    slot_minutes = 60
    capacity = 2


def licensed_listing(provider, **kwargs):
    """A published listing of `provider` whose required licence is on file."""
    LicenceFactory(provider=provider)
    return ListingFactory(branch=BranchFactory(provider=provider), **kwargs)


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Slot

    listing = factory.SubFactory(ListingFactory)
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1))
    capacity = 1
    remaining = factory.LazyAttribute(lambda o: o.capacity)
    generated = False


class DependantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dependant

    name = "王建国"
    relationship = Dependant.Relationship.PARENT
    authority = Dependant.Authority.CONSENT


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    label = "家"
    division_id = "510107"
    detail = "武侯区浆洗街街道洗面桥街 8 号 3 栋 2 单元 501"
    latitude = Decimal("30.641000")
    longitude = Decimal("104.043000")


def public_listing(provider, **kwargs) -> Listing:
    """A published listing of an approved `provider`, visible to the public."""
    listing = licensed_listing(provider, **kwargs)
    listings_refresh_visibility(provider=provider)
    listing.refresh_from_db()
    assert listing.is_public
    return listing


def book(resident, slot, **kwargs) -> Booking:
    kwargs.setdefault("idempotency_key", uuid.uuid4().hex)
    return booking_create(resident=resident, slot_id=slot.pk, **kwargs)


def pay(booking: Booking) -> Payment:
    """The resident pays at the sandbox cashier and the gateway's signed callback arrives."""
    payment = booking.payments.get(status=Payment.Status.PENDING)
    body, signature = SandboxGateway().charge(
        reference=payment.gateway_reference, amount_fen=payment.amount_fen
    )
    return callback_receive(gateway="sandbox", body=body, signature=signature)
