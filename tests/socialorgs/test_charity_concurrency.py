"""Concurrent appends to one project's chain, on two database connections at once: the project's
row lock serialises them, so the chain stays one valid sequence, the balance rule holds, and a
pledge is confirmed once (or cancelled, never both)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from socialorgs.errors import SocialOrgConflict
from socialorgs.models import DonationPledge, OrgMembership
from socialorgs.selectors.charity import chain_verify, project_flow
from socialorgs.services import charity as services
from tests.accounts.factories import UserFactory
from tests.socialorgs.factories_charity import (
    charity,
    disburse,
    donate,
    owner_of,
    pledge,
    project,
)

pytestmark = pytest.mark.django_db(transaction=True)

PER_THREAD = 8


def _run_in_threads(*jobs) -> list[BaseException]:
    """Run each job on its own thread (its own connection), started together."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def worker(job):
        try:
            barrier.wait(timeout=10)
            job()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_two_connections_appending_at_once_keep_one_valid_chain():
    fund = project(charity())

    def donations(name):
        return lambda: [donate(fund, "1.00", name=name) for _ in range(PER_THREAD)]

    errors = _run_in_threads(donations("张三丰"), donations("李四光"))

    assert errors == []
    report = chain_verify(fund)
    assert report.valid, report.failure
    assert report.count == 2 * PER_THREAD
    assert [c.seq for c in report.entries] == list(range(1, 2 * PER_THREAD + 1))


def test_two_disbursements_racing_for_the_same_balance_cannot_overdraw_it():
    fund = project(charity())
    donate(fund, "100.00")
    outcomes: list[str] = []

    def pay_out():
        try:
            disburse(fund, "80.00")
            outcomes.append("paid")
        except SocialOrgConflict:
            outcomes.append("refused")

    errors = _run_in_threads(pay_out, pay_out)

    assert errors == []
    assert sorted(outcomes) == ["paid", "refused"]
    assert project_flow(fund)["balance_fen"] == 2000
    assert chain_verify(fund).valid


def test_two_managers_confirming_one_pledge_at_once_record_it_once():
    fund = project(charity())
    manager = UserFactory()
    OrgMembership.objects.create(organisation=fund.organisation, user=manager, role="manager")
    pending = pledge(fund, UserFactory(name="林晓梅"), "50.00")

    def confirm(actor):
        return lambda: services.pledge_confirm(pledge=pending, actor=actor)

    errors = _run_in_threads(confirm(owner_of(fund.organisation)), confirm(manager))

    assert errors == []
    assert fund.entries.count() == 1
    assert DonationPledge.objects.get(pk=pending.pk).entry == fund.entries.get()
    assert chain_verify(fund).valid


def test_a_confirmation_racing_the_donors_withdrawal_ends_one_way_only():
    fund = project(charity())
    donor = UserFactory(name="林晓梅")
    pending = pledge(fund, donor, "50.00")
    outcomes: list[str] = []

    def confirm():
        try:
            services.pledge_confirm(pledge=pending, actor=owner_of(fund.organisation))
            outcomes.append("confirmed")
        except SocialOrgConflict:
            outcomes.append("too late")

    def withdraw():
        try:
            services.pledge_cancel(pledge=pending, actor=donor)
            outcomes.append("withdrawn")
        except SocialOrgConflict:
            outcomes.append("too late")

    errors = _run_in_threads(confirm, withdraw)

    assert errors == []
    final = DonationPledge.objects.get(pk=pending.pk)
    assert sorted(outcomes) in (["confirmed", "too late"], ["too late", "withdrawn"])
    assert fund.entries.count() == (1 if final.status == "confirmed" else 0)
