"""Two credit events recorded at once for one organisation: each recorder locks the
organisation, so the stored score counts both (without the lock, the later write would carry
a score computed without the other's points)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections, transaction
from django.utils import timezone

from socialorgs.services.credit import org_credit_record, org_credit_score
from tests.socialorgs.factories import socialorg


@pytest.mark.django_db(transaction=True)
def test_concurrent_credit_events_both_count_in_the_stored_score():
    org = socialorg()
    first_recorded = threading.Event()
    errors: list[BaseException] = []

    def first():
        try:
            with transaction.atomic():
                org_credit_record(
                    organisation=org,
                    kind="report_overdue",
                    occurred_on=timezone.localdate(),
                    source="race:a",
                )
                first_recorded.set()
                time.sleep(1.0)  # still uncommitted while the second recorder runs
        except BaseException as exc:
            errors.append(exc)
            first_recorded.set()
        finally:
            connections.close_all()

    def second():
        try:
            first_recorded.wait(10)
            org_credit_record(
                organisation=org,
                kind="disclosure_overdue",
                occurred_on=timezone.localdate(),
                source="race:b",
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    org.refresh_from_db()
    assert org_credit_score(organisation=org) == 100 - 10 - 5
    assert org.credit_score == 85
