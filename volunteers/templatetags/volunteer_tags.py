"""Small template filters of the volunteers pages."""

from __future__ import annotations

from django import template

from portal import privacy
from volunteers.formatting import hours_label
from volunteers.models import Skill, TimeOfWeek

register = template.Library()

SKILLS = dict(Skill.choices)
TIMES = dict(TimeOfWeek.choices)


@register.filter
def places_left(position) -> int:
    """Places of a position not yet taken by an accepted volunteer."""
    return max(position.needed - position.accepted, 0)


@register.filter
def hours(minutes) -> str:
    """Minutes as hours with one decimal, rounded down (95 → 1.5)."""
    return hours_label(minutes)


@register.filter
def skill_labels(codes) -> str:
    """Skill codes in words, joined with 、."""
    return "、".join(str(SKILLS.get(code, code)) for code in codes or [])


@register.filter
def time_labels(codes) -> str:
    """Times of the week in words, joined with 、."""
    return "、".join(str(TIMES.get(code, code)) for code in codes or [])


@register.filter
def redact_identifiers(text) -> str:
    """Free text a volunteer typed, with any phone or ID number in it masked."""
    return privacy.redact_identifiers(text or "")
