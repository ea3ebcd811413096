"""factory_boy factories for providers."""

import factory

from providers.demo import demo_credit_code
from providers.models import Membership, Provider
from tests.accounts.factories import ProviderStaffFactory


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"测试服务机构{n}")
    division_id = "510107"
    credit_code = factory.LazyAttributeSequence(
        lambda o, n: demo_credit_code(o.division_id, 500_000 + n)
    )
    status = Provider.Status.APPROVED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(ProviderStaffFactory)
    provider = factory.SubFactory(ProviderFactory)
    role = Membership.Role.STAFF
