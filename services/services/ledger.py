"""The double-entry ledger: post balanced entries once, read balances, reconcile.

Every entry's postings sum to zero (the database checks it at commit); an entry's `key` makes
posting idempotent, so a retried callback or job never moves money twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, Sum

from services.models import JournalEntry, LedgerAccount, Payment, Posting, SandboxTransaction

Kind = LedgerAccount.Kind


def account(kind: str, *, resident=None, provider=None) -> LedgerAccount:
    acct, _ = LedgerAccount.objects.get_or_create(kind=kind, resident=resident, provider=provider)
    return acct


def entry_post(
    *,
    key: str,
    memo: str,
    lines: Iterable[tuple[LedgerAccount, int]],
    payment: Payment | None = None,
    booking=None,
) -> JournalEntry | None:
    """Post one balanced entry under `key`; returns None when it was already posted."""
    lines = [(acct, amount) for acct, amount in lines if amount]
    if sum(amount for _, amount in lines) != 0:
        raise ValueError(f"entry {key} does not balance")
    if not lines:
        return None
    with transaction.atomic():
        entry, created = JournalEntry.objects.get_or_create(
            key=key, defaults={"memo": memo, "payment": payment, "booking": booking}
        )
        if not created:
            return None
        Posting.objects.bulk_create(
            Posting(entry=entry, account=acct, amount_fen=amount) for acct, amount in lines
        )
    return entry


def balance(acct: LedgerAccount) -> int:
    return acct.postings.aggregate(total=Sum("amount_fen"))["total"] or 0


def escrow_balance(*, provider) -> int:
    """Unearned money held for a provider: what it could never withdraw."""
    return (
        Posting.objects.filter(account__kind=Kind.ESCROW, account__provider=provider).aggregate(
            total=Sum("amount_fen")
        )["total"]
        or 0
    )


@dataclass
class Reconciliation:
    problems: list[str] = field(default_factory=list)
    figures: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def ledger_reconcile() -> Reconciliation:
    """Prove the sums: entries balance, escrow equals the money payments still hold, provider
    receivables equal what was released to them, and the gateway account matches the
    gateway's own book of charges and refunds."""
    result = Reconciliation()
    total = Posting.objects.aggregate(total=Sum("amount_fen"))["total"] or 0
    result.figures["ledger_total"] = total
    if total != 0:
        result.problems.append(f"ledger does not sum to zero: {total}")
    unbalanced = (
        Posting.objects.values("entry_id").annotate(total=Sum("amount_fen")).exclude(total=0)
    )
    for row in unbalanced[:20]:
        result.problems.append(f"entry {row['entry_id']} sums to {row['total']}")

    live = Q(status__in=[Payment.Status.HELD, Payment.Status.CAPTURED])
    live |= Q(status__in=[Payment.Status.REFUNDED, Payment.Status.PARTLY_REFUNDED])
    payments = Payment.objects.filter(live)
    sums = payments.aggregate(
        amount=Sum("amount_fen"), captured=Sum("captured_fen"), refunded=Sum("refunded_fen")
    )
    amount, captured, refunded = (sums[k] or 0 for k in ("amount", "captured", "refunded"))
    held = amount - captured - refunded
    escrow = _kind_total(Kind.ESCROW)
    receivable = _kind_total(Kind.PROVIDER_RECEIVABLE) + _kind_total(Kind.FEES)
    wallets = _kind_total(Kind.RESIDENT_WALLET)
    gateway = _kind_total(Kind.GATEWAY)
    result.figures.update(
        paid_in=amount, held=held, released=captured, refunded=refunded, escrow=escrow
    )
    if escrow != held:
        result.problems.append(f"escrow {escrow} ≠ money held by payments {held}")
    if receivable != captured:
        result.problems.append(f"provider receivable + fees {receivable} ≠ released {captured}")
    if wallets != 0:
        result.problems.append(f"resident wallets hold {wallets}, expected 0 (pass-through)")

    book = SandboxTransaction.objects.values("kind").annotate(total=Sum("amount_fen"))
    by_kind = {row["kind"]: row["total"] for row in book}
    gateway_net = by_kind.get("charge", 0) - by_kind.get("refund", 0)
    result.figures["gateway_book_net"] = gateway_net
    if -gateway != gateway_net:
        result.problems.append(f"gateway account {-gateway} ≠ gateway's own book {gateway_net}")
    return result


def _kind_total(kind: str) -> int:
    return (
        Posting.objects.filter(account__kind=kind).aggregate(total=Sum("amount_fen"))["total"] or 0
    )
