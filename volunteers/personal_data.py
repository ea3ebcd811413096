"""The volunteers app's section of a person's data export, and what erasure does to it.

Erasure withdraws the person's open sign-ups (an accepted place passes to the waitlist) and
open time-bank requests (the hours go back), and pseudonymises the volunteer record: name,
phone, guardian and ID digest go; the number, the confirmed hours and the time-bank ledger
stay, detached from the person, for the organisations' statistics.
"""

from __future__ import annotations

import datetime as dt
import uuid

from volunteers.models import Certificate, HourDispute, HourRecord, Signup, Volunteer
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
        "commendations": [
            {
                "title": c.title,
                "level": c.level,
                "year": c.year,
                "reason": c.reason,
                "awarded_by": c.division.name,
            }
            for c in volunteer.commendations.select_related("division").order_by("-year", "id")
        ],
        "hour_disputes": [
            {
                "activity": d.record.activity.title,
                "reason": d.reason,
                "claimed_start": _iso(d.claimed_start),
                "claimed_end": _iso(d.claimed_end),
                "status": d.status,
                "resolution": d.resolution,
                "created_at": _iso(d.created_at),
            }
            for d in HourDispute.objects.filter(volunteer=volunteer)
            .select_related("record__activity")
            .order_by("created_at", "id")
        ],
        "certificates": [
            {
                "code": c.code,
                "period_start": _iso(c.period_start),
                "period_end": _iso(c.period_end),
                "minutes": c.minutes,
                "activity_count": c.activity_count,
                "lines": c.lines,
                "issued_at": _iso(c.issued_at),
                "revoked_at": _iso(c.revoked_at),
            }
            for c in Certificate.objects.filter(volunteer=volunteer).order_by("issued_at", "id")
        ],
        "time_bank": _time_bank(volunteer),
    }


def _time_bank(volunteer) -> dict:
    """Their own and their family members' time-bank accounts with every movement, and what
    they asked for."""
    from volunteers.models import TimeBankAccount, TimeBankRedemption

    accounts = TimeBankAccount.objects.filter(volunteer=volunteer).select_related("dependant")
    return {
        "accounts": [
            {
                "kind": a.kind,
                "for": a.dependant.name if a.dependant_id else None,
                "balance_minutes": a.balance_minutes,
                "postings": [
                    {
                        "at": _iso(p.transaction.created_at),
                        "kind": p.transaction.kind,
                        "memo": p.transaction.memo,
                        "minutes": p.minutes,
                    }
                    for p in a.postings.select_related("transaction").order_by("transaction_id")
                ],
            }
            for a in accounts
        ],
        "redemptions": [
            {
                "service": r.service.title,
                "organisation": r.service.organisation.name,
                "for": r.account.dependant.name if r.account.dependant_id else None,
                "minutes": r.minutes,
                "wanted_on": _iso(r.wanted_on),
                "note": r.note,
                "status": r.status,
                "created_at": _iso(r.created_at),
            }
            for r in TimeBankRedemption.objects.filter(account__volunteer=volunteer)
            .select_related("service__organisation", "account__dependant")
            .order_by("created_at", "id")
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
    # What they wrote in their disputes may name them; the organisers' resolutions stay.
    HourDispute.objects.filter(volunteer=volunteer).update(reason="")
    _erase_time_bank(user, volunteer)
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


def _erase_time_bank(user, volunteer) -> None:
    """Requests nobody will be served for are cancelled (their hours go back, so the ledger
    stays whole); notes and the words typed into transfer memos go. Balances and postings
    stay with the pseudonymised record, like the hours they came from."""
    from volunteers.models import TimeBankRedemption, TimeBankTransaction
    from volunteers.services.timebank import redemption_cancel

    mine = TimeBankRedemption.objects.filter(account__volunteer=volunteer)
    for redemption in mine.filter(status=TimeBankRedemption.Status.REQUESTED).select_related(
        "service__organisation"
    ):
        redemption_cancel(redemption=redemption, actor=user)
    mine.update(note="")
    TimeBankTransaction.objects.filter(
        kind=TimeBankTransaction.Kind.TRANSFER, postings__account__volunteer=volunteer
    ).update(memo="转给家人")
