"""Fundraising projects (公开募捐项目): filed by a charity with 公开募捐资格, closed by it.

Creating a project also creates its disclosure duties (socialorgs.services.charity.disclosures:
项目进展 every three months of its period and a final one after it ends) and the anchor of its
empty chain (socialorgs.chain).

An organisation that is revoked or deregistered, or loses its 公开募捐资格, may not fundraise
any more: the registry's and the credit services call projects_close_for_organisation in the
same transaction, which closes its open projects (today) and cancels the residents' pending
pledges to any of its projects with the reason, telling each donor (the pledges could never
be confirmed: the ledger refuses new donations of such an organisation). Disbursements of
what was raised go on.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record
from portal.notifications.services import notify
from socialorgs import chain
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import DonationPledge, FundraisingProject, SocialOrganisation
from socialorgs.services.charity.disclosures import (
    project_disclosures_create,
    project_disclosures_on_close,
)
from socialorgs.services.common import (
    fen_of_yuan,
    org_accounts,
    require_org_manager,
    required_text,
)

# 备案编号 as the 民政 offices issue them: digits and capital letters (a hyphen allowed).
FILING_NUMBER = re.compile(r"^[0-9A-Z][0-9A-Z-]{5,39}$")
MAX_TARGET_YUAN = 10_000_000_000
MAX_PERIOD_DAYS = 5 * 366

# Why an organisation's fundraising ended without it (stored as they are, never translated:
# the cancelled pledges' reason, the audit records).
CLOSED_REVOKED = "该组织已被撤销登记"
CLOSED_DEREGISTERED = "该组织已注销登记"
CLOSED_NO_QUALIFICATION = "该组织已不具备公开募捐资格"


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
                # The anchor of the empty chain: verification checks it even with no entries.
                anchor_mac=chain.anchor_mac(filing_number, 0, chain.GENESIS_HASH),
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


def projects_close_for_organisation(
    organisation: SocialOrganisation, *, reason: str, actor: User | None = None
) -> list[FundraisingProject]:
    """The organisation may no longer fundraise (`reason`: CLOSED_REVOKED,
    CLOSED_DEREGISTERED or CLOSED_NO_QUALIFICATION): close its open projects as of today
    (their final 项目进展 due as for any early close) and cancel the pending pledges to any of
    its projects with the reason, telling each donor and the organisation's accounts. Inside
    the caller's transaction; the projects' rows are locked before the pledges' (the order of
    pledge_confirm and every append). Running it again closes and cancels nothing more.
    Returns the projects it closed."""
    today = timezone.localdate()
    now = timezone.now()
    reason = reason[:200]
    with transaction.atomic():
        locked = list(
            FundraisingProject.objects.select_for_update()
            .filter(organisation=organisation)
            .order_by("pk")
        )
        closed = [p for p in locked if p.status == FundraisingProject.Status.OPEN]
        for project in closed:
            project.status = FundraisingProject.Status.CLOSED
            project.closed_on = today
            project.save(update_fields=["status", "closed_on"])
            project_disclosures_on_close(project)
            audit_record(
                actor=actor,
                action="socialorgs.charity_project_closed",
                target=project,
                detail={"reason": reason, "organisation": str(organisation.pk)},
            )
        pending = list(
            DonationPledge.objects.select_for_update(of=("self",))
            .filter(project__in=locked, status=DonationPledge.Status.PENDING)
            .select_related("donor", "project")
            .order_by("pk")
        )
        for pledge in pending:
            pledge.status = DonationPledge.Status.CANCELLED
            pledge.cancel_reason = reason
            pledge.decided_at = now
            pledge.decided_by = None
            pledge.save(update_fields=["status", "cancel_reason", "decided_at", "decided_by"])
            audit_record(
                actor=actor,
                action="socialorgs.charity_pledge_cancelled",
                target=pledge,
                detail={
                    "project": pledge.project.filing_number,
                    "by_donor": False,
                    "reason": reason,
                },
            )
            notify(
                recipients=[pledge.donor],
                kind="socialorg_pledge_cancelled",
                title=_("认捐已取消：%(title)s") % {"title": pledge.project.title},
                body=_(
                    "%(reason)s，%(org)s 不能再接受捐赠，您认捐的 %(amount)s 元（认捐编号 "
                    "%(ref)s）已自动取消。如您已经付款，请凭付款凭证联系该组织退款，"
                    "或向登记管理机关反映。"
                )
                % {
                    "reason": reason,
                    "org": organisation.name,
                    "amount": f"{pledge.amount_fen / 100:,.2f}",
                    "ref": pledge.reference,
                },
                link=reverse("socialorgs:charity-donate", args=[pledge.project.filing_number]),
                dedupe_key=f"socialorgs.pledge_cancelled:{pledge.pk}",
            )
        if closed:
            notify(
                recipients=org_accounts(organisation),
                kind="socialorg_projects_closed",
                title=_("募捐项目已结束募捐：%(titles)s")
                % {"titles": "、".join(p.title for p in closed)},
                body=_(
                    "%(reason)s，以上项目已于 %(day)s 结束募捐，不再接受捐赠，待确认的在线认捐"
                    "已取消。项目结余仍应按原用途拨付并记账；结项情况须在三个月内公开。"
                )
                % {"reason": reason, "day": today.isoformat()},
                link=reverse("socialorgs:charity-desk"),
                dedupe_key="socialorgs.projects_closed:" + ",".join(str(p.pk) for p in closed),
            )
    return closed
