"""The services app's sections of a resident's data export, and what erasure does to them.

Erasure cancels the person's active bookings (refunded by the cancellation policy) and stops
plans and contracts; addresses are deleted; family members are pseudonymised. Bookings and
payments stay (the ledger must balance and providers keep their accounts) but point only at
the pseudonymised account.
"""

from __future__ import annotations

from django.utils import timezone

from services.models import Address, Booking, Dependant, FamilyDoctorContract, Payment, Plan


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_bookings(user) -> list[dict]:
    return [
        {
            "reference": b.reference,
            "service": b.listing.title,
            "provider": b.provider.name,
            "starts_at": _iso(b.starts_at),
            "status": b.status,
            "for": b.dependant.name if b.dependant_id else None,
            "price_fen": b.price_fen,
            "note": b.note,
            "history": [
                {"at": _iso(e.at), "to": e.to_status, "reason": e.reason} for e in b.events.all()
            ],
        }
        for b in Booking.objects.filter(resident=user)
        .select_related("listing", "provider", "dependant")
        .prefetch_related("events")
    ]


def export_payments(user) -> list[dict]:
    return [
        {
            "reference": p.gateway_reference,
            "amount_fen": p.amount_fen,
            "captured_fen": p.captured_fen,
            "refunded_fen": p.refunded_fen,
            "status": p.status,
            "created_at": _iso(p.created_at),
        }
        for p in Payment.objects.filter(resident=user)
    ]


def export_family(user) -> dict:
    return {
        "family_members": [
            {
                "name": d.name,
                "relationship": d.relationship,
                "birth_date": _iso(d.birth_date),
                "phone": d.phone,
                "care_notes": d.care_notes,
                "authority": d.authority,
                "authority_recorded_at": _iso(d.authority_recorded_at),
            }
            for d in Dependant.objects.filter(owner=user)
        ],
        "addresses": [
            {
                "label": a.label,
                "division": a.division_id,
                "detail": a.detail,
                "latitude": str(a.latitude),
                "longitude": str(a.longitude),
            }
            for a in Address.objects.filter(owner=user)
        ],
        "plans": [
            {"service": p.listing.title, "weekdays": p.weekdays, "status": p.status}
            for p in Plan.objects.filter(resident=user).select_related("listing")
        ],
        "family_doctor_contracts": [
            {"package": c.package.name, "starts_on": _iso(c.starts_on), "ends_on": _iso(c.ends_on)}
            for c in FamilyDoctorContract.objects.filter(resident=user).select_related("package")
        ],
    }


def erase_bookings(user) -> None:
    from services.errors import BookingError
    from services.services.bookings import booking_transition

    for booking in Booking.objects.filter(
        resident=user, status__in=[Booking.Status.REQUESTED, Booking.Status.CONFIRMED]
    ):
        try:
            booking_transition(
                booking=booking, action="cancel", actor=user, reason="account erased"
            )
        except BookingError:
            continue
    Booking.objects.filter(resident=user).update(note="")


def erase_family(user) -> None:
    Plan.objects.filter(resident=user).update(status=Plan.Status.STOPPED, address=None)
    FamilyDoctorContract.objects.filter(
        resident=user, status=FamilyDoctorContract.Status.ACTIVE
    ).update(status=FamilyDoctorContract.Status.TERMINATED)
    Address.objects.filter(owner=user).delete()
    Dependant.objects.filter(owner=user).update(
        name="已注销", phone="", care_notes="", birth_date=None, removed_at=timezone.now()
    )
