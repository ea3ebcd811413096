"""Read paths of the ratings app, the only way other apps (openData) read its tables."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.accounts.permissions import in_jurisdiction, is_staff_of, official_covers
from providers.models import Provider
from ratings import complaint_subjects
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
    """The complaints in the official's jurisdiction (the provider's division when filed)
    about subjects their department supervises."""
    return (
        in_jurisdiction(_complaints(now), official)
        .exclude(complaint_subjects.hidden_from_official_q(official))
        .order_by("stage_due_at", "-created_at")
    )


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


# --- Open data
# What the openData app publishes from this app, and the only way it reads these tables for
# that: public facts about organisations (current grades, completed inspections, list entries)
# and complaint counts without people or free text. Row-level selectors return a values()
# queryset with every column computed in SQL, so openData can stream it with
# COPY (<sql>) TO STDOUT; aggregates are raw counts (openData suppresses small cells itself).
# (dt, Q, QuerySet, timezone, Provider and the models come from the imports above.)

from django.db.models import (  # noqa: E402
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr, TruncDate  # noqa: E402

from portal import open_data  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from providers.models import StaffMember  # noqa: E402
from providers.selectors import public_provider_q  # noqa: E402
from ratings.models import Review, ReviewReply, ReviewReport  # noqa: E402
from services.models import Dependant  # noqa: E402

OPEN_DATA_ZONE = open_data.ZONE

OPEN_GRADE_KEYS = (
    "id",
    "provider_id",
    "provider_name",
    "domain",
    "grade",
    "awarded_on",
    "valid_until",
)
OPEN_INSPECTION_KEYS = (
    "id",
    "provider_id",
    "provider_name",
    "kind",
    "completed_on",
    "score",
    "result",
)
OPEN_CREDIT_LIST_KEYS = (
    "id",
    "provider_id",
    "provider_name",
    "credit_code",
    "list_kind",
    "reason",
    "listed_on",
    "until",
)
OPEN_COMPLAINT_STAT_KEYS = ("month", "district", "category", "outcome", "complaints")
OPEN_COMPLAINT_CASE_KEYS = ("month", "district", "domain", "category", "outcome", "days_to_close")

# Complaint outcome codes: the closing status (resolved, rejected, not_accepted) or "open".
COMPLAINT_OUTCOME_OPEN = "open"
# Organisations that were registered (approved at some time): a draft's or an application's
# name and credit code are unverified claims (a draft may even carry another company's code).
_REGISTERED_PROVIDER = (
    Provider.Status.APPROVED,
    Provider.Status.SUSPENDED,
    Provider.Status.REVOKED,
)


def _with_columns(queryset: QuerySet, **columns) -> QuerySet:
    """annotate() that also accepts names the model uses for a field. Complaint.outcome is the
    official's free-text result (it may name people); the published column of that name is
    its code, so it must replace the field, which QuerySet.annotate() refuses to do."""
    queryset = queryset.all()
    for name, expression in columns.items():
        queryset.query.add_annotation(expression, name, select=True)
    return queryset


def _complaint_outcome() -> Case:
    return Case(
        When(status__in=Complaint.OPEN, then=Value(COMPLAINT_OUTCOME_OPEN)),
        default=F("status"),
        output_field=CharField(),
    )


def open_grade_rows(*, today: dt.date | None = None) -> QuerySet:
    """Official grades in force on `today` of public providers, as grades_current() decides
    (the newest awarded per provider and domain, if still valid). Public: a grade is an
    official's published assessment of an organisation; who awarded it is not shown.
    `awarded_on` is the day the grade took effect (Grade.valid_from)."""
    today = today or timezone.localdate(timezone=OPEN_DATA_ZONE)
    newer = Grade.objects.filter(
        provider=OuterRef("provider"), domain=OuterRef("domain"), valid_from__lte=today
    ).filter(
        Q(valid_from__gt=OuterRef("valid_from"))
        | Q(valid_from=OuterRef("valid_from"), pk__gt=OuterRef("pk"))
    )
    return (
        Grade.objects.filter(
            public_provider_q("provider__"), valid_from__lte=today, valid_until__gte=today
        )
        .filter(~Exists(newer))
        .annotate(provider_name=F("provider__name"), grade=F("value"), awarded_on=F("valid_from"))
        .values(*OPEN_GRADE_KEYS)
        .order_by("id")
    )


def open_inspection_rows() -> QuerySet:
    """Completed inspections of public providers: kind, date, score and `result` ("passed",
    "failed", or null when none was recorded). Public: inspection results are supervision
    information about organisations; the inspector, findings, items and photos are not
    (people's names and residents' details can appear in them)."""
    return (
        Inspection.objects.filter(
            public_provider_q("provider__"), status=Inspection.Status.COMPLETED
        )
        .annotate(
            provider_name=F("provider__name"),
            completed_on=F("inspected_on"),
            result=Case(
                When(passed=True, then=Value("passed")),
                When(passed=False, then=Value("failed")),
                default=Value(None),
                output_field=CharField(),
            ),
        )
        .values(*OPEN_INSPECTION_KEYS)
        .order_by("id")
    )


def open_credit_list_rows(*, today: dt.date | None = None) -> QuerySet:
    """Red and black list entries in force on `today`, of registered organisations (a
    black-listed provider is hidden from search, so public_provider_q would drop exactly the
    entries that matter). Public: the 红黑名单 is published by law, and the platform already
    shows the same entries with this reason (credit_list_public, the public API); who listed
    or removed an entry is not shown. `list_kind` is "red" or "black", `until` null for an
    open-ended entry."""
    today = today or timezone.localdate(timezone=OPEN_DATA_ZONE)
    return (
        CreditListEntry.objects.filter(
            credit_entry_active_q(today),
            starts_on__lte=today,
            provider__status__in=_REGISTERED_PROVIDER,
        )
        .annotate(
            provider_name=F("provider__name"),
            credit_code=F("provider__credit_code"),
            list_kind=F("list"),
            listed_on=F("starts_on"),
            until=F("ends_on"),
        )
        .values(*OPEN_CREDIT_LIST_KEYS)
        .order_by("id")
    )


def open_complaint_stat_rows(*, months: int = 24, today: dt.date | None = None) -> list[dict]:
    """Complaints filed in the `months` calendar months ending with today's (Asia/Shanghai),
    counted per filing month ('YYYY-MM'), district (the first six digits of the division
    whose officials handle it, the provider's when filed), category and outcome (the closing
    status, or "open"). Public as counts only: no complaint, provider or person is named.
    One query; raw counts, openData suppresses small cells."""
    start, end = open_data.month_window(today, months)
    groups = OPEN_COMPLAINT_STAT_KEYS[:-1]
    complaints = _with_columns(
        Complaint.objects.filter(created_at__gte=start, created_at__lt=end),
        month=open_data.month_text("created_at"),
        district=Substr("division_id", 1, 6),
        outcome=_complaint_outcome(),
    )
    return list(complaints.values(*groups).annotate(complaints=Count("pk")).order_by(*groups))


def open_complaint_case_rows() -> QuerySet:
    """Closed complaints, one row each, for a conditional (有条件开放) dataset: filing month,
    district, domain, category, outcome and `days_to_close` (calendar days in Asia/Shanghai
    from filing to closing). No id, reference, provider, text or person, so the rows link to
    nobody; openData checks k-anonymity on the file it writes (and leaves out small groups).
    `domain` is the booked listing's; without a booking, the provider's only domain, or null
    when it has several."""
    domain = Coalesce(
        F("booking__listing__category__domain"),
        Case(
            When(provider__domains__len=1, then=F("provider__domains__0")),
            default=Value(None),
            output_field=CharField(),
        ),
        output_field=CharField(),
    )
    days_to_close = Func(
        TruncDate("closed_at", tzinfo=OPEN_DATA_ZONE),
        TruncDate("created_at", tzinfo=OPEN_DATA_ZONE),
        template="(%(expressions)s)",
        arg_joiner=" - ",
        output_field=IntegerField(),
    )
    complaints = Complaint.objects.exclude(status__in=Complaint.OPEN).filter(
        closed_at__isnull=False
    )
    return (
        _with_columns(
            complaints,
            month=open_data.month_text("created_at"),
            district=Substr("division_id", 1, 6),
            domain=domain,
            outcome=_complaint_outcome(),
            days_to_close=days_to_close,
        )
        .values(*OPEN_COMPLAINT_CASE_KEYS)
        .order_by(*OPEN_COMPLAINT_CASE_KEYS)
    )


def person_names() -> set[str]:
    """The names of every person a ratings row refers to, for openData's check that no
    release contains one: complainants, reviewers, reporters, inspectors, handling and listing
    officials, authors of messages, replies and appeals (users), and the people served and the
    staff who served in the bookings that complaints and reviews are about. Ratings keeps no
    name column of its own; its free text may name any of them. One query."""
    user_refs = [
        Complaint.objects.values("resident_id"),
        Complaint.objects.values("handler_id"),
        ComplaintEvent.objects.values("actor_id"),
        ComplaintMessage.objects.values("author_id"),
        Review.objects.values("resident_id"),
        Review.objects.values("moderated_by_id"),
        ReviewReply.objects.values("author_id"),
        ReviewReport.objects.values("reporter_id"),
        Inspection.objects.values("inspector_id"),
        Grade.objects.values("awarded_by_id"),
        CreditEvent.objects.values("recorded_by_id"),
        CreditListEntry.objects.values("created_by_id"),
        CreditListEntry.objects.values("removed_by_id"),
        CreditAppeal.objects.values("submitted_by_id"),
        CreditAppeal.objects.values("decided_by_id"),
    ]
    users = User.objects.filter(_any_pk_in(user_refs))
    dependants = Dependant.objects.filter(
        _any_pk_in(
            [
                Complaint.objects.values("booking__dependant_id"),
                Review.objects.values("booking__dependant_id"),
            ]
        )
    )
    staff = StaffMember.objects.filter(
        _any_pk_in(
            [
                Complaint.objects.values("booking__staff_id"),
                Review.objects.values("booking__staff_id"),
            ]
        )
    )
    names = (
        users.exclude(name="")
        .values_list("name", flat=True)
        .order_by()
        .union(
            dependants.exclude(name="").values_list("name", flat=True).order_by(),
            staff.exclude(name="").values_list("name", flat=True).order_by(),
        )
    )
    return {name.strip() for name in names if name.strip()}


def _any_pk_in(subqueries: list[QuerySet]) -> Q:
    condition = Q()
    for subquery in subqueries:
        condition |= Q(pk__in=subquery.order_by())
    return condition
