"""Working-day arithmetic for deadlines (complaint handling counts 工作日, not calendar days).

A working day is Monday to Friday, minus the public holidays in `data/holidays.csv`, plus the
weekend days the State Council turns into working days (调休上班). The table covers 2026–2027 and
its dates are approximate (see the file's header): outside it, every Monday–Friday counts.
Days are counted in local time (Asia/Shanghai, settings.TIME_ZONE).
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from pathlib import Path

from django.utils import timezone

HOLIDAYS_CSV = Path(__file__).resolve().parent / "data" / "holidays.csv"
# A deadline "within N working days" ends at the close of the N-th working day.
END_OF_DAY = dt.time(23, 59, 59)


@lru_cache(maxsize=1)
def _calendar() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(days off on weekdays or weekends, weekend days that are working days)."""
    with HOLIDAYS_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    off = frozenset(dt.date.fromisoformat(r["date"]) for r in rows if r["kind"] == "holiday")
    on = frozenset(dt.date.fromisoformat(r["date"]) for r in rows if r["kind"] == "workday")
    return off, on


def is_working_day(day: dt.date) -> bool:
    off, on = _calendar()
    if day in on:
        return True
    return day.weekday() < 5 and day not in off


def add_working_days(day: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `day` (`day` itself never counts: a complaint filed on
    Friday afternoon or on a Sunday has its first working day on Monday)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def deadline_after(moment: dt.datetime, days: int) -> dt.datetime:
    """The end (23:59:59 local time) of the `days`-th working day after `moment`."""
    last = add_working_days(timezone.localdate(moment), days)
    return timezone.make_aware(dt.datetime.combine(last, END_OF_DAY))
