"""Factories of the charity tests: a charity with 公开募捐资格 and its owner, a filed project,
donations and disbursements recorded through the services (so every entry is on the chain),
residents' online pledges and their confirmation."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets

from django.utils import timezone

from socialorgs.models import ChainEntry, DonationPledge, FundraisingProject, SocialOrganisation
from socialorgs.services import charity as services
from tests.accounts.factories import UserFactory
from tests.socialorgs.factories import socialorg

_filing = itertools.count(1)


def charity(owner=None, **kwargs) -> SocialOrganisation:
    """A foundation recognised as a 慈善组织 with 公开募捐资格 (武侯区 unless given)."""
    values = {
        "name": "成都市测试慈善基金会",
        "kind": SocialOrganisation.Kind.FOUNDATION,
        "domain": "charity",
        "division_id": "510107",
        "is_charity": True,
        "charity_recognised_on": dt.date(2019, 1, 10),
        "public_fundraising": True,
        "fundraising_qualified_on": dt.date(2020, 6, 1),
        **kwargs,
    }
    return socialorg(owner or UserFactory(name="陈慈善"), **values)


def owner_of(organisation: SocialOrganisation):
    return organisation.memberships.get(role="owner").user


def filing_number() -> str:
    return f"53510107MJ{next(_filing):06d}A26"


def project(organisation: SocialOrganisation, actor=None, **kwargs) -> FundraisingProject:
    today = timezone.localdate()
    values = {
        "filing_number": filing_number(),
        "title": "困境儿童助学计划",
        "purpose": "资助武侯区困境家庭儿童的学习费用。",
        "beneficiary_group": "困境儿童",
        "target_yuan": "100000",
        "starts_on": today - dt.timedelta(days=30),
        "ends_on": today + dt.timedelta(days=335),
        **kwargs,
    }
    return services.project_create(
        organisation=organisation, actor=actor or owner_of(organisation), **values
    )


def key() -> str:
    return secrets.token_hex(8)


def donate(
    project: FundraisingProject,
    amount="100.00",
    *,
    name="张三丰",
    anonymous=False,
    party_kind=ChainEntry.Party.PERSON,
    actor=None,
    on: dt.date | None = None,
) -> ChainEntry:
    return services.donation_record(
        project=project,
        actor=actor or owner_of(project.organisation),
        donor_name=name,
        amount_yuan=amount,
        occurred_on=on or timezone.localdate(),
        request_key=key(),
        party_kind=party_kind,
        anonymous=anonymous,
    )


def disburse(
    project: FundraisingProject,
    amount="50.00",
    *,
    name="李小红",
    purpose="学费资助",
    party_kind=ChainEntry.Party.PERSON,
    actor=None,
    on: dt.date | None = None,
) -> ChainEntry:
    return services.disbursement_record(
        project=project,
        actor=actor or owner_of(project.organisation),
        beneficiary_name=name,
        amount_yuan=amount,
        purpose=purpose,
        occurred_on=on or timezone.localdate(),
        request_key=key(),
        party_kind=party_kind,
    )


def pledge(project: FundraisingProject, user, amount="50.00", *, anonymous=False) -> DonationPledge:
    """A resident's online donation, pending until the charity confirms the money."""
    return services.pledge_create(
        project=project, user=user, amount_yuan=amount, request_key=key(), anonymous=anonymous
    )


def donate_online(
    project: FundraisingProject, user, amount="50.00", *, anonymous=False, actor=None
) -> ChainEntry:
    """A resident's online donation whose money the charity's owner confirmed: its entry."""
    pending = pledge(project, user, amount, anonymous=anonymous)
    confirmed = services.pledge_confirm(
        pledge=pending, actor=actor or owner_of(project.organisation)
    )
    return confirmed.entry
