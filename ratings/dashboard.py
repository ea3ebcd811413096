"""The officials' quality dashboard and the provider's quality page: read paths over the whole
ratings app, scoped to a jurisdiction (or to one provider). Organisations only — no personal
data appears here, so the CSV exports need no masking beyond that.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Q
from django.utils import timezone

from portal.accounts.models import division_prefix
from providers.models import Licence, Provider
from ratings.models import Complaint, CreditEvent, CreditListEntry, Grade, Inspection

RISK_SCORE = 3.5  # residents' score under which a provider is on the risk list
RISK_COMPLAINTS = 3  # open or upheld complaints in 90 days that put it there
LICENCE_NOTICE_DAYS = 30


def _providers(official):
    return Provider.objects.filter(
        division__code__startswith=division_prefix(official.jurisdiction_id),
        status=Provider.Status.APPROVED,
    )


def dashboard_for(*, official, today: dt.date | None = None) -> dict:
    """Every figure of the board, for the official's jurisdiction."""
    today = today or timezone.localdate()
    now = timezone.now()
    prefix = division_prefix(official.jurisdiction_id)
    providers = _providers(official)
    by_grade = Counter(providers.values_list("official_grade", flat=True))
    by_credit = Counter(providers.values_list("credit_grade", flat=True))
    complaints = Complaint.objects.filter(division__code__startswith=prefix)
    open_complaints = complaints.filter(status__in=Complaint.OPEN)
    by_stage = {
        row["status"]: row
        for row in open_complaints.values("status").annotate(
            total=Count("pk"), overdue=Count("pk", filter=Q(stage_due_at__lt=now))
        )
    }
    recent = today - dt.timedelta(days=90)
    complaint_counts = dict(
        complaints.filter(created_at__date__gte=recent, provider__isnull=False)
        .filter(Q(status__in=Complaint.OPEN) | Q(upheld=True))
        .values_list("provider")
        .annotate(n=Count("pk"))
        .values_list("provider", "n")
    )
    risky = providers.filter(
        Q(quality_score__lt=RISK_SCORE, review_count__gte=3) | Q(pk__in=list(complaint_counts))
    ).order_by("quality_score", "name")[:50]
    risk = [
        {"provider": p, "complaints": complaint_counts.get(p.pk, 0)}
        for p in risky
        if (p.quality_score is not None and p.quality_score < RISK_SCORE and p.review_count >= 3)
        or complaint_counts.get(p.pk, 0) >= RISK_COMPLAINTS
    ]
    licences = (
        Licence.objects.filter(
            provider__in=providers,
            valid_until__gte=today,
            valid_until__lte=today + dt.timedelta(days=LICENCE_NOTICE_DAYS),
        )
        .select_related("provider")
        .order_by("valid_until")[:50]
    )
    inspections = Inspection.objects.filter(provider__division__code__startswith=prefix)
    due = (
        inspections.filter(status=Inspection.Status.PLANNED, due_on__lte=today + dt.timedelta(30))
        .select_related("provider")
        .order_by("due_on")[:50]
    )
    rectify = (
        inspections.filter(rectified_on__isnull=True, rectification_due__isnull=False)
        .select_related("provider")
        .order_by("rectification_due")[:50]
    )
    black = CreditListEntry.objects.filter(
        provider__division__code__startswith=prefix,
        removed_at__isnull=True,
        list=CreditListEntry.List.BLACK,
    ).count()
    return {
        "providers": providers.count(),
        "by_grade": _bars(by_grade),
        "by_credit": _bars(by_credit, order=["A", "B", "C", "D", ""]),
        "complaints_by_stage": [
            {
                "status": status,
                "label": label,
                "total": by_stage.get(status, {}).get("total", 0),
                "overdue": by_stage.get(status, {}).get("overdue", 0),
            }
            for status, label in Complaint.Status.choices
            if status in Complaint.OPEN
        ],
        "risk": risk,
        "licences": licences,
        "inspections_due": due,
        "rectifications": rectify,
        "black_listed": black,
        "today": today,
    }


def _bars(counts: Counter, order: list[str] | None = None) -> list[dict]:
    """Rows for a server-side SVG bar chart: label, count, bar width in percent."""
    keys = order or sorted(counts, key=lambda k: (k == "", k))
    top = max(counts.values(), default=0) or 1
    return [
        {
            "label": key or "—",
            "count": counts.get(key, 0),
            "width": round(100 * counts.get(key, 0) / top),
        }
        for key in keys
        if key in counts or order
    ]


def provider_quality(*, provider, today: dt.date | None = None) -> dict:
    """The provider's own quality page: the same numbers the official sees."""
    today = today or timezone.localdate()
    return {
        "provider": provider,
        "grades": Grade.objects.filter(provider=provider, valid_until__gte=today).order_by(
            "domain", "-valid_from"
        ),
        "complaints": Complaint.objects.filter(provider=provider).order_by("-created_at")[:50],
        "open_complaints": Complaint.objects.filter(
            provider=provider, status__in=Complaint.OPEN
        ).count(),
        "credit_events": CreditEvent.objects.filter(provider=provider).order_by("-occurred_on")[
            :50
        ],
        "lists": CreditListEntry.objects.filter(provider=provider, removed_at__isnull=True),
        "rectifications": Inspection.objects.filter(
            provider=provider, rectified_on__isnull=True, rectification_due__isnull=False
        ).order_by("rectification_due"),
        "inspections": Inspection.objects.filter(provider=provider).order_by("-due_on")[:20],
        "listings": provider.listings.filter(review_count__gt=0).order_by("-review_count")[:20],
    }
