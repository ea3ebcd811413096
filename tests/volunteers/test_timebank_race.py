"""The time bank under a race, over real parallel database connections (the test commits for
real): a record synced by many at once is banked once; many spends at once never overdraw;
the same request submitted many times at once spends once; the ledger stays balanced."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

import pytest
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.volunteers.factories import (
    activity,
    banked,
    hour_record,
    organisation,
    timebank_service,
    volunteer,
)
from tests.volunteers.test_signup_race import run_together
from volunteers.errors import VolunteerConflict
from volunteers.models import HourRecord, TimeBankAccount, TimeBankRedemption, TimeBankTransaction
from volunteers.services import redemption_create, timebank_reconcile, timebank_sync_record
from volunteers.services.timebank import personal_account

THREADS = 8


def own_balance(vol) -> int:
    return TimeBankAccount.objects.get(kind="personal", volunteer=vol).balance_minutes


@pytest.mark.django_db(transaction=True)
def test_a_record_synced_by_many_at_once_is_banked_once():
    vol = volunteer()
    act = activity(organisation(UserFactory()), starts_in=-dt.timedelta(days=2), hours=2)
    record = hour_record(act, vol)
    HourRecord.objects.filter(pk=record.pk).update(status="confirmed", confirmed_at=timezone.now())

    values, errors, overlap = run_together(
        [lambda: timebank_sync_record(record=record) for _ in range(THREADS)]
    )

    assert overlap > 1, "the threads never overlapped"
    assert [e for e in errors if e is not None] == []
    assert sum(v is not None for v in values) == 1
    assert own_balance(vol) == 120
    assert TimeBankTransaction.objects.filter(hour_record=record).count() == 1
    assert timebank_reconcile().ok


@pytest.mark.django_db(transaction=True)
def test_many_spends_at_once_never_overdraw():
    org = organisation(UserFactory())
    vol = volunteer()
    banked(vol, hours=3, org=org)  # 180 minutes: three services of 60
    service = timebank_service(org, price_minutes=60)

    def spend():
        try:
            return redemption_create(
                user=vol.user, service=service, wanted_on=timezone.localdate()
            ).status
        except VolunteerConflict as exc:
            return exc.code

    values, errors, _overlap = run_together([spend for _ in range(THREADS)])

    assert [e for e in errors if e is not None] == []
    assert Counter(values) == {"requested": 3, "insufficient": THREADS - 3}
    assert own_balance(vol) == 0
    assert TimeBankRedemption.objects.count() == 3
    assert timebank_reconcile().ok


@pytest.mark.django_db(transaction=True)
def test_the_same_request_submitted_at_once_spends_once():
    org = organisation(UserFactory())
    vol = volunteer()
    banked(vol, hours=3, org=org)
    service = timebank_service(org, price_minutes=60)
    request_id = uuid.uuid4()

    values, errors, _overlap = run_together(
        [
            lambda: (
                redemption_create(
                    user=vol.user,
                    service=service,
                    wanted_on=timezone.localdate(),
                    request_id=request_id,
                ).pk
            )
            for _ in range(THREADS)
        ]
    )

    assert [e for e in errors if e is not None] == []
    assert len(set(values)) == 1
    assert TimeBankRedemption.objects.count() == 1
    assert personal_account(vol).balance_minutes == 120
    assert timebank_reconcile().ok
