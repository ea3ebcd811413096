"""Checks shared by the volunteers services: input, divisions, choices, who manages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal.accounts.models import Division, User
from volunteers.errors import NotAllowed, VolunteerError
from volunteers.models import Member, Organisation, Signup, Volunteer

ADULT_AGE = 18
MAX_POSITIONS = 20
MAX_NEEDED = 1000


def birth_date_of(id_number: str) -> dt.date:
    """The birth date in digits 7–14 of a validated 公民身份号码."""
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def check_input(validator, value, field: str):
    try:
        return validator(value)
    except ValidationError as exc:
        raise VolunteerError(exc.messages[0], code=exc.code or "invalid", field=field) from None


def required_text(value, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise VolunteerError(_("此项为必填项。"), code="required", field=field)
    if len(value) > max_length:
        raise VolunteerError(
            _("最多 %(n)s 个字。") % {"n": max_length}, code="max_length", field=field
        )
    return value


def division_of(code: str, field: str = "division") -> Division:
    division = Division.objects.filter(code=code or "").first()
    if division is None:
        raise VolunteerError(
            _("未知的行政区划代码：%(code)s") % {"code": code}, code="unknown_division", field=field
        )
    return division


def known_choices(values, allowed, field: str) -> list[str]:
    values = list(dict.fromkeys(values or []))
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise VolunteerError(
            _("未知的选项：%(v)s") % {"v": "、".join(map(str, unknown))},
            code="invalid_choice",
            field=field,
        )
    return values


def managers_of(organisation_id: int) -> QuerySet[User]:
    """The users who run an organisation (its owner and managers): who may act for it and
    who is told of what waits for it."""
    return User.objects.filter(
        volunteer_memberships__organisation_id=organisation_id,
        volunteer_memberships__role__in=(Member.Role.OWNER, Member.Role.MANAGER),
    )


def _is_manager(user, organisation_id) -> bool:
    return bool(
        user and user.is_authenticated and managers_of(organisation_id).filter(pk=user.pk).exists()
    )


def require_manager(actor, organisation: Organisation) -> None:
    if not _is_manager(actor, organisation.pk):
        raise NotAllowed(_("只有该组织的负责人或管理员可以进行此操作。"), code="manager_only")


def require_volunteer(user, message: str | None = None) -> Volunteer:
    """The user's volunteer record; anyone without one is refused (403) before their input
    is read, so a refused caller learns nothing about it."""
    volunteer = (
        Volunteer.objects.filter(user=user).first()
        if user is not None and user.is_authenticated
        else None
    )
    if volunteer is None:
        raise NotAllowed(message or _("请先完成志愿者实名注册。"), code="not_a_volunteer")
    return volunteer


def require_owner(actor, organisation: Organisation) -> None:
    if not Member.objects.filter(
        organisation=organisation, user=actor, role=Member.Role.OWNER
    ).exists():
        raise NotAllowed(_("只有该组织的负责人可以进行此操作。"), code="owner_only")


def require_not_own(actor, volunteer) -> None:
    """A manager never decides on their own sign-up, attendance, hours or dispute: hours buy
    time-bank services, so another manager of the organisation must do it."""
    if volunteer.user_id == getattr(actor, "pk", None):
        raise NotAllowed(
            _("不能处理本人的报名或服务时长，请由组织的其他管理员处理。"), code="own_record"
        )


def locked_signup(signup: Signup) -> Signup:
    """The sign-up's row, locked for the rest of the transaction (one decision at a time)."""
    # of=("self",): only the sign-up's row, not the activity's and volunteer's joined to it
    # (locking those would serialise, and could deadlock, concurrent check-outs).
    return (
        Signup.objects.select_for_update(of=("self",))
        .select_related("activity", "volunteer")
        .get(pk=signup.pk)
    )
