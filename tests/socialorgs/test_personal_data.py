"""The socialorgs section of a person's data export (organisations they act for, their
donations and online pledges), and what closing the account does: the accounts for
organisations end, pending pledges are withdrawn, donations stay in the append-only ledger
under their public name."""

from __future__ import annotations

import pytest

from portal.accounts import personal_data
from portal.accounts.services import user_erase
from socialorgs.models import ChainEntry, DonationPledge, OrgMembership
from tests.accounts.factories import UserFactory
from tests.socialorgs import factories_charity as charity
from tests.socialorgs.factories import socialorg

pytestmark = pytest.mark.django_db

PASSWORD = "Portal-test-pw-1"


@pytest.fixture
def person(db):
    user = UserFactory(name="欧阳居民")
    org = socialorg(name="心家园社会工作服务中心")
    OrgMembership.objects.create(user=user, organisation=org, role="member")
    fund = charity.project(charity.charity())
    donation = charity.donate_online(fund, user, "88.00")
    waiting = charity.pledge(fund, user, "20.00")
    return {"user": user, "donation": donation, "waiting": waiting}


def test_the_export_holds_donations_and_memberships(person):
    section = personal_data.export_for(person["user"])["sections"]["socialorgs"]

    [donation] = section["donations"]
    assert (donation["amount_fen"], donation["name_recorded"]) == (8800, "欧阳居民")
    assert donation["receipt_code"] == person["donation"].receipt_code
    assert donation["public_name"] == "欧**民"
    assert [o["name"] for o in section["organisations"]] == ["心家园社会工作服务中心"]
    confirmed, waiting = section["pledges"]
    assert (confirmed["status"], confirmed["receipt_code"]) == (
        "confirmed",
        person["donation"].receipt_code,
    )
    assert (waiting["status"], waiting["amount_fen"], waiting["receipt_code"]) == (
        "pending",
        2000,
        "",
    )


def test_someone_without_socialorgs_data_has_no_section(db):
    assert personal_data.export_for(UserFactory())["sections"]["socialorgs"] is None


def test_closing_the_account_ends_memberships_and_keeps_donations_masked(person):
    user = person["user"]

    user_erase(user=user, password=PASSWORD)

    assert not OrgMembership.objects.filter(user=user).exists()
    donation = ChainEntry.objects.get(pk=person["donation"].pk)
    assert (donation.amount_fen, donation.public_name) == (8800, "欧**民")
    waiting = DonationPledge.objects.get(pk=person["waiting"].pk)
    assert (waiting.status, waiting.entry) == ("cancelled", None)
    assert DonationPledge.objects.get(entry=donation).status == "confirmed"
