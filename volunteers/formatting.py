"""How the volunteers pages, exports and certificates write amounts of time."""

from __future__ import annotations


def hours_label(minutes: int | None) -> str:
    """Minutes as hours with one decimal, rounded down to the tenth (95 → "1.5", −95 →
    "-1.5"): an amount shown is never more than there is, so a balance shown can be given in
    full in the 0.1-hour fields of the forms."""
    minutes = int(minutes or 0)
    tenths = abs(minutes) // 6  # 6 minutes = 0.1 hour
    sign = "-" if minutes < 0 and tenths else ""
    return f"{sign}{tenths // 10}.{tenths % 10}"
