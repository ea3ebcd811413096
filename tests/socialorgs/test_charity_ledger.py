"""Recording donations and disbursements: the balance rule, idempotent submissions, who may
record, and bad input. (Residents' online donations: test_charity_pledges.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import OrgMembership
from socialorgs.selectors.charity import chain_verify, project_flow
from socialorgs.services import charity as services
from tests.accounts.factories import UserFactory
from tests.socialorgs.factories_charity import (
    charity,
    disburse,
    donate,
    key,
    owner_of,
    project,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund():
    return project(charity())


@pytest.fixture
def donor():
    return UserFactory(name="林晓梅")


# --- The balance ------------------------------------------------------------------------------


def test_a_disbursement_beyond_the_balance_is_refused_and_nothing_is_written(fund):
    donate(fund, "100.00")
    disburse(fund, "60.00")

    with pytest.raises(SocialOrgConflict) as refused:
        disburse(fund, "40.01")

    assert refused.value.code == "insufficient_balance"
    assert refused.value.field == "amount_yuan"
    assert fund.entries.count() == 2
    fund.refresh_from_db()
    assert fund.entry_count == 2


def test_the_whole_balance_can_be_paid_out(fund):
    donate(fund, "100.00")
    disburse(fund, "60.00")
    disburse(fund, "40.00")

    assert project_flow(fund)["balance_fen"] == 0


def test_a_disbursement_on_an_empty_project_is_refused(fund):
    with pytest.raises(SocialOrgConflict):
        disburse(fund, "0.01")


def test_the_flow_allocates_disbursements_to_the_oldest_donations_first(fund):
    donate(fund, "100.00", name="张三丰")
    donate(fund, "50.00", name="欧阳娜娜", anonymous=True)
    disburse(fund, "120.00", name="李小红")
    disburse(fund, "20.00", name="王小明")

    flow = project_flow(fund)

    assert flow["allocations"] == [
        {"donation_seq": 1, "disbursement_seq": 3, "amount_fen": 10000},
        {"donation_seq": 2, "disbursement_seq": 3, "amount_fen": 2000},
        {"donation_seq": 2, "disbursement_seq": 4, "amount_fen": 2000},
    ]
    anonymous = flow["by_seq"][2]
    assert anonymous["remaining_fen"] == 1000
    assert [u["seq"] for u in anonymous["uses"]] == [3, 4]
    assert flow["by_seq"][3]["sources"][1]["public_name"] == "匿名爱心人士"
    assert (flow["donated_fen"], flow["disbursed_fen"], flow["balance_fen"]) == (15000, 14000, 1000)


# --- Idempotent submissions -------------------------------------------------------------------


def test_the_same_submission_twice_records_once(fund):
    owner = owner_of(fund.organisation)
    values = {
        "project": fund,
        "actor": owner,
        "donor_name": "张三丰",
        "amount_yuan": "88.00",
        "occurred_on": timezone.localdate(),
        "request_key": "form-key-0001",
    }
    first = services.donation_record(**values)
    again = services.donation_record(**values)

    assert again.pk == first.pk
    assert again.receipt_code == first.receipt_code
    assert (first.replayed, again.replayed) == (False, True)
    assert fund.entries.count() == 1


def test_a_key_used_for_another_entry_is_refused(fund):
    owner = owner_of(fund.organisation)
    services.donation_record(
        project=fund,
        actor=owner,
        donor_name="张三丰",
        amount_yuan="88.00",
        occurred_on=timezone.localdate(),
        request_key="form-key-0002",
    )
    with pytest.raises(SocialOrgConflict) as refused:
        services.donation_record(
            project=fund,
            actor=owner,
            donor_name="张三丰",
            amount_yuan="99.00",
            occurred_on=timezone.localdate(),
            request_key="form-key-0002",
        )
    assert refused.value.code == "request_key_reused"


# --- Who may record ---------------------------------------------------------------------------


def test_another_organisations_owner_cannot_record_on_this_project(fund):
    other_owner = owner_of(charity(name="另一家慈善基金会"))

    with pytest.raises(NotAllowed):
        donate(fund, actor=other_owner)
    with pytest.raises(NotAllowed):
        disburse(fund, actor=other_owner)
    assert fund.entries.count() == 0


def test_a_plain_member_reads_but_does_not_record(fund):
    member = UserFactory()
    OrgMembership.objects.create(organisation=fund.organisation, user=member, role="member")

    with pytest.raises(NotAllowed):
        donate(fund, actor=member)


def test_a_plain_member_cannot_reveal_real_names_and_nothing_is_logged(fund, donor):
    """Least privilege: the owner and managers, who record and answer for the entries, read
    the real names; a plain member reads the desk with public names only."""
    from portal.audit.models import AuditEntry
    from tests.socialorgs.factories_charity import donate_online, pledge

    donate(fund, "100.00", name="欧阳娜娜", anonymous=True)
    donate_online(fund, donor, "20.00", anonymous=True)
    waiting = pledge(fund, UserFactory(name="王小二"))
    member = UserFactory()
    OrgMembership.objects.create(organisation=fund.organisation, user=member, role="member")

    with pytest.raises(NotAllowed) as entries:
        services.ledger_entries_reveal(project=fund, viewer=member)
    with pytest.raises(NotAllowed) as donors:
        services.pledge_donors_reveal(project=fund, pledges=[waiting], viewer=member)

    assert entries.value.code == donors.value.code == "manager_only"
    assert not AuditEntry.objects.filter(actor=member).exists()


def test_a_manager_reveals_real_names(fund):
    donate(fund, "100.00", name="欧阳娜娜", anonymous=True)
    manager = UserFactory()
    OrgMembership.objects.create(organisation=fund.organisation, user=manager, role="manager")

    entries = services.ledger_entries_reveal(project=fund, viewer=manager)

    assert [e.donor_name for e in entries] == ["欧阳娜娜"]


def test_a_manager_records(fund):
    manager = UserFactory()
    OrgMembership.objects.create(organisation=fund.organisation, user=manager, role="manager")

    entry = donate(fund, actor=manager)

    assert entry.recorded_by == manager


def test_a_resident_cannot_record_a_disbursement(fund, donor):
    donate(fund, "100.00")

    with pytest.raises(NotAllowed):
        disburse(fund, actor=donor)


def test_the_permission_is_checked_before_the_input(fund, donor):
    with pytest.raises(NotAllowed):
        services.disbursement_record(
            project=fund,
            actor=donor,
            beneficiary_name="",
            amount_yuan="abc",
            purpose="",
            occurred_on="not a date",
            request_key="",
        )


# --- A closed project -------------------------------------------------------------------------


def test_a_closed_project_takes_no_donations_but_still_disburses(fund):
    donate(fund, "100.00")
    services.project_close(project=fund, actor=owner_of(fund.organisation))

    with pytest.raises(SocialOrgConflict):
        donate(fund, "1.00")
    disburse(fund, "100.00")
    assert chain_verify(fund).valid


# --- Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount_yuan": "0"}, "amount_yuan"),
        ({"amount_yuan": "-5"}, "amount_yuan"),
        ({"amount_yuan": "1.005"}, "amount_yuan"),
        ({"amount_yuan": "一百"}, "amount_yuan"),
        ({"amount_yuan": "100000001"}, "amount_yuan"),
        ({"donor_name": "  "}, "donor_name"),
        ({"donor_name": "名" * 101}, "donor_name"),
        ({"occurred_on": "2026-13-01"}, "occurred_on"),
        ({"occurred_on": timezone.localdate() + dt.timedelta(days=1)}, "occurred_on"),
        ({"occurred_on": timezone.localdate() - dt.timedelta(days=31)}, "occurred_on"),
        ({"party_kind": "alien"}, "party_kind"),
        ({"request_key": "short"}, "request_key"),
        ({"request_key": "has spaces in it"}, "request_key"),
    ],
)
def test_bad_donation_input_is_refused_on_its_field(fund, change, field):
    values = {
        "project": fund,
        "actor": owner_of(fund.organisation),
        "donor_name": "张三丰",
        "amount_yuan": "10",
        "occurred_on": timezone.localdate(),
        "request_key": key(),
        **change,
    }
    with pytest.raises(SocialOrgError) as refused:
        services.donation_record(**values)

    assert refused.value.field == field
    assert fund.entries.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"beneficiary_name": ""}, "beneficiary_name"),
        ({"purpose": ""}, "purpose"),
        ({"purpose": "用" * 201}, "purpose"),
        ({"amount_yuan": ""}, "amount_yuan"),
    ],
)
def test_bad_disbursement_input_is_refused_on_its_field(fund, change, field):
    donate(fund, "100")
    values = {
        "project": fund,
        "actor": owner_of(fund.organisation),
        "beneficiary_name": "李小红",
        "purpose": "学费",
        "amount_yuan": "10",
        "occurred_on": timezone.localdate(),
        "request_key": key(),
        **change,
    }
    with pytest.raises(SocialOrgError) as refused:
        services.disbursement_record(**values)

    assert refused.value.field == field
    assert fund.entries.count() == 1


def test_a_donation_after_the_period_cannot_be_back_dated_in(fund):
    today = timezone.localdate()
    short = project(
        fund.organisation,
        starts_on=today - dt.timedelta(days=20),
        ends_on=today,
    )
    donate(short, "10", on=today)
    # A disbursement after the period is fine (what was raised is paid out later).
    disburse(short, "10", on=today)


def test_receipt_codes_as_typed():
    assert services.receipt_code_clean(" abcde fghjk ") == "ABCDE-FGHJK"
    assert services.receipt_code_clean("ABCDE-FGHJK") == "ABCDE-FGHJK"
    assert services.receipt_code_clean("ABCDE-FGHJ0") is None  # 0 is not in the alphabet
    assert services.receipt_code_clean("ABC") is None
    assert services.receipt_code_clean(None) is None
