"""Fundraising projects (公开募捐项目): filed by a charity with 公开募捐资格, closed by it.

Creating a project also creates its disclosure duties (socialorgs.services.charity.disclosures:
项目进展 every three months of its period and a final one after it ends)."""

from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import FundraisingProject, SocialOrganisation
from socialorgs.services.charity.disclosures import (
    project_disclosures_create,
    project_disclosures_on_close,
)
from socialorgs.services.common import fen_of_yuan, require_org_manager, required_text

# 备案编号 as the 民政 offices issue them: digits and capital letters (a hyphen allowed).
FILING_NUMBER = re.compile(r"^[0-9A-Z][0-9A-Z-]{5,39}$")
MAX_TARGET_YUAN = 10_000_000_000
MAX_PERIOD_DAYS = 5 * 366


def filing_number_clean(value) -> str:
    """The filing number, upper-cased and checked (400 with the field otherwise)."""
    value = (value or "").strip().upper() if isinstance(value, str) else ""
    if not value:
        raise SocialOrgError(_("此项为必填项。"), code="required", field="filing_number")
    if not FILING_NUMBER.match(value):
        raise SocialOrgError(
            _("备案编号应为 6–40 位数字或大写字母。"), code="invalid", field="filing_number"
        )
    return value


def _date(value, field: str) -> dt.date:
    if isinstance(value, str) and value:
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            value = None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise SocialOrgError(_("请输入有效的日期（如 2024-05-31）。"), code="invalid", field=field)
    return value


def require_fundraiser(organisation: SocialOrganisation) -> None:
    """Only a 慈善组织 in normal standing with 公开募捐资格 may fundraise publicly
    (《慈善法》第二十二条)."""
    if organisation.status != SocialOrganisation.Status.NORMAL:
        raise NotAllowed(
            _("该组织已被撤销或注销登记，不能开展公开募捐。"), code="organisation_inactive"
        )
    if not organisation.is_charity:
        raise NotAllowed(_("只有依法认定的慈善组织可以开展公开募捐。"), code="not_a_charity")
    if not organisation.public_fundraising:
        raise NotAllowed(_("该慈善组织尚未取得公开募捐资格。"), code="no_fundraising_qualification")


def project_create(
    *,
    organisation: SocialOrganisation,
    actor: User,
    filing_number,
    title,
    purpose,
    beneficiary_group,
    target_yuan,
    starts_on,
    ends_on,
) -> FundraisingProject:
    """File a fundraising project for the organisation (its owner or a manager), with its
    disclosure duties. The filing number is unique across the platform."""
    require_org_manager(actor, organisation)
    require_fundraiser(organisation)
    filing_number = filing_number_clean(filing_number)
    title = required_text(title, "title", 100)
    purpose = required_text(purpose, "purpose", 2000)
    beneficiary_group = required_text(beneficiary_group, "beneficiary_group", 100)
    target_fen = fen_of_yuan(target_yuan, "target_yuan", max_yuan=MAX_TARGET_YUAN)
    if target_fen <= 0:
        raise SocialOrgError(_("募捐目标应大于 0 元。"), code="invalid", field="target_yuan")
    starts_on = _date(starts_on, "starts_on")
    ends_on = _date(ends_on, "ends_on")
    if ends_on < starts_on:
        raise SocialOrgError(_("结束日期不能早于开始日期。"), code="invalid", field="ends_on")
    if ends_on < timezone.localdate():
        raise SocialOrgError(_("结束日期已过，不能再备案该项目。"), code="invalid", field="ends_on")
    if (ends_on - starts_on).days > MAX_PERIOD_DAYS:
        raise SocialOrgError(_("募捐期限最长五年。"), code="invalid", field="ends_on")
    try:
        with transaction.atomic():
            project = FundraisingProject.objects.create(
                organisation=organisation,
                filing_number=filing_number,
                title=title,
                purpose=purpose,
                beneficiary_group=beneficiary_group,
                target_fen=target_fen,
                starts_on=starts_on,
                ends_on=ends_on,
                created_by=actor,
            )
            project_disclosures_create(project)
            audit_record(
                actor=actor,
                action="socialorgs.charity_project_created",
                target=project,
                detail={"organisation": str(organisation.pk), "filing_number": filing_number},
            )
    except IntegrityError:
        raise SocialOrgConflict(
            _("备案编号 %(n)s 已被使用。") % {"n": filing_number},
            code="filing_number_taken",
            field="filing_number",
        ) from None
    return project


def project_close(*, project: FundraisingProject, actor: User) -> FundraisingProject:
    """End the fundraising: no more donations (disbursements of what is left go on). The
    final 项目进展 is then due three months after today at the latest."""
    require_org_manager(actor, project.organisation)
    with transaction.atomic():
        project = FundraisingProject.objects.select_for_update().get(pk=project.pk)
        if project.status == FundraisingProject.Status.CLOSED:
            raise SocialOrgConflict(_("该项目已结束募捐。"), code="closed")
        project.status = FundraisingProject.Status.CLOSED
        project.closed_on = timezone.localdate()
        project.save(update_fields=["status", "closed_on"])
        project_disclosures_on_close(project)
        audit_record(actor=actor, action="socialorgs.charity_project_closed", target=project)
    return project
