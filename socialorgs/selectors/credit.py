"""Reads of social organisations' credit: the public credit profile shown on 一网通查."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ratings.services.credit import counting_q
from socialorgs.models import SocialOrganisation


def public_credit_profile(organisation: SocialOrganisation, today: dt.date | None = None) -> dict:
    """What the public sees of an organisation's credit: score and grade, standing, the
    counting credit events, active list entries, licences and penalties."""
    today = today or timezone.localdate()
    return {
        "score": organisation.credit_score,
        "grade": organisation.credit_grade,
        "standing": organisation.get_standing_display(),
        "events": list(organisation.credit_events.filter(counting_q(today))),
        "lists": list(organisation.list_entries.filter(removed_at__isnull=True)),
        "licences": list(organisation.licences.all()),
        "penalties": list(organisation.penalties.all()),
    }
