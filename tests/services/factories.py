"""factory_boy factories for services."""

import datetime as dt

import factory

from services.models import Category, Listing, ScheduleRule
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
