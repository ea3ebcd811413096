"""The rating dimensions of a review, per service domain.

Every domain rates attitude, skill, punctuality and value; the fourth dimension depends on
where the service happens: at a venue (eldercare and childcare centres, schools, sports and
culture venues) residents judge its hygiene, in their own home (domestic and health services)
they judge the worker's safety.

Social work (社会工作, reviewed through socialorgs) is not a provider domain: residents rate the
social worker's skill and attitude, how promptly they were answered, and the effect.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from providers.domains import Domain

LABELS = {
    "attitude": _("服务态度"),
    "skill": _("专业能力"),
    "punctuality": _("准时守约"),
    "hygiene": _("环境卫生"),
    "safety": _("安全"),
    "value": _("性价比"),
    "responsiveness": _("沟通及时"),
    "outcome": _("服务效果"),
}

# The review domain of socialorgs' social-work services (not one of providers' domains).
SOCIAL_WORK = "social_work"

# Services delivered in the resident's home: safety instead of the venue's hygiene.
_SAFETY_DOMAINS = frozenset({Domain.DOMESTIC, Domain.HEALTH})


def dimension_codes(domain: str) -> tuple[str, ...]:
    """The dimension codes a review of `domain` must rate, in display order."""
    if domain == SOCIAL_WORK:
        return ("skill", "attitude", "responsiveness", "outcome")
    place = "safety" if domain in _SAFETY_DOMAINS else "hygiene"
    return ("attitude", "skill", "punctuality", place, "value")


def dimensions_for(domain: str) -> list[tuple[str, str]]:
    """(code, label) pairs of the domain's dimensions, for forms and summaries."""
    return [(code, LABELS[code]) for code in dimension_codes(domain)]
