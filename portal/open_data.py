"""SQL pieces the apps' open-data selectors share (openData publishes their rows with COPY, so
every column is computed in SQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.db.models import CharField, F, Func, QuerySet, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone

ZONE = ZoneInfo("Asia/Shanghai")


def open_rows(queryset: QuerySet, keys: Sequence[str], **computed) -> QuerySet:
    """`queryset` as rows of `keys`, in that order, by primary key.

    A computed column may keep its field's own name (`domains` as text): annotating after
    `values("pk")` checks names against the selected columns only, not the model's fields."""
    return queryset.values("pk").annotate(**computed).values(*keys).order_by("pk")


def joined(field: str) -> Func:
    """An array column as text, its items joined by ';'."""
    return Func(F(field), Value(";"), function="array_to_string", output_field=CharField())


def month_text(field: str) -> Func:
    """'YYYY-MM' of the instant in `field`, in Asia/Shanghai, as text."""
    return Func(
        TruncMonth(field, tzinfo=ZONE),
        Value("YYYY-MM"),
        function="to_char",
        output_field=CharField(),
    )


def month_window(today: dt.date | None, months: int) -> tuple[dt.datetime, dt.datetime]:
    """Aware bounds [start, end) of the `months` calendar months ending with today's month."""
    if months < 1:
        raise ValueError("months must be at least 1")
    today = today or timezone.localdate(timezone=ZONE)
    index = today.year * 12 + today.month - 1  # months since year 0 of today's month
    first, after = index - (months - 1), index + 1
    start = dt.datetime(first // 12, first % 12 + 1, 1, tzinfo=ZONE)
    end = dt.datetime(after // 12, after % 12 + 1, 1, tzinfo=ZONE)
    return start, end
