"""Checks shared by the socialorgs services: who acts for an organisation (its accounts), which
officials supervise it (民政 covering its division), and small input rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Division, User
from portal.accounts.permissions import is_official
from socialorgs.errors import NotAllowed, SocialOrgError
from socialorgs.models import OrgMembership, SocialOrganisation

ACTING_ROLES = (OrgMembership.Role.OWNER, OrgMembership.Role.MANAGER)
# Who may hold an account of an organisation (officials supervise; they do not act for one).
ACCOUNT_USER_ROLES = (User.Role.RESIDENT, User.Role.PROVIDER_STAFF)


# --- Organisation accounts ------------------------------------------------------------------


def org_role_of(user, organisation: SocialOrganisation) -> str | None:
    """The user's role at the organisation (owner, manager, member), or None."""
    if not (user and user.is_authenticated):
        return None
    return (
        OrgMembership.objects.filter(user=user, organisation=organisation)
        .values_list("role", flat=True)
        .first()
    )


def org_accounts(organisation: SocialOrganisation) -> QuerySet[User]:
    """Everyone holding an account of the organisation: who is told what concerns it."""
    return User.objects.filter(socialorg_memberships__organisation=organisation, is_active=True)


def require_org_member(actor, organisation: SocialOrganisation) -> str:
    role = org_role_of(actor, organisation)
    if role is None:
        raise NotAllowed(_("您不是该社会组织的工作人员。"), code="not_a_member")
    return role


def require_org_manager(actor, organisation: SocialOrganisation) -> None:
    """Owners and managers act for the organisation (reports, projects, the charity ledger)."""
    if org_role_of(actor, organisation) not in ACTING_ROLES:
        raise NotAllowed(_("只有该社会组织的负责人或管理员可以进行此操作。"), code="manager_only")


def require_org_owner(actor, organisation: SocialOrganisation) -> None:
    if org_role_of(actor, organisation) != OrgMembership.Role.OWNER:
        raise NotAllowed(_("只有该社会组织的负责人可以进行此操作。"), code="owner_only")


# --- Supervising officials --------------------------------------------------------------------


def is_civil_affairs_official(user) -> bool:
    return is_official(user) and user.department == User.Department.CIVIL_AFFAIRS


def official_supervises(user, division_code: str | None) -> bool:
    """Social organisations are registered and supervised by 民政: a civil-affairs official
    whose jurisdiction contains the division."""
    return is_civil_affairs_official(user) and user.covers(division_code or "")


def require_civil_affairs(actor) -> None:
    if not is_civil_affairs_official(actor):
        raise NotAllowed(
            _("社会组织由民政部门登记管理，只有民政部门的监管人员可以进行此操作。"),
            code="civil_affairs_only",
        )


def require_supervisor(actor, division_code: str | None) -> None:
    require_civil_affairs(actor)
    if not actor.covers(division_code or ""):
        raise NotAllowed(_("该社会组织不在您的管辖区域内。"), code="out_of_jurisdiction")


def supervising_officials(division_code: str) -> list[User]:
    """The active civil-affairs officials whose jurisdiction contains the division."""
    officials = User.objects.filter(
        role=User.Role.OFFICIAL, is_active=True, department=User.Department.CIVIL_AFFAIRS
    )
    return [o for o in officials if o.covers(division_code)]


# --- Input ------------------------------------------------------------------------------------


def check_input(validator, value, field: str):
    try:
        return validator(value)
    except ValidationError as exc:
        raise SocialOrgError(exc.messages[0], code=exc.code or "invalid", field=field) from None


def required_text(value, field: str, max_length: int) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if not value:
        raise SocialOrgError(_("此项为必填项。"), code="required", field=field)
    return optional_text(value, field, max_length)


def optional_text(value, field: str, max_length: int) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if len(value) > max_length:
        raise SocialOrgError(
            _("最多 %(n)s 个字。") % {"n": max_length}, code="max_length", field=field
        )
    return value


def division_of(code, field: str = "division") -> Division:
    division = Division.objects.filter(code=code or "").first() if isinstance(code, str) else None
    if division is None:
        raise SocialOrgError(
            _("未知的行政区划代码：%(code)s") % {"code": code}, code="unknown_division", field=field
        )
    return division


def date_input(value, field: str, *, required: bool = True) -> dt.date | None:
    """A date (or an ISO date string) no later than today."""
    if value in (None, ""):
        if required:
            raise SocialOrgError(_("此项为必填项。"), code="required", field=field)
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise SocialOrgError(
                _("请输入有效的日期（如 2024-05-31）。"), code="invalid_date", field=field
            ) from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise SocialOrgError(_("请输入有效的日期（如 2024-05-31）。"), code="invalid", field=field)
    if value > timezone.localdate():
        raise SocialOrgError(_("日期不能晚于今天。"), code="future_date", field=field)
    return value


def fen_of_yuan(value, field: str, *, max_yuan: int) -> int:
    """An amount typed in yuan (at most two decimals, not negative, at most `max_yuan`) as
    integer fen."""
    if value in (None, ""):
        return 0
    if isinstance(value, bool):
        raise SocialOrgError(_("请输入金额（元）。"), code="invalid", field=field)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise SocialOrgError(_("请输入金额（元）。"), code="invalid", field=field) from None
    if not amount.is_finite():
        raise SocialOrgError(_("请输入金额（元）。"), code="invalid", field=field)
    if amount < 0:
        raise SocialOrgError(_("金额不能为负数。"), code="negative", field=field)
    # The bound first: quantizing "1e30" to fen would overflow the decimal context.
    if amount > max_yuan:
        raise SocialOrgError(
            _("金额不能超过 %(max)s 元，请检查单位（元）。") % {"max": f"{max_yuan:,}"},
            code="too_large",
            field=field,
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise SocialOrgError(_("金额最多保留两位小数（分）。"), code="invalid", field=field)
    return int(amount * 100)


def count_input(value, field: str, *, maximum: int) -> int:
    """A whole number of people from 0 to `maximum`."""
    if value in (None, ""):
        return 0
    if isinstance(value, bool):
        raise SocialOrgError(_("请输入整数。"), code="invalid", field=field)
    try:
        number = int(str(value).strip())
    except ValueError:
        raise SocialOrgError(_("请输入整数。"), code="invalid", field=field) from None
    if number < 0:
        raise SocialOrgError(_("人数不能为负数。"), code="negative", field=field)
    if number > maximum:
        raise SocialOrgError(
            _("人数不能超过 %(max)s。") % {"max": maximum}, code="too_large", field=field
        )
    return number
