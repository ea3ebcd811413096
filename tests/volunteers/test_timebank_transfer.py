"""Transfers to family: only from the volunteer's own account, only to one of their own
family members still on their list and at least 60 today, never more than the balance, once
per request id."""

from __future__ import annotations

import uuid

import pytest
from django.db.models import Sum

from tests.services.factories import DependantFactory
from tests.volunteers.factories import banked, born_years_ago, volunteer
from volunteers.errors import NotAllowed, NotFound, VolunteerConflict, VolunteerError
from volunteers.models import TimeBankAccount, TimeBankPosting
from volunteers.services import timebank_reconcile, timebank_transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def vol(wang_fang):
    vol = volunteer(wang_fang)
    banked(vol, hours=3)
    return vol


def parent(owner, *, age: int = 68, **kwargs):
    return DependantFactory(owner=owner, name="王建国", birth_date=born_years_ago(age), **kwargs)


def balances(vol) -> dict:
    return {
        (a.kind, a.dependant_id): a.balance_minutes
        for a in TimeBankAccount.objects.filter(volunteer=vol)
    }


def test_a_volunteer_gives_hours_to_their_parent(vol, wang_fang):
    father = parent(wang_fang)

    txn = timebank_transfer(user=wang_fang, dependant_id=father.pk, minutes=90, note="给爸爸")

    assert txn.kind == "transfer"
    assert "给爸爸" in txn.memo
    assert balances(vol) == {("personal", None): 90, ("family", father.pk): 90}
    assert timebank_reconcile().ok
    assert TimeBankPosting.objects.aggregate(t=Sum("minutes"))["t"] == 0


def test_the_same_request_transfers_once(vol, wang_fang):
    father = parent(wang_fang)
    request_id = uuid.uuid4()

    first = timebank_transfer(
        user=wang_fang, dependant_id=father.pk, minutes=60, request_id=request_id
    )
    again = timebank_transfer(
        user=wang_fang, dependant_id=father.pk, minutes=60, request_id=str(request_id)
    )

    assert first.pk == again.pk
    assert balances(vol)[("personal", None)] == 120
    # The same id with other content is a mistake, not a second transfer.
    with pytest.raises(VolunteerConflict) as reused:
        timebank_transfer(user=wang_fang, dependant_id=father.pk, minutes=30, request_id=request_id)
    assert reused.value.code == "request_reused"


def test_a_family_member_under_the_minimum_age_is_refused(vol, wang_fang, settings):
    settings.VOLUNTEER_TIMEBANK_FAMILY_MIN_AGE = 60
    fifty_nine = parent(wang_fang, age=59)
    sixty = parent(wang_fang, age=60)

    with pytest.raises(VolunteerError) as young:
        timebank_transfer(user=wang_fang, dependant_id=fifty_nine.pk, minutes=30)
    timebank_transfer(user=wang_fang, dependant_id=sixty.pk, minutes=30)

    assert young.value.code == "too_young"
    assert young.value.field == "dependant"
    assert balances(vol)[("personal", None)] == 150


def test_a_family_member_without_a_birth_date_is_refused(vol, wang_fang):
    unknown_age = DependantFactory(owner=wang_fang, birth_date=None)

    with pytest.raises(VolunteerError) as refused:
        timebank_transfer(user=wang_fang, dependant_id=unknown_age.pk, minutes=30)

    assert refused.value.code == "birth_date_missing"


def test_someone_elses_family_member_is_as_good_as_missing(vol, wang_fang, daughter):
    hers = parent(daughter, age=80)

    with pytest.raises(NotFound) as theirs:
        timebank_transfer(user=wang_fang, dependant_id=hers.pk, minutes=30)
    with pytest.raises(NotFound) as unknown:
        timebank_transfer(user=wang_fang, dependant_id=hers.pk + 1000, minutes=30)

    assert theirs.value.status == unknown.value.status == 404
    assert str(theirs.value) == str(unknown.value)
    assert balances(vol) == {("personal", None): 180}


def test_a_removed_family_member_gets_nothing(vol, wang_fang):
    from django.utils import timezone

    removed = parent(wang_fang, removed_at=timezone.now())

    with pytest.raises(NotFound):
        timebank_transfer(user=wang_fang, dependant_id=removed.pk, minutes=30)


def test_more_than_the_balance_is_refused(vol, wang_fang):
    father = parent(wang_fang)

    with pytest.raises(VolunteerConflict) as refused:
        timebank_transfer(user=wang_fang, dependant_id=father.pk, minutes=181)

    assert refused.value.code == "insufficient"
    assert refused.value.field == "minutes"
    assert balances(vol) == {("personal", None): 180}
    assert timebank_reconcile().ok


@pytest.mark.parametrize(
    ("minutes", "code"),
    [(0, "min_value"), (-30, "min_value"), (1.5, "invalid"), ("abc", "invalid"), (True, "invalid")],
)
def test_minutes_must_be_a_positive_whole_number(vol, wang_fang, minutes, code):
    father = parent(wang_fang)

    with pytest.raises(VolunteerError) as refused:
        timebank_transfer(user=wang_fang, dependant_id=father.pk, minutes=minutes)

    assert (refused.value.code, refused.value.field) == (code, "minutes")


def test_a_resident_who_is_not_a_volunteer_has_nothing_to_give(daughter):
    father = parent(daughter)

    with pytest.raises(NotAllowed):
        timebank_transfer(user=daughter, dependant_id=father.pk, minutes=30)


def test_a_malformed_request_id_is_a_field_error(vol, wang_fang):
    father = parent(wang_fang)

    with pytest.raises(VolunteerError) as refused:
        timebank_transfer(user=wang_fang, dependant_id=father.pk, minutes=30, request_id="x")

    assert refused.value.field == "request_id"


def test_removing_a_family_member_with_hours_keeps_their_account(vol, wang_fang):
    """Their family account refers to them: the member is hidden, not deleted, and the hours
    stay where they are (they can no longer receive more)."""
    from services.services.residents import dependant_remove

    father = parent(wang_fang)
    timebank_transfer(user=wang_fang, dependant_id=father.pk, minutes=60)

    dependant_remove(owner=wang_fang, dependant=father)

    father.refresh_from_db()
    assert father.removed_at is not None
    assert balances(vol) == {("personal", None): 120, ("family", father.pk): 60}
    with pytest.raises(NotFound):
        timebank_transfer(user=wang_fang, dependant_id=father.pk, minutes=30)


def test_a_refused_transfer_leaves_no_account_behind(wang_fang):
    vol = volunteer(wang_fang)  # never banked anything
    father = parent(wang_fang)

    with pytest.raises(VolunteerConflict) as refused:
        timebank_transfer(user=wang_fang, dependant_id=father.pk, minutes=60)

    assert refused.value.code == "insufficient"
    assert not TimeBankAccount.objects.filter(volunteer=vol).exists()
