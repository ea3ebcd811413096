"""The volunteers app's section of a person's data export, and what erasure does to it.

Erasure withdraws the person's open sign-ups (an accepted place passes to the waitlist) and
pseudonymises the volunteer record: name, phone, guardian and ID digest go; the number and
the confirmed hours stay, detached from the person, for the organisations' statistics.
"""

from __future__ import annotations

import datetime as dt
import uuid

from volunteers.models import HourRecord, Signup, Volunteer
from volunteers.services.activities import release_signup

ERASED_NAME = "已注销"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_volunteering(user) -> dict | None:
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        return None
    return {
        "number": volunteer.number,
        "real_name": volunteer.real_name,
        "id_number_masked": volunteer.id_number_masked,
        "birth_date": _iso(volunteer.birth_date),
        "phone": volunteer.phone,
        "skills": volunteer.skills,
        "languages": volunteer.languages,
        "available_times": volunteer.available_times,
        "division": volunteer.division_id,
        "consent_version": volunteer.consent_version,
        "consented_at": _iso(volunteer.consented_at),
        "guardian_name": volunteer.guardian_name,
        "guardian_phone": volunteer.guardian_phone,
        "signups": [
            {
                "activity": s.activity.title,
                "position": s.position.name,
                "status": s.status,
                "note": s.note,
                "created_at": _iso(s.created_at),
            }
            for s in volunteer.signups.select_related("activity", "position")
        ],
        "hours": [
            {
                "activity": h.activity.title,
                "status": h.status,
                "checked_in_at": _iso(h.checked_in_at),
                "checked_out_at": _iso(h.checked_out_at),
                "minutes": h.minutes,
            }
            for h in HourRecord.objects.filter(volunteer=volunteer).select_related("activity")
        ],
    }


def erase_volunteering(user) -> None:
    """Inside the caller's transaction (accounts.services.user_erase)."""
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        return
    open_signups = Signup.objects.filter(volunteer=volunteer, status__in=Signup.ACTIVE).exclude(
        hours__isnull=False
    )
    for signup in open_signups.select_related("activity"):
        release_signup(signup)
    Signup.objects.filter(volunteer=volunteer).update(note="")
    volunteer.real_name = ERASED_NAME
    volunteer.phone = ""
    volunteer.guardian_name = ""
    volunteer.guardian_phone = ""
    volunteer.guardian_consent = False
    # A new digest that matches no ID number: the person may register again later.
    volunteer.id_number_hash = f"erased:{uuid.uuid4().hex}"
    volunteer.id_number_masked = ""
    volunteer.birth_date = dt.date(1900, 1, 1)
    volunteer.languages = []
    volunteer.save(
        update_fields=[
            "real_name",
            "phone",
            "guardian_name",
            "guardian_phone",
            "guardian_consent",
            "id_number_hash",
            "id_number_masked",
            "birth_date",
            "languages",
        ]
    )
