"""Recognition of volunteers (激励): star levels by cumulative confirmed hours, badges, the
yearly ranking per district, commendations and the public record that shows them.

Everything here is computed from confirmed hour records when it is read; nothing is stored.
Star thresholds are settings.VOLUNTEER_STAR_HOURS; the badges and their rules are the BADGES
table below (the one place that defines them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Max, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Division, division_prefix
from portal.accounts.permissions import official_covers
from portal.privacy import mask_name
from volunteers.formatting import hours_label
from volunteers.models import ActivityDomain, Commendation, HourRecord, Volunteer

ZONE = ZoneInfo("Asia/Shanghai")
CONFIRMED = HourRecord.Status.CONFIRMED

# --- Star levels ------------------------------------------------------------------------------

STAR_LABELS = (_("一星"), _("二星"), _("三星"), _("四星"), _("五星"))


def star_thresholds() -> list[int]:
    """Hours needed for each star, lowest first (settings.VOLUNTEER_STAR_HOURS)."""
    return sorted(int(h) for h in settings.VOLUNTEER_STAR_HOURS)


def star_level(minutes: int) -> int:
    """0 below the first threshold, then 1 (一星) … one per threshold reached."""
    return sum(1 for hours in star_thresholds() if minutes >= hours * 60)


def star_label(level: int) -> str:
    if level <= 0:
        return ""
    if level <= len(STAR_LABELS):
        return str(STAR_LABELS[level - 1])
    return str(_("%(n)d星")) % {"n": level}


def next_star_hours(minutes: int) -> int | None:
    """The threshold (hours) of the next star, or None at the top level."""
    return next((h for h in star_thresholds() if minutes < h * 60), None)


# --- Badges -----------------------------------------------------------------------------------

ELDERLY_PIONEER_HOURS = 50
ALL_ROUNDER_DOMAINS = 3
STAR_OF_YEAR_TOP = 10


@dataclass(frozen=True)
class Badge:
    code: str
    label: Promise
    rule: Promise  # a translatable sentence; `params` fill it when read
    params: tuple = ()

    @property
    def description(self) -> str:
        return str(self.rule) % dict(self.params)


# The badges, in the order they are shown. Each rule is in _earned() below.
BADGES = (
    Badge("first_service", _("首次服务"), _("完成第一次经确认的志愿服务。")),
    Badge(
        "elderly_pioneer",
        _("助老先锋"),
        _("助老服务确认时长累计满 %(n)d 小时。"),
        (("n", ELDERLY_PIONEER_HOURS),),
    ),
    Badge(
        "all_rounder",
        _("多面手"),
        _("在 %(n)d 个及以上服务领域有确认时长。"),
        (("n", ALL_ROUNDER_DOMAINS),),
    ),
    Badge(
        "star_of_year",
        _("年度之星"),
        _("上一年度所在区县志愿服务时长排名前 %(n)d。"),
        (("n", STAR_OF_YEAR_TOP),),
    ),
)


def _earned(code: str, *, by_domain: dict[str, int], top_last_year: bool) -> bool:
    if code == "first_service":
        return bool(by_domain)
    if code == "elderly_pioneer":
        return by_domain.get(ActivityDomain.ELDERLY, 0) >= ELDERLY_PIONEER_HOURS * 60
    if code == "all_rounder":
        return sum(1 for minutes in by_domain.values() if minutes > 0) >= ALL_ROUNDER_DOMAINS
    if code == "star_of_year":
        return top_last_year
    raise ValueError(f"no rule for badge {code!r}")


# --- Who has a public record -------------------------------------------------------------------

# 未成年人 have no public record (no ranking row, no profile): their guardian consented to
# their service, not to its publicity. Officials covering them still see them.
PUBLIC_MIN_AGE = 18


def public_born_by(today: dt.date | None = None) -> dt.date:
    """The latest birth date of a volunteer old enough (PUBLIC_MIN_AGE) for a public record."""
    today = today or timezone.localdate(timezone=ZONE)
    try:
        return today.replace(year=today.year - PUBLIC_MIN_AGE)
    except ValueError:  # 29 February: the birthday is reached on 1 March, so 28 February
        return today.replace(year=today.year - PUBLIC_MIN_AGE, day=28)


def volunteer_record_visible(*, volunteer: Volunteer, viewer) -> bool:
    """Whether the viewer may see the volunteer's record (profile page and API): anyone for
    an adult, only an official covering their division for a minor."""
    return volunteer.birth_date <= public_born_by() or official_covers(
        viewer, volunteer.division_id
    )


# --- The yearly ranking per district ----------------------------------------------------------

RANKING_SIZE = 50


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[1 January, next 1 January) of `year` in Asia/Shanghai."""
    return dt.datetime(year, 1, 1, tzinfo=ZONE), dt.datetime(year + 1, 1, 1, tzinfo=ZONE)


def this_year() -> int:
    return timezone.localdate(timezone=ZONE).year


def ranking_districts() -> QuerySet[Division]:
    """The county-level divisions of the portal's city, for choosing a ranking."""
    return Division.objects.filter(
        level=Division.Level.COUNTY,
        code__startswith=division_prefix(settings.PORTAL_CITY_CODE),
    ).order_by("code")


def district_of(division: Division) -> Division:
    """The county-level division of a division (a township's parent); needs
    select_related("division__parent") on the volunteer to cost nothing."""
    if len(division.code) == 9 and division.parent is not None:
        return division.parent
    return division


@dataclass(frozen=True)
class RankingRow:
    rank: int
    volunteer_id: int
    number: str
    masked_name: str
    minutes: int
    reached_at: dt.datetime

    @property
    def hours(self) -> str:
        return hours_label(self.minutes)


def ranking(*, year: int, district_code: str, limit: int = RANKING_SIZE) -> list[RankingRow]:
    """The volunteers of a district (their division inside it, townships included) by confirmed
    minutes whose period starts in `year` (Asia/Shanghai), most first; of equal totals, the one
    who reached it first (the earliest end of their last counted period) ranks higher. Names
    masked; closed accounts and minors (PUBLIC_MIN_AGE) left out. One query."""
    start, end = year_bounds(year)
    rows = (
        HourRecord.objects.filter(
            status=CONFIRMED,
            period__startswith__gte=start,
            period__startswith__lt=end,
            volunteer__division__code__startswith=division_prefix(district_code),
            volunteer__user__erased_at__isnull=True,
            volunteer__birth_date__lte=public_born_by(),
        )
        .values("volunteer_id", "volunteer__number", "volunteer__real_name")
        .annotate(minutes=Sum("minutes"), reached_at=Max(F("period__endswith")))
        .filter(minutes__gt=0)
        .order_by("-minutes", "reached_at", "volunteer__number")[:limit]
    )
    return [
        RankingRow(
            rank=index,
            volunteer_id=row["volunteer_id"],
            number=row["volunteer__number"],
            masked_name=mask_name(row["volunteer__real_name"]),
            minutes=row["minutes"],
            reached_at=row["reached_at"],
        )
        for index, row in enumerate(rows, start=1)
    ]


# --- A volunteer's public record ----------------------------------------------------------------


def volunteer_get_by_number(*, number: str) -> Volunteer | None:
    """A volunteer's public identity by number; a closed account has none."""
    return (
        Volunteer.objects.select_related("division__parent")
        .filter(number=number, user__erased_at__isnull=True)
        .first()
    )


def commendation_list(*, volunteer: Volunteer) -> QuerySet[Commendation]:
    return volunteer.commendations.select_related("division").order_by("-year", "-awarded_at", "id")


@dataclass
class VolunteerRecord:
    """What a volunteer's service has earned, as shown on the public profile."""

    volunteer: Volunteer
    district: Division
    minutes: int
    star: int
    star_label: str
    next_star_hours: int | None
    badges: list[Badge]
    years: list[dict] = field(default_factory=list)  # {"year", "minutes", "hours"}, newest first
    commendations: list[Commendation] = field(default_factory=list)

    @property
    def hours(self) -> str:
        return hours_label(self.minutes)


def volunteer_record(*, volunteer: Volunteer, today: dt.date | None = None) -> VolunteerRecord:
    """Stars, badges, confirmed hours per year and commendations of one volunteer. Four
    queries (hours by domain, by year, last year's district ranking, commendations)."""
    confirmed = HourRecord.objects.filter(volunteer=volunteer, status=CONFIRMED)
    by_domain = {
        row["activity__domain"]: row["minutes"] or 0
        for row in confirmed.values("activity__domain")
        .annotate(minutes=Sum("minutes"), records=Count("pk"))
        .filter(records__gt=0)
        .order_by()
    }
    years = [
        {"year": row["year"], "minutes": row["minutes"], "hours": hours_label(row["minutes"])}
        for row in confirmed.annotate(year=ExtractYear(F("period__startswith"), tzinfo=ZONE))
        .values("year")
        .annotate(minutes=Sum("minutes"))
        .order_by("-year")
    ]
    district = district_of(volunteer.division)
    last_year = (today or timezone.localdate(timezone=ZONE)).year - 1
    top = ranking(year=last_year, district_code=district.code, limit=STAR_OF_YEAR_TOP)
    top_last_year = any(row.volunteer_id == volunteer.pk for row in top)
    minutes = sum(by_domain.values())
    level = star_level(minutes)
    return VolunteerRecord(
        volunteer=volunteer,
        district=district,
        minutes=minutes,
        star=level,
        star_label=star_label(level),
        next_star_hours=next_star_hours(minutes),
        badges=[
            b for b in BADGES if _earned(b.code, by_domain=by_domain, top_last_year=top_last_year)
        ],
        years=years,
        commendations=list(commendation_list(volunteer=volunteer)),
    )


def badges_for(*, volunteer: Volunteer, today: dt.date | None = None) -> list[Badge]:
    """The badges a volunteer has earned (computed, never stored)."""
    return volunteer_record(volunteer=volunteer, today=today).badges
