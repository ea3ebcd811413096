"""Prove the time bank's sums: `manage.py timebank_reconcile`.

Prints the figures (in minutes) and every problem found by
volunteers.services.timebank.timebank_reconcile; exits with status 1 when there is a problem,
so a cron job or monitor notices.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from volunteers.services.timebank import timebank_reconcile

FIGURES = [
    ("ledger_total", "sum of all postings (must be 0)"),
    ("given", "banked from confirmed service"),
    ("held_personal", "held in volunteers' own accounts"),
    ("held_family", "held in family members' accounts"),
    ("received", "spent on services (organisations)"),
    ("expired", "expired"),
    ("transactions", "transactions posted"),
]


class Command(BaseCommand):
    help = (
        "Reconcile the time bank's ledger (balanced transactions, holder balances equal to "
        "postings and never negative, no stored system balance, each hour record banked as "
        "confirmed); exit status 1 on a problem."
    )

    def handle(self, *args, **options) -> None:
        report = timebank_reconcile()
        self.stdout.write("Time-bank reconciliation (minutes):")
        labels = dict(FIGURES)
        names = [name for name, _ in FIGURES]
        names += sorted(set(report.figures) - set(names))
        for name in names:
            if name in report.figures:
                label = labels.get(name, "")
                self.stdout.write(f"  {name:14} {report.figures[name]:>12,}  {label}".rstrip())
        if report.ok:
            self.stdout.write(self.style.SUCCESS("OK: the time bank balances."))
            return
        self.stderr.write(self.style.ERROR(f"{len(report.problems)} problem(s):"))
        for problem in report.problems:
            self.stderr.write(f"  - {problem}")
        raise CommandError(
            f"time-bank reconciliation failed ({len(report.problems)} problem(s)): "
            + "; ".join(report.problems)
        )
