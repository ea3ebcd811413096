"""Concurrent appends to one project's chain, on two database connections at once: the project's
row lock serialises them, so the chain stays one valid sequence, and the balance rule holds."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from socialorgs.errors import SocialOrgConflict
from socialorgs.selectors.charity import chain_verify, project_flow
from tests.socialorgs.factories_charity import charity, disburse, donate, project

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
