"""Commendations (表彰) that officials record for volunteers.

Who may record one: an official (any department: a district's 文明办 or 卫健 commends too)
whose jurisdiction covers the volunteer's division. Which level: no higher than the level of
the official's own jurisdiction — a county (or township) official records 区县级 commendations,
a city official up to 市级, a province official up to 省级 and also 国家级 ones, which reach
a volunteer through the province. A commendation of the same title in the same year is
recorded once.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.permissions import official_covers
from portal.audit.services import audit_record
from portal.notifications.services import notify
from volunteers.errors import NotAllowed, VolunteerConflict, VolunteerError
from volunteers.models import Commendation, Volunteer
from volunteers.selectors.recognition import this_year
from volunteers.services.common import required_text

Level = Commendation.Level
LEVELS = [Level.DISTRICT, Level.CITY, Level.PROVINCE, Level.NATIONAL]
EARLIEST_YEAR = 1990  # the model's check constraint
REASON_MAX = 2000


def _highest_level(jurisdiction: str) -> str:
    if len(jurisdiction) == 6 and jurisdiction.endswith("0000"):
        return Level.NATIONAL
    if len(jurisdiction) == 6 and jurisdiction.endswith("00"):
        return Level.CITY
    return Level.DISTRICT  # a county, or a township (9 digits)


def grantable_levels(official) -> list[str]:
    """The levels an official may record, lowest first (none for anyone else)."""
    if not getattr(official, "is_official", False) or not official.jurisdiction_id:
        return []
    highest = _highest_level(official.jurisdiction_id)
    return LEVELS[: LEVELS.index(highest) + 1]


def may_commend(actor, volunteer: Volunteer) -> bool:
    return official_covers(actor, volunteer.division_id)


def require_commender(actor, volunteer: Volunteer) -> None:
    """Checked before any input is looked at: a refused caller learns nothing more."""
    if not may_commend(actor, volunteer):
        raise NotAllowed(
            _("只有管辖该志愿者所在区域的监管人员可以记录表彰。"), code="out_of_jurisdiction"
        )


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise VolunteerError(_("请填写年度，如 2026。"), code="invalid", field="year") from None
    latest = this_year()
    if not EARLIEST_YEAR <= year <= latest:
        raise VolunteerError(
            _("年度应在 %(first)d 至 %(last)d 之间。") % {"first": EARLIEST_YEAR, "last": latest},
            code="out_of_range",
            field="year",
        )
    return year


def commendation_record(
    *,
    actor: User,
    volunteer: Volunteer,
    title: str,
    level: str,
    year: int | str,
    reason: str = "",
    request=None,
) -> Commendation:
    """Record a commendation on a volunteer's public record; the volunteer is notified."""
    require_commender(actor, volunteer)
    title = required_text(title, "title", 100)
    if level not in Level.values:
        raise VolunteerError(_("请选择表彰级别。"), code="invalid_choice", field="level")
    if level not in grantable_levels(actor):
        raise NotAllowed(
            _("您所在层级不能记录“%(level)s”表彰。") % {"level": Level(level).label},
            code="level_not_grantable",
            field="level",
        )
    year = _year(year)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise VolunteerError(
            _("最多 %(n)s 个字。") % {"n": REASON_MAX}, code="max_length", field="reason"
        )
    duplicate = VolunteerConflict(
        _("该志愿者 %(year)d 年度已记录“%(title)s”表彰。") % {"year": year, "title": title},
        code="duplicate",
    )
    if Commendation.objects.filter(volunteer=volunteer, title=title, year=year).exists():
        raise duplicate
    try:
        with transaction.atomic():
            commendation = Commendation.objects.create(
                volunteer=volunteer,
                title=title,
                level=level,
                year=year,
                reason=reason,
                division_id=actor.jurisdiction_id,
                awarded_by=actor,
            )
            audit_record(
                actor=actor,
                action="volunteer.commendation_recorded",
                target=commendation,
                subject=volunteer.user,
                detail={"title": title, "level": level, "year": year},
                request=request,
            )
            notify(
                recipients=[volunteer.user],
                kind="volunteer_commendation",
                title=_("您获得表彰：%(year)d年 %(title)s") % {"year": year, "title": title},
                body=reason,
                link=reverse("volunteers:profile", args=[volunteer.number]),
                dedupe_key=f"volcommend:{commendation.pk}",
            )
    except IntegrityError:
        raise duplicate from None  # the same one, recorded a moment ago by someone else
    return commendation
