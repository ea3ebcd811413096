"""Factories for the socialorgs app: valid 统一社会信用代码, registered organisations with an
owner account. Each area's tests keep their own factories beside this one
(factories_<area>.py) and build on these."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from portal.identifiers import credit_code_check_char
from socialorgs.models import OrgMembership, SocialOrganisation
from tests.accounts.factories import UserFactory

# GB 32100: 5 = registered by 民政; then the kind: 1 社会团体, 2 民办非企业单位, 3 基金会.
KIND_DIGIT = {
    SocialOrganisation.Kind.ASSOCIATION: "1",
    SocialOrganisation.Kind.SOCIAL_SERVICE: "2",
    SocialOrganisation.Kind.FOUNDATION: "3",
}
_serial = itertools.count(1)


def credit_code(kind: str = SocialOrganisation.Kind.SOCIAL_SERVICE, area: str = "510107") -> str:
    """A valid 统一社会信用代码 of a social organisation (the check character computed)."""
    first17 = f"5{KIND_DIGIT[kind]}{area}MJ{next(_serial):07d}"
    return first17 + credit_code_check_char(first17)


class SocialOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialOrganisation

    name = factory.Sequence(lambda n: f"测试社会工作服务中心{n}")
    kind = SocialOrganisation.Kind.SOCIAL_SERVICE
    credit_code = factory.LazyAttribute(lambda o: credit_code(o.kind, o.division_id[:6]))
    domain = "social_work"
    authority = "成都市锦江区民政局"
    division_id = "510107"
    address = "成都市锦江区测试路1号"
    latitude = "30.657000"
    longitude = "104.083000"
    legal_rep_name = "王建国"
    founded_on = dt.date(2018, 3, 1)


def socialorg(owner=None, *, role: str = "owner", **kwargs) -> SocialOrganisation:
    """A registered organisation with `owner` (a new resident account unless given) acting
    for it in `role`."""
    org = SocialOrganisationFactory(**kwargs)
    OrgMembership.objects.create(organisation=org, user=owner or UserFactory(), role=role)
    return org
