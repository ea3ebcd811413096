"""Read paths of the ratings app, the only way other apps (openData) read its tables."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.accounts.permissions import in_jurisdiction, is_staff_of, official_covers
from providers.models import Provider
from ratings.models import CreditAppeal, CreditEvent, CreditListEntry
from ratings.services import credit as credit_rules

# --- Credit -------------------------------------------------------------------------------------


def credit_entry_active_q(today: dt.date | None = None, prefix: str = "") -> Q:
    """List entries in force on `today`: not removed and not past their end date."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}removed_at__isnull": True}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gt": today})
    )


def credit_list_public(
    *, list_name: str | None = None, today: dt.date | None = None
) -> QuerySet[CreditListEntry]:
    """The public 红黑名单: entries in force, organisations only; who listed them is not shown."""
    entries = CreditListEntry.objects.filter(credit_entry_active_q(today)).select_related(
        "provider"
    )
    if list_name:
        entries = entries.filter(list=list_name)
    return entries.order_by("list", "-starts_on", "-id")


def credit_list_for_official(
    *, official, list_name: str | None = None
) -> QuerySet[CreditListEntry]:
    """Entries in force for providers in the official's jurisdiction."""
    entries = in_jurisdiction(
        CreditListEntry.objects.filter(credit_entry_active_q()),
        official,
        field="provider__division",
    ).select_related("provider__division", "created_by")
    if list_name:
        entries = entries.filter(list=list_name)
    return entries.order_by("list", "-starts_on", "-id")


def credit_provider_get(*, viewer, pk) -> Provider | None:
    """The provider whose credit the viewer may read: its own staff or a covering official."""
    provider = Provider.objects.select_related("division").filter(pk=pk).first()
    if provider is None:
        return None
    if is_staff_of(viewer, provider.pk) or official_covers(viewer, provider.division_id):
        return provider
    return None


def credit_event_list(*, provider: Provider) -> QuerySet[CreditEvent]:
    return provider.credit_events.select_related("recorded_by").order_by("-occurred_on", "-id")


def credit_event_appealable(*, provider: Provider) -> QuerySet[CreditEvent]:
    """Negative events not yet repaired and without an open appeal: what may be appealed."""
    return (
        provider.credit_events.filter(points__lt=0, voided_at__isnull=True)
        .exclude(appeals__status=CreditAppeal.Status.SUBMITTED)
        .order_by("-occurred_on", "-id")
    )


def credit_entry_list(*, provider: Provider) -> QuerySet[CreditListEntry]:
    """All the provider's list entries, ended ones included (its history)."""
    return provider.list_entries.order_by("-starts_on", "-id")


def credit_appeal_list(*, provider: Provider) -> QuerySet[CreditAppeal]:
    return provider.appeals.select_related("event").order_by("-created_at", "-id")


def credit_appeal_queue(*, official) -> QuerySet[CreditAppeal]:
    """Open appeals in the official's jurisdiction, oldest first."""
    return (
        in_jurisdiction(CreditAppeal.objects.all(), official, field="provider__division")
        .filter(status=CreditAppeal.Status.SUBMITTED)
        .select_related("provider", "event")
        .order_by("created_at", "id")
    )


def credit_summary(*, provider: Provider, today: dt.date | None = None) -> dict:
    """Score, grade and the window the score covers, for the credit pages and the API."""
    today = today or timezone.localdate()
    score = credit_rules.credit_score(provider=provider, today=today)
    return {
        "score": score,
        "grade": credit_rules.grade_for(score),
        "counts_since": credit_rules.window_start(today),
        "standing": provider.standing,
        "lists": list(
            provider.list_entries.filter(credit_entry_active_q(today)).values_list(
                "list", flat=True
            )
        ),
    }


# --- Complaints
# (Imports sit with the section so the sub-domains can append without touching each other.)

# (dt, Q, QuerySet, timezone and in_jurisdiction come from the imports at the top.)
from django.db.models import BooleanField, ExpressionWrapper, Prefetch  # noqa: E402

from portal.accounts.permissions import is_official, is_provider_staff, is_resident  # noqa: E402
from ratings.models import Complaint, ComplaintEvent, ComplaintMessage  # noqa: E402

COMPLAINT_RELATED = ("provider", "division", "booking__listing", "resident", "handler")
# How many closed complaints the officials' board shows per column (the list has the rest).
BOARD_CLOSED_LIMIT = 20


def _complaints(now: dt.datetime | None = None) -> QuerySet[Complaint]:
    """Every complaint read path: related rows joined, `overdue` computed in SQL."""
    now = now or timezone.now()
    return Complaint.objects.select_related(*COMPLAINT_RELATED).annotate(
        overdue=ExpressionWrapper(
            Q(status__in=Complaint.OPEN, stage_due_at__lt=now), output_field=BooleanField()
        )
    )


def _with_case_file(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """A detail page's extra rows: events, messages and evidence, in three queries."""
    return queryset.prefetch_related(
        Prefetch("events", queryset=ComplaintEvent.objects.select_related("actor")),
        Prefetch("messages", queryset=ComplaintMessage.objects.select_related("author")),
        "files",
    )


def complaint_list_for_resident(*, user, now=None) -> QuerySet[Complaint]:
    return _complaints(now).filter(resident=user)


def complaint_get_for_resident(*, user, pk) -> Complaint | None:
    return _with_case_file(complaint_list_for_resident(user=user)).filter(pk=pk).first()


def complaint_list_for_official(*, official, now=None) -> QuerySet[Complaint]:
    """The complaints in the official's jurisdiction (the provider's division when filed)."""
    return in_jurisdiction(_complaints(now), official).order_by("stage_due_at", "-created_at")


def complaint_get_for_official(*, official, pk) -> Complaint | None:
    return _with_case_file(complaint_list_for_official(official=official)).filter(pk=pk).first()


def complaint_list_for_provider(*, provider, now=None) -> QuerySet[Complaint]:
    return _complaints(now).filter(provider=provider)


def complaint_get_for_staff(*, user, pk) -> Complaint | None:
    if not is_provider_staff(user):
        return None
    complaints = _complaints().filter(pk=pk, provider__memberships__user=user)
    return _with_case_file(complaints).first()


def complaint_list_visible(*, viewer, now=None) -> QuerySet[Complaint]:
    """Residents their own, officials their jurisdiction's, staff their organisations'."""
    if is_resident(viewer):
        return complaint_list_for_resident(user=viewer, now=now)
    if is_official(viewer):
        return complaint_list_for_official(official=viewer, now=now)
    if is_provider_staff(viewer):
        return _complaints(now).filter(provider__memberships__user=viewer)
    return Complaint.objects.none()


def complaint_get_visible(*, viewer, pk) -> Complaint | None:
    return _with_case_file(complaint_list_visible(viewer=viewer)).filter(pk=pk).first()


def complaint_board(*, complaints: QuerySet[Complaint]) -> list[dict]:
    """The officials' board: one column per status; open ones complete (earliest deadline
    first), closed ones the most recent few. Two queries whatever the size."""
    open_rows = list(complaints.filter(status__in=Complaint.OPEN).order_by("stage_due_at")[:500])
    closed_rows = list(
        complaints.exclude(status__in=Complaint.OPEN).order_by("-closed_at")[
            : BOARD_CLOSED_LIMIT * 3
        ]
    )
    columns = {
        value: {"status": value, "label": label, "complaints": []}
        for value, label in Complaint.Status.choices
    }
    for complaint in open_rows:
        columns[complaint.status]["complaints"].append(complaint)
    for complaint in closed_rows:
        column = columns[complaint.status]["complaints"]
        if len(column) < BOARD_CLOSED_LIMIT:
            column.append(complaint)
    return list(columns.values())


# --- Reviews ------------------------------------------------------------------------------------


def review_list_public(*, listing) -> QuerySet:
    """A listing's published reviews, newest first, with reply and photos (no N+1)."""
    from ratings.models import Review

    return (
        Review.objects.filter(listing=listing, status=Review.Status.PUBLISHED)
        .select_related("resident", "reply")
        .prefetch_related("photos")
        .order_by("-created_at", "-id")
    )


def review_score_summary(*, listing) -> dict:
    """The listing's score, review count and per-dimension scores (label, value) for display."""
    from ratings.dimensions import LABELS
    from ratings.models import QualityScore

    quality = QualityScore.objects.filter(listing=listing).first()
    dimensions = (quality.dimensions or {}) if quality else {}
    return {
        "score": quality.score if quality else None,
        "count": quality.review_count if quality else 0,
        "dimensions": [(LABELS[c], v) for c, v in dimensions.items() if c in LABELS],
    }


def review_list_for_provider(*, provider) -> QuerySet:
    """What the provider's staff see: published and hidden reviews (held ones are still with
    the officials), newest first."""
    from ratings.models import Review

    return (
        Review.objects.filter(provider=provider)
        .exclude(status=Review.Status.HELD)
        .select_related("listing", "resident", "reply")
        .prefetch_related("photos")
        .order_by("-created_at", "-id")
    )


def review_get_published(*, pk):
    from ratings.models import Review

    return (
        Review.objects.filter(pk=pk, status=Review.Status.PUBLISHED)
        .select_related("provider", "listing")
        .first()
    )


def review_moderation_queue(*, official) -> QuerySet:
    """Held reviews and reviews with open reports, of providers in the official's jurisdiction,
    oldest first; `open_reports` counts the reports waiting."""
    from django.db.models import Count, Prefetch

    from ratings.models import Review, ReviewReport

    open_reports = Q(reports__resolved_at__isnull=True)
    return (
        in_jurisdiction(Review.objects.all(), official, field="provider__division")
        .annotate(open_reports=Count("reports", filter=open_reports))
        .filter(Q(status=Review.Status.HELD) | Q(open_reports__gt=0))
        .select_related("listing", "provider", "resident", "reply")
        .prefetch_related(
            "photos",
            Prefetch(
                "reports",
                queryset=ReviewReport.objects.filter(resolved_at__isnull=True),
                to_attr="open_report_list",
            ),
        )
        .order_by("created_at", "id")
    )


def review_get_for_moderation(*, official, pk):
    """A review of a provider in the official's jurisdiction, whatever its state, or None."""
    from ratings.models import Review

    return (
        in_jurisdiction(Review.objects.filter(pk=pk), official, field="provider__division")
        .select_related("provider", "listing")
        .first()
    )


def review_photo_get_visible(*, viewer, pk):
    """A review photo the viewer may see: any photo of a published review; otherwise only for
    the author, the provider's staff and officials covering the provider."""
    from ratings.models import Review, ReviewPhoto

    photo = ReviewPhoto.objects.select_related("review__provider").filter(pk=pk).first()
    if photo is None:
        return None
    review = photo.review
    if (
        review.status == Review.Status.PUBLISHED
        or getattr(viewer, "pk", None) == review.resident_id
        or is_staff_of(viewer, review.provider_id)
        or official_covers(viewer, review.provider.division_id)
    ):
        return photo
    return None


# --- Inspections
# (dt, Q, QuerySet, timezone, in_jurisdiction, is_official and is_staff_of come from above.)
from ratings.models import Grade, Inspection, InspectionPhoto  # noqa: E402

INSPECTION_STATES = ("planned", "completed", "overdue")
INSPECTION_RELATED = ("provider", "inspector", "branch")


def inspection_state_q(state: str | None, today: dt.date | None = None) -> Q:
    """planned; completed; overdue = completed with a rectification deadline passed and no
    rectification confirmed. Anything else: no condition."""
    if state == "planned":
        return Q(status=Inspection.Status.PLANNED)
    if state == "completed":
        return Q(status=Inspection.Status.COMPLETED)
    if state == "overdue":
        return Q(
            status=Inspection.Status.COMPLETED,
            rectification_due__lt=today or timezone.localdate(),
            rectified_on__isnull=True,
        )
    return Q()


def inspection_list_for_official(
    *, official, state: str | None = None, domain: str | None = None, today: dt.date | None = None
) -> QuerySet[Inspection]:
    """Inspections of the providers in the official's jurisdiction, every department's (who
    may record one is the service's rule), latest due first; grades in one more query."""
    inspections = in_jurisdiction(
        Inspection.objects.select_related(*INSPECTION_RELATED),
        official,
        field="provider__division",
    ).filter(inspection_state_q(state, today))
    if domain:
        inspections = inspections.filter(domain=domain)
    return inspections.prefetch_related("grades")


def inspection_get_for_official(*, official, pk) -> Inspection | None:
    """One inspection in the official's jurisdiction with its items, photos, grade and
    follow-ups; None (a 404) outside it."""
    if not is_official(official):
        return None
    return (
        in_jurisdiction(
            Inspection.objects.select_related(*INSPECTION_RELATED, "follow_up_of", "complaint"),
            official,
            field="provider__division",
        )
        .prefetch_related("items", "photos", "grades", "follow_ups")
        .filter(pk=pk)
        .first()
    )


def inspection_list_for_provider(*, provider) -> QuerySet[Inspection]:
    """A provider's own completed inspections, latest first. Planned ones are not shown:
    spot checks are unannounced."""
    return (
        Inspection.objects.filter(provider=provider, status=Inspection.Status.COMPLETED)
        .select_related("branch")
        .prefetch_related("items", "photos", "grades")
        .order_by("-inspected_on", "-id")
    )


def inspection_photo_get(*, user, pk) -> InspectionPhoto | None:
    """A photo for an official covering the provider, or for its staff once the inspection
    is completed; None for anyone else."""
    photo = InspectionPhoto.objects.select_related("inspection__provider").filter(pk=pk).first()
    if photo is None:
        return None
    inspection = photo.inspection
    if official_covers(user, inspection.provider.division_id):
        return photo
    if (
        is_staff_of(user, inspection.provider_id)
        and inspection.status == Inspection.Status.COMPLETED
    ):
        return photo
    return None


def grades_current(*, provider, today: dt.date | None = None) -> list[Grade]:
    """The provider's grade in force per domain: the newest one awarded, if still valid
    (`valid_until` is the last valid day). One query."""
    today = today or timezone.localdate()
    newest = (
        Grade.objects.filter(provider=provider, valid_from__lte=today)
        .order_by("domain", "-valid_from", "-id")
        .distinct("domain")
    )
    return [grade for grade in newest if grade.valid_until >= today]
