"""Expiry of banked hours: VOLUNTEER_TIMEBANK_EXPIRY_MONTHS after they came in, oldest first,
once per account and day, never when the setting is 0; the daily task and its schedule."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from dateutil.relativedelta import relativedelta

from tests.accounts.factories import UserFactory
from tests.services.factories import DependantFactory
from tests.volunteers.factories import banked, born_years_ago, organisation, timebank_service
from tests.volunteers.factories import volunteer as register
from volunteers.models import TimeBankAccount, TimeBankTransaction
from volunteers.services import (
    redemption_cancel,
    redemption_create,
    timebank_expire,
    timebank_reconcile,
    timebank_transfer,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 1, 10, 10, 0, tzinfo=SHANGHAI)


def at(when: dt.datetime):
    return time_machine.travel(when, tick=False)


def later(months: int = 0, days: int = 0) -> dt.datetime:
    return START + relativedelta(months=months, days=days)


def balance(vol, dependant=None) -> int:
    kind = "family" if dependant else "personal"
    return TimeBankAccount.objects.get(
        kind=kind, volunteer=vol, dependant=dependant
    ).balance_minutes


@pytest.fixture
def org():
    return organisation(UserFactory())


@pytest.fixture
def volunteer(wang_fang):
    with at(START - dt.timedelta(days=30)):
        return register(wang_fang)


def redeem(user, service, when):
    with at(when):
        return redemption_create(
            user=user, service=service, wanted_on=when.date() + dt.timedelta(days=1)
        )


def test_unspent_hours_expire_oldest_first(volunteer, wang_fang, org, settings):
    settings.VOLUNTEER_TIMEBANK_EXPIRY_MONTHS = 36
    service = timebank_service(org, price_minutes=60)
    with at(START):
        banked(volunteer, hours=3, org=org, days_ago=2)  # 180 in on day 0
    with at(later(months=1)):
        banked(volunteer, hours=2, org=org, days_ago=2)  # 120 in a month later
    redeem(wang_fang, service, later(months=2))  # 60 out: taken from the oldest

    # The day before the first deposit's expiry: nothing.
    assert timebank_expire(today=later(months=36, days=-1).date()) == {"accounts": 0, "minutes": 0}
    with at(later(months=36)):
        first = timebank_expire()
        again = timebank_expire()

    assert first == {"accounts": 1, "minutes": 120}  # 180 in, 60 of it spent
    assert again == {"accounts": 0, "minutes": 0}
    assert balance(volunteer) == 120
    expiry = TimeBankTransaction.objects.get(kind="expiry")
    assert expiry.key.endswith(f":{later(months=36).date().isoformat()}")

    # The second deposit a month later, untouched by spending: all of it.
    with at(later(months=37, days=1)):
        assert timebank_expire() == {"accounts": 1, "minutes": 120}
    assert balance(volunteer) == 0
    assert timebank_reconcile().ok


def test_hours_spent_in_time_never_expire(volunteer, wang_fang, org, settings):
    settings.VOLUNTEER_TIMEBANK_EXPIRY_MONTHS = 12
    service = timebank_service(org, price_minutes=60)
    with at(START):
        banked(volunteer, hours=1, org=org, days_ago=2)
    redeem(wang_fang, service, later(months=11))

    with at(later(months=13)):
        assert timebank_expire() == {"accounts": 0, "minutes": 0}
    assert balance(volunteer) == 0
    assert not TimeBankTransaction.objects.filter(kind="expiry").exists()


def test_zero_months_means_hours_never_expire(volunteer, org, settings):
    settings.VOLUNTEER_TIMEBANK_EXPIRY_MONTHS = 0
    with at(START):
        banked(volunteer, hours=2, org=org, days_ago=2)

    with at(later(months=240)):
        assert timebank_expire() == {"accounts": 0, "minutes": 0}
    assert balance(volunteer) == 120


def test_a_cancelled_request_does_not_renew_hours(volunteer, wang_fang, org, settings):
    """Asking for a service and cancelling it is as if it had never happened: the hours keep
    their original date, so a refund after that date expires at the next run."""
    settings.VOLUNTEER_TIMEBANK_EXPIRY_MONTHS = 12
    service = timebank_service(org, price_minutes=60)
    with at(START):
        banked(volunteer, hours=2, org=org, days_ago=2)
    redemption = redeem(wang_fang, service, later(months=11, days=25))

    with at(later(months=12)):
        assert timebank_expire() == {"accounts": 1, "minutes": 60}
    with at(later(months=12, days=2)):
        redemption_cancel(redemption=redemption, actor=wang_fang)
        assert balance(volunteer) == 60
    with at(later(months=12, days=3)):
        assert timebank_expire() == {"accounts": 1, "minutes": 60}
    assert balance(volunteer) == 0
    assert timebank_reconcile().ok


def test_hours_given_to_family_start_a_new_clock(volunteer, wang_fang, org, settings):
    settings.VOLUNTEER_TIMEBANK_EXPIRY_MONTHS = 12
    father = DependantFactory(owner=wang_fang, birth_date=born_years_ago(75))
    with at(START):
        banked(volunteer, hours=2, org=org, days_ago=2)
    with at(later(months=6)):
        timebank_transfer(user=wang_fang, dependant_id=father.pk, minutes=60)

    with at(later(months=12)):
        assert timebank_expire() == {"accounts": 1, "minutes": 60}  # the rest of her own
    assert (balance(volunteer), balance(volunteer, father)) == (0, 60)
    with at(later(months=18)):
        assert timebank_expire() == {"accounts": 1, "minutes": 60}
    assert balance(volunteer, father) == 0
    assert timebank_reconcile().ok


def test_the_daily_task_runs_the_expiry(volunteer, org, settings):
    from volunteers.tasks import timebank_expire_daily

    settings.VOLUNTEER_TIMEBANK_EXPIRY_MONTHS = 1
    with at(START):
        banked(volunteer, hours=1, org=org, days_ago=2)
    with at(later(months=1)):
        assert timebank_expire_daily.apply().get() == {"accounts": 1, "minutes": 60}
        assert timebank_expire_daily.apply().get() == {"accounts": 0, "minutes": 0}

    entry = settings.CELERY_BEAT_SCHEDULE["timebank-expire"]
    assert entry["task"] == "volunteers.tasks.timebank_expire_daily"
    assert entry["schedule"].hour == {3}
