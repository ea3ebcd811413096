"""Prove the ledger's sums: `manage.py ledger_reconcile`.

Prints the figures (money in fen) and every problem found by
services.services.ledger.ledger_reconcile; exits with status 1 when there is a problem, so a
cron job or monitor notices.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from services.services.ledger import ledger_reconcile

FIGURES = [
    ("ledger_total", "sum of all postings (must be 0)"),
    ("paid_in", "paid in by residents"),
    ("held", "still held by payments"),
    ("released", "released to providers"),
    ("refunded", "refunded to residents"),
    ("escrow", "escrow accounts' balance"),
    ("gateway_book_net", "gateway's own book, charges − refunds"),
]


class Command(BaseCommand):
    help = (
        "Reconcile the double-entry ledger with payments and the gateway's book; "
        "exit status 1 when they disagree."
    )

    def handle(self, *args, **options) -> None:
        report = ledger_reconcile()
        self.stdout.write("Ledger reconciliation (amounts in fen):")
        names = [name for name, _ in FIGURES]
        names += sorted(set(report.figures) - set(names))
        labels = dict(FIGURES)
        for name in names:
            if name in report.figures:
                value = report.figures[name]
                label = labels.get(name, "")
                self.stdout.write(f"  {name:18} {value:>14,}  {label}".rstrip())
        if report.ok:
            self.stdout.write(self.style.SUCCESS("OK: the ledger balances and matches."))
            return
        self.stderr.write(self.style.ERROR(f"{len(report.problems)} problem(s):"))
        for problem in report.problems:
            self.stderr.write(f"  - {problem}")
        raise CommandError(
            f"ledger reconciliation failed ({len(report.problems)} problem(s)): "
            + "; ".join(report.problems)
        )
