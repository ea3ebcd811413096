"""The matching app's section of a resident's data: the needs they posted.

Needs are not kept after an account is closed beyond what the supply/demand statistics read
(domain, category, division, week, status): closing withdraws the open ones and removes the
description, the link to the saved address and the exact place (moved to the division's seat).
"""

from __future__ import annotations

from django.utils import timezone

from matching.models import Need


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_needs(user) -> list[dict]:
    return [
        {
            "domain": n.domain,
            "category": n.category_id,
            "place": n.place,
            "division": n.division_id,
            "latitude": str(n.latitude),
            "longitude": str(n.longitude),
            "windows": n.windows,
            "budget_min_fen": n.budget_min_fen,
            "budget_max_fen": n.budget_max_fen,
            "text": n.text,
            "for": n.dependant.name if n.dependant_id else None,
            "status": n.status,
            "created_at": _iso(n.created_at),
        }
        for n in Need.objects.filter(resident=user).select_related("dependant")
    ]


def erase_needs(user) -> None:
    now = timezone.now()
    Need.objects.filter(resident=user, status__in=Need.OPEN_STATES).update(
        status=Need.Status.WITHDRAWN, withdrawn_at=now, updated_at=now
    )
    for need in Need.objects.filter(resident=user).select_related("division"):
        need.text = ""
        need.address = None
        need.proxy_name = need.proxy_phone = need.proxy_address = ""
        need.latitude = need.division.latitude
        need.longitude = need.division.longitude
        need.save(
            update_fields=[
                "text",
                "address",
                "proxy_name",
                "proxy_phone",
                "proxy_address",
                "latitude",
                "longitude",
                "updated_at",
            ]
        )
