"""The time bank's ledger: eldercare hours banked once on confirmation, corrections after a
dispute, the database's own rules (balanced, append-only, never overdrawn, no cash kind),
and the reconciliation that proves them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from tests.accounts.factories import UserFactory
from tests.volunteers.factories import activity, banked, hour_record, organisation, volunteer
from volunteers.errors import VolunteerConflict
from volunteers.models import (
    HourRecord,
    TimeBankAccount,
    TimeBankPosting,
    TimeBankTransaction,
)
from volunteers.services import hours_confirm, timebank_reconcile, timebank_sync_record
from volunteers.services.timebank import (
    account_total,
    expired_account,
    personal_account,
    service_given_account,
    transaction_post,
)

pytestmark = pytest.mark.django_db


def balance(vol) -> int:
    account = TimeBankAccount.objects.filter(kind="personal", volunteer=vol).first()
    return account.balance_minutes if account else 0


def assert_ledger_sound():
    report = timebank_reconcile()
    assert report.ok, report.problems
    assert (TimeBankPosting.objects.aggregate(t=Sum("minutes"))["t"] or 0) == 0


def correct(record: HourRecord, minutes: int) -> HourRecord:
    """What a dispute's resolution does: a new period, then the hook, in one transaction (a
    refused correction does not happen)."""
    with transaction.atomic():
        HourRecord.objects.filter(pk=record.pk).update(minutes=minutes)
        record.refresh_from_db()
        timebank_sync_record(record=record)
    return record


# --- Hours in -----------------------------------------------------------------------------------


def test_confirming_eldercare_hours_banks_them_once(wang_fang):
    vol = volunteer(wang_fang)
    record = banked(vol, hours=3)

    assert balance(vol) == 180
    deposit = TimeBankTransaction.objects.get(hour_record=record)
    assert deposit.kind == "deposit"
    assert deposit.key == f"hours:{record.pk}:0"
    # The hook again, and a second confirmation: nothing more moves.
    assert timebank_sync_record(record=record) is None
    with pytest.raises(VolunteerConflict):
        hours_confirm(record=record, actor=record.confirmed_by)
    assert balance(vol) == 180
    assert TimeBankTransaction.objects.filter(hour_record=record).count() == 1
    assert_ledger_sound()


def test_only_the_configured_domains_are_banked(wang_fang, settings):
    vol = volunteer(wang_fang)
    banked(vol, hours=2, domain="environment", days_ago=2)
    assert balance(vol) == 0

    settings.VOLUNTEER_TIMEBANK_DOMAINS = ["elderly", "disability"]
    banked(vol, hours=1, domain="disability", days_ago=3)
    assert balance(vol) == 60
    assert_ledger_sound()


def test_a_record_not_confirmed_banks_nothing(wang_fang):
    vol = volunteer(wang_fang)
    act = activity(organisation(), starts_in=-dt.timedelta(days=2))
    record = hour_record(act, vol, status="pending")

    assert timebank_sync_record(record=record) is None
    assert balance(vol) == 0


def test_a_correction_up_or_down_adjusts_the_account(wang_fang):
    vol = volunteer(wang_fang)
    record = banked(vol, hours=3)

    correct(record, 150)
    assert balance(vol) == 150
    correct(record, 170)
    assert balance(vol) == 170
    correct(record, 170)  # the same again: nothing

    kinds = list(
        TimeBankTransaction.objects.filter(hour_record=record)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["deposit", "adjustment", "adjustment"]
    assert_ledger_sound()


def test_a_correction_down_below_what_is_left_is_refused(wang_fang):
    vol = volunteer(wang_fang)
    record = banked(vol, hours=2)
    # 100 of the 120 minutes are gone (expired here; spending is the same).
    transaction_post(
        key="test-spend",
        kind="expiry",
        memo="spent",
        lines=[(personal_account(vol), -100), (expired_account(), 100)],
    )

    with pytest.raises(VolunteerConflict) as refused:
        correct(record, 60)  # would take back 60 of the 20 left

    assert refused.value.code == "timebank_insufficient"
    assert balance(vol) == 20
    assert_ledger_sound()


def test_confirmation_rolls_back_whole_when_the_ledger_refuses(wang_fang, monkeypatch):
    """The hook runs inside hours_confirm's transaction: no confirmed record without its
    deposit."""
    from volunteers.services import hours

    def refuse(**kwargs):
        raise VolunteerConflict("时间银行余额不足。", code="insufficient")

    monkeypatch.setattr(hours, "timebank_sync_record", refuse)
    vol = volunteer(wang_fang)
    org = organisation()
    record = hour_record(activity(org, starts_in=-dt.timedelta(days=2)), vol)

    with pytest.raises(VolunteerConflict):
        hours_confirm(record=record, actor=org.members.get().user)

    record.refresh_from_db()
    assert record.status == "pending"
    assert balance(vol) == 0


# --- The database's rules: no cash, no overdraft, no rewriting ----------------------------------


def test_the_database_refuses_a_cash_transaction():
    with pytest.raises(IntegrityError, match="timebank_kind_closed"), transaction.atomic():
        TimeBankTransaction.objects.create(key="cash-out", kind="cash", memo="提现")
    with pytest.raises(ValueError, match="unknown kind"):
        transaction_post(key="cash-out", kind="cash", memo="提现", lines=[])
    assert not TimeBankTransaction.objects.filter(key="cash-out").exists()


def test_there_is_no_cash_kind_or_cash_function():
    from volunteers import services
    from volunteers.services import timebank

    assert set(TimeBankTransaction.Kind.values) == {
        "deposit",
        "transfer",
        "redemption",
        "refund",
        "adjustment",
        "expiry",
    }
    names = " ".join(dir(services) + dir(timebank)).lower()
    for word in ("cash", "withdraw", "payout", "convert", "money", "fen", "yuan"):
        assert word not in names


def test_the_database_refuses_an_overdraft(wang_fang):
    vol = volunteer(wang_fang)
    banked(vol, hours=1)
    account = personal_account(vol)

    # Through the service: a conflict, nothing posted.
    with pytest.raises(VolunteerConflict) as refused:
        transaction_post(
            key="overdraw",
            kind="redemption",
            memo="too much",
            lines=[(account, -61), (expired_account(), 61)],
        )
    assert refused.value.code == "insufficient"
    assert not TimeBankTransaction.objects.filter(key="overdraw").exists()

    # Behind the service's back: the database itself refuses.
    with transaction.atomic():
        txn = TimeBankTransaction.objects.create(key="raw", kind="redemption", memo="raw")
        with pytest.raises(IntegrityError, match="timebank_holder_not_negative"):
            TimeBankPosting.objects.create(transaction=txn, account=account, minutes=-61)
        transaction.set_rollback(True)
    assert balance(vol) == 60


def test_the_database_refuses_an_unbalanced_transaction_at_commit(wang_fang):
    vol = volunteer(wang_fang)
    account = personal_account(vol)
    with pytest.raises(ValueError, match="does not balance"):
        transaction_post(key="gift", kind="deposit", memo="free hours", lines=[(account, 600)])
    # Behind the service's back: checked when the transaction commits.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS timebank_transaction_balanced IMMEDIATE")
    with transaction.atomic():
        txn = TimeBankTransaction.objects.create(key="gift", kind="deposit", memo="free")
        with pytest.raises(IntegrityError, match="does not balance"):
            TimeBankPosting.objects.create(transaction=txn, account=account, minutes=600)
        transaction.set_rollback(True)
    assert balance(vol) == 0


def test_postings_cannot_be_changed_or_deleted(wang_fang):
    vol = volunteer(wang_fang)
    record = banked(vol, hours=1)
    posting = TimeBankPosting.objects.filter(transaction__hour_record=record).first()

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        TimeBankPosting.objects.filter(pk=posting.pk).update(minutes=6000)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        TimeBankPosting.objects.filter(pk=posting.pk).delete()
    assert balance(vol) == 60


def test_posting_the_same_key_twice_moves_once(wang_fang):
    vol = volunteer(wang_fang)
    banked(vol, hours=2)
    lines = [(personal_account(vol), -30), (expired_account(), 30)]

    first = transaction_post(key="once", kind="expiry", memo="x", lines=lines)
    again = transaction_post(key="once", kind="expiry", memo="x", lines=lines)

    assert first is not None
    assert again is None
    assert balance(vol) == 90
    assert_ledger_sound()


# --- Reconciliation -----------------------------------------------------------------------------


def test_reconcile_finds_a_balance_that_drifted(wang_fang):
    vol = volunteer(wang_fang)
    banked(vol, hours=1)
    assert_ledger_sound()

    # A balance written behind the ledger's back (the trigger is the only honest writer).
    TimeBankAccount.objects.filter(pk=personal_account(vol).pk).update(balance_minutes=999)
    report = timebank_reconcile()

    assert not report.ok
    assert any("balance 999" in p for p in report.problems)
    with pytest.raises(CommandError, match="reconciliation failed"):
        call_command("timebank_reconcile")


def test_the_reconcile_command_prints_the_figures(wang_fang, capsys):
    vol = volunteer(wang_fang)
    banked(vol, hours=2)

    call_command("timebank_reconcile")

    out = capsys.readouterr().out
    assert "OK: the time bank balances." in out
    assert "given" in out
    assert "120" in out
    assert account_total(service_given_account()) == -120
    assert service_given_account().balance_minutes == 0  # a system account keeps no balance


def test_another_volunteer_is_banked_into_their_own_account(wang_fang):
    mine, theirs = volunteer(wang_fang), volunteer(UserFactory())
    banked(mine, hours=1)
    banked(theirs, hours=2)
    assert (balance(mine), balance(theirs)) == (60, 120)


def test_system_accounts_keep_no_balance_and_their_totals_are_their_postings(wang_fang):
    vol = volunteer(wang_fang)
    banked(vol, hours=2)
    banked(vol, hours=1, days_ago=4)

    given = service_given_account()
    assert given.balance_minutes == 0  # no row every confirmation has to lock
    assert account_total(given) == -180
    assert account_total(personal_account(vol)) == balance(vol) == 180
    report = timebank_reconcile()
    assert report.ok, report.problems
    assert (report.figures["given"], report.figures["held_personal"]) == (180, 180)


def test_reconcile_finds_a_system_account_holding_a_balance(wang_fang):
    banked(volunteer(wang_fang), hours=1)
    TimeBankAccount.objects.filter(kind="service_given").update(balance_minutes=-60)

    report = timebank_reconcile()

    assert any("system account" in p and "-60" in p for p in report.problems), report.problems


def test_reconcile_finds_hours_changed_behind_the_banks_back(wang_fang):
    vol = volunteer(wang_fang)
    record = banked(vol, hours=2)
    assert_ledger_sound()

    # A correction that did not go through the dispute (and so not through the bank).
    HourRecord.objects.filter(pk=record.pk).update(minutes=150)
    report = timebank_reconcile()

    assert not report.ok
    assert report.problems == [f"hour record {record.pk} (confirmed, 150 min) has banked 120 ≠ 150"]


def test_reconcile_finds_confirmed_eldercare_hours_never_banked_and_unconfirmed_ones_kept(
    wang_fang,
):
    vol = volunteer(wang_fang)
    org = organisation()
    act = activity(org, starts_in=-dt.timedelta(days=3), hours=1, domain="elderly")
    never = hour_record(act, vol, status=HourRecord.Status.CONFIRMED)  # written past the hook
    kept = banked(vol, hours=2, days_ago=5)
    HourRecord.objects.filter(pk=kept.pk).update(status=HourRecord.Status.PENDING)
    other = activity(org, starts_in=-dt.timedelta(days=7), hours=1, domain="community")
    hour_record(other, vol, status=HourRecord.Status.CONFIRMED)  # not a banked domain: fine

    problems = timebank_reconcile().problems

    assert problems == [
        f"hour record {never.pk} (confirmed, 60 min) has banked 0 ≠ 60",
        f"hour record {kept.pk} (pending, 120 min) has banked 120 ≠ 0",
    ]


def test_migration_0005_is_reversible_and_restores_system_balances(wang_fang):
    from django.db.migrations.executor import MigrationExecutor

    vol = volunteer(wang_fang)
    banked(vol, hours=2)
    executor = MigrationExecutor(connection)
    executor.migrate([("volunteers", "0004_activity_search_tokens")])
    try:
        assert service_given_account().balance_minutes == -120
        banked(vol, hours=1, days_ago=4)  # the old trigger moves every account's row
        assert service_given_account().balance_minutes == -180
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes("volunteers"))
    assert service_given_account().balance_minutes == 0
    assert account_total(service_given_account()) == -180
    assert_ledger_sound()
