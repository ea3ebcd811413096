"""Read paths of the volunteers app: who sees which organisations, activities, sign-ups and
hours. Other apps (openData later) read volunteers only through these functions."""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.search import SearchRank
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from portal.accounts.models import division_prefix
from portal.accounts.permissions import is_official
from portal.search import build_query
from volunteers.models import Activity, HourRecord, Member, Organisation, Signup, Volunteer

MANAGER_ROLES = (Member.Role.OWNER, Member.Role.MANAGER)


def volunteer_get_for_user(*, user) -> Volunteer | None:
    if not (user and user.is_authenticated):
        return None
    return Volunteer.objects.select_related("division").filter(user=user).first()


def volunteer_get_public(*, pk: int) -> Volunteer | None:
    return Volunteer.objects.select_related("division").filter(pk=pk).first()


def managed_organisation_ids(user) -> set[int]:
    if not (user and user.is_authenticated):
        return set()
    return set(
        Member.objects.filter(user=user, role__in=MANAGER_ROLES).values_list(
            "organisation_id", flat=True
        )
    )


def is_manager_of(user, organisation_id) -> bool:
    return organisation_id in managed_organisation_ids(user)


def organisation_list_visible(*, viewer) -> QuerySet[Organisation]:
    """The public sees approved organisations; members see theirs in any state; officials
    also see every organisation in their jurisdiction."""
    visible = Q(status=Organisation.Status.APPROVED)
    if viewer and viewer.is_authenticated:
        visible |= Q(members__user=viewer)
        if is_official(viewer):
            visible |= Q(division__code__startswith=division_prefix(viewer.jurisdiction_id))
    return (
        Organisation.objects.filter(pk__in=Organisation.objects.filter(visible).values("pk"))
        .select_related("division")
        .order_by("name", "id")
    )


def organisation_get_visible(*, viewer, pk: int) -> Organisation | None:
    return organisation_list_visible(viewer=viewer).filter(pk=pk).first()


def organisation_get_for_manager(*, user, pk: int) -> Organisation | None:
    if pk not in managed_organisation_ids(user):
        return None
    return Organisation.objects.select_related("division").filter(pk=pk).first()


def organisation_get_for_reader(*, user, pk: int) -> Organisation | None:
    """Its managers and the officials covering it read its members."""
    organisation = Organisation.objects.select_related("division").filter(pk=pk).first()
    if organisation is None:
        return None
    if is_manager_of(user, pk) or (is_official(user) and user.covers(organisation.division_id)):
        return organisation
    return None


def member_list(*, organisation: Organisation) -> QuerySet[Member]:
    return organisation.members.select_related("user").order_by("role", "created_at", "id")


def _activities() -> QuerySet[Activity]:
    return Activity.objects.select_related("organisation", "division").prefetch_related("positions")


def activity_search(
    *,
    text: str = "",
    domain: str = "",
    division: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    skill: str = "",
) -> QuerySet[Activity]:
    """Published activities of approved organisations, upcoming unless a start date says
    otherwise. The text is searched like services' listings (portal.search): Chinese words or
    pinyin, full or initials (`zhulao`, `zl` find 助老), each word typed must match; matches
    come by rank (title, then organisation, description, place), then by time."""
    activities = _activities().filter(
        status=Activity.Status.PUBLISHED,
        organisation__status=Organisation.Status.APPROVED,
    )
    if date_from is None:
        activities = activities.filter(ends_at__gte=timezone.now())
    else:
        activities = activities.filter(ends_at__date__gte=date_from)
    if date_to is not None:
        activities = activities.filter(starts_at__date__lte=date_to)
    if domain:
        activities = activities.filter(domain=domain)
    if division:
        activities = activities.filter(division__code__startswith=division_prefix(division))
    if skill:
        activities = activities.filter(
            pk__in=Activity.objects.filter(positions__skills__contains=[skill]).values("pk")
        )
    query = build_query(text)
    if query is None:
        return activities.order_by("starts_at", "id")
    return (
        activities.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "starts_at", "id")
    )


def activity_get_visible(*, viewer, pk: int) -> Activity | None:
    """An activity of an approved organisation, or any activity of one the viewer manages."""
    activity = _activities().filter(pk=pk).first()
    if activity is None:
        return None
    if activity.organisation.is_public or is_manager_of(viewer, activity.organisation_id):
        return activity
    return None


def activity_get_for_manager(*, user, pk: int) -> Activity | None:
    activity = _activities().filter(pk=pk).first()
    if activity is None or not is_manager_of(user, activity.organisation_id):
        return None
    return activity


def activity_list_for_organisation(*, organisation: Organisation) -> QuerySet[Activity]:
    return _activities().filter(organisation=organisation).order_by("-starts_at", "id")


def signup_list_for_activity(*, activity: Activity) -> QuerySet[Signup]:
    return activity.signups.select_related("volunteer", "position", "hours").order_by(
        "created_at", "id"
    )


def signup_get_for_manager(*, user, pk: int) -> Signup | None:
    signup = (
        Signup.objects.select_related("activity__organisation", "volunteer", "position")
        .filter(pk=pk)
        .first()
    )
    if signup is None or not is_manager_of(user, signup.activity.organisation_id):
        return None
    return signup


def signup_get_for_volunteer_or_manager(*, user, pk: int) -> Signup | None:
    signup = (
        Signup.objects.select_related("activity__organisation", "volunteer", "position")
        .filter(pk=pk)
        .first()
    )
    if signup is None:
        return None
    if signup.volunteer.user_id == getattr(user, "pk", None) or is_manager_of(
        user, signup.activity.organisation_id
    ):
        return signup
    return None


def signup_list_for_volunteer(*, user) -> QuerySet[Signup]:
    return (
        Signup.objects.filter(volunteer__user=user)
        .select_related("activity", "position")
        .order_by("-created_at", "-id")
    )


def hour_record_get_for_manager(*, user, pk: int) -> HourRecord | None:
    record = HourRecord.objects.select_related("activity__organisation").filter(pk=pk).first()
    if record is None or not is_manager_of(user, record.activity.organisation_id):
        return None
    return record


def hour_list_for_volunteer(*, user) -> QuerySet[HourRecord]:
    """A volunteer's own records only (nobody else's, whoever asks)."""
    return (
        HourRecord.objects.filter(volunteer__user=user)
        .select_related("activity")
        .order_by("-checked_in_at", "-id")
    )


def hour_totals_by_year(*, user) -> list[dict]:
    """Confirmed minutes per calendar year (Asia/Shanghai) of the user's volunteer record."""
    rows = (
        HourRecord.objects.filter(volunteer__user=user, status=HourRecord.Status.CONFIRMED)
        .annotate(year=ExtractYear("checked_in_at"))
        .values("year")
        .annotate(minutes=Sum("minutes"))
        .order_by("-year")
    )
    return [
        {"year": r["year"], "minutes": r["minutes"], "hours": round(r["minutes"] / 60, 2)}
        for r in rows
    ]


# --- Pages: what a volunteer or an organiser sees of their own ----------------------------------


def organisation_list_managed(*, user) -> QuerySet[Organisation]:
    """The organisations the user runs (owner or manager), in any review state."""
    return (
        Organisation.objects.filter(pk__in=managed_organisation_ids(user))
        .select_related("division")
        .order_by("name", "id")
    )


def signup_get_mine(*, user, activity: Activity) -> Signup | None:
    """The user's sign-up for the activity: the open one, else the latest."""
    if not (user and user.is_authenticated):
        return None
    signups = Signup.objects.filter(activity=activity, volunteer__user=user).select_related(
        "position", "hours"
    )
    return (
        signups.filter(status__in=Signup.ACTIVE).first()
        or signups.order_by("-created_at", "-id").first()
    )


def signup_list_for_checkin(*, user, grace: dt.timedelta) -> QuerySet[Signup]:
    """The user's accepted sign-ups whose activity's check-in code works now or later today."""
    now = timezone.now()
    return (
        Signup.objects.filter(
            volunteer__user=user,
            status=Signup.Status.ACCEPTED,
            activity__status=Activity.Status.PUBLISHED,
            activity__ends_at__gte=now - grace,
            activity__starts_at__lte=now + dt.timedelta(days=1),
        )
        .select_related("activity")
        .order_by("activity__starts_at", "id")
    )
