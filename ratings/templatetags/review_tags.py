"""Filters of the review pages: `{{ review.overall|stars }}`, `{{ code|dimension_label }}`."""

from django import template

from ratings.dimensions import LABELS

register = template.Library()


@register.filter
def stars(value) -> str:
    """`4` → `★★★★☆` (the number is given beside it for screen readers)."""
    try:
        n = max(0, min(5, round(float(value))))
    except (TypeError, ValueError):
        return ""
    return "★" * n + "☆" * (5 - n)


@register.filter
def dimension_label(code: str) -> str:
    return str(LABELS.get(code, code))
