"""`manage.py ledger_reconcile`: figures and OK on a clean ledger, status 1 naming the problem
when payments and the ledger disagree."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from services.models import Payment
from tests.services.factories import SlotFactory, book, pay, public_listing


def _run() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ledger_reconcile", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def paid_booking(wang_fang, provider_a):
    listing = public_listing(provider_a, price_fen=3000)
    booking = book(wang_fang, SlotFactory(listing=listing))
    pay(booking)
    return booking


def test_an_empty_ledger_reconciles(db):
    out, err = _run()
    assert "OK" in out
    assert err == ""


def test_a_clean_ledger_prints_its_figures_and_succeeds(paid_booking):
    out, err = _run()
    for name in ("ledger_total", "paid_in", "held", "released", "refunded", "escrow"):
        assert name in out
    assert "gateway_book_net" in out
    assert "3,000" in out  # paid in, held, in escrow and in the gateway's book
    assert "OK: the ledger balances and matches." in out
    assert err == ""


def test_a_tampered_payment_fails_naming_the_problem(paid_booking):
    # Someone "releases" money by editing the payment instead of posting a capture entry.
    Payment.objects.filter(booking=paid_booking).update(captured_fen=1000)

    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("ledger_reconcile", stdout=out, stderr=err)

    assert failure.value.returncode == 1  # what `manage.py` exits with
    message = str(failure.value)
    assert "escrow 3000 ≠ money held by payments 2000" in message
    assert "provider receivable + fees 0 ≠ released 1000" in message
    assert "2 problem(s)" in err.getvalue()
    assert "escrow 3000 ≠ money held by payments 2000" in err.getvalue()
    # The figures are still printed, and the verdict is not OK.
    assert "released" in out.getvalue()
    assert "OK" not in out.getvalue()
