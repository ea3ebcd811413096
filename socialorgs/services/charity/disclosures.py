"""Information disclosure (信息公开) by charities, with deadlines.

The duties, as this platform creates them (《慈善组织信息公开办法》, simplified):

- 项目进展 of a fundraising project: one every three months of its period (due on the day
  each three months end, while that is before the project's end date) and a final one
  (结项) due three months after the project ends, or after the day it is closed early;
- 年度工作报告 and 财务会计报告 of a charity for year Y: due on SOCIALORG_ANNUAL_REPORT_DUE
  (month-day, 05-31 by default) of Y+1. The daily job creates both for every charity in
  normal standing that was recognised by the end of Y.

The owner or a manager publishes an item (a duty, or an extra item of their own); a
published item is final. The daily job socialorgs.tasks.disclosures_flag_overdue marks each
item still unpublished after its due date once, tells the organisation's accounts and records
a disclosure_overdue credit event (source "disclosure:<id>"). Publishing late clears nothing:
the mark stays, like the credit event.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record
from portal.notifications.services import notify
from socialorgs.errors import NotFound, SocialOrgConflict, SocialOrgError
from socialorgs.models import (
    DisclosureItem,
    FundraisingProject,
    OrgCreditEvent,
    SocialOrganisation,
)
from socialorgs.services.common import org_accounts, require_org_manager, required_text
from socialorgs.services.reports import report_due_date

PROGRESS_EVERY_MONTHS = 3
FINAL_AFTER_MONTHS = 3
FINAL_PERIOD = "结项"
MAX_CONTENT = 10000

K = DisclosureItem.Kind


def progress_period(n: int) -> str:
    """The period label of the n-th three-monthly progress item ("第1期")."""
    return f"第{n}期"


def annual_due_on(year: int) -> dt.date:
    """The deadline of year `year`'s annual work and financial reports: the annual report's
    (SOCIALORG_ANNUAL_REPORT_DUE of the next year, 29 February falling back to the 28th)."""
    return report_due_date(year)


def project_disclosures_create(project: FundraisingProject) -> list[DisclosureItem]:
    """The progress duties of a new project (inside the caller's transaction)."""
    items = []
    n = 1
    while (due := project.starts_on + relativedelta(months=PROGRESS_EVERY_MONTHS * n)) < (
        project.ends_on
    ):
        items.append(_duty(project, progress_period(n), due))
        n += 1
    items.append(
        _duty(project, FINAL_PERIOD, project.ends_on + relativedelta(months=FINAL_AFTER_MONTHS))
    )
    return DisclosureItem.objects.bulk_create(items)


def _duty(project: FundraisingProject, period: str, due_on: dt.date) -> DisclosureItem:
    return DisclosureItem(
        organisation_id=project.organisation_id,
        project=project,
        kind=K.PROJECT_PROGRESS,
        period=period,
        due_on=due_on,
    )


def project_disclosures_on_close(project: FundraisingProject) -> None:
    """A project closed early owes its final report three months from the close; periodic
    reports that would fall due after that are no longer owed."""
    final_due = project.closed_on + relativedelta(months=FINAL_AFTER_MONTHS)
    pending = DisclosureItem.objects.filter(
        project=project, kind=K.PROJECT_PROGRESS, published_at__isnull=True
    )
    pending.filter(period=FINAL_PERIOD, due_on__gt=final_due).update(due_on=final_due)
    pending.exclude(period=FINAL_PERIOD).filter(due_on__gt=final_due).delete()


def annual_disclosures_ensure(*, year: int) -> None:
    """The annual work and financial report duties of `year` for every charity in normal
    standing recognised by the end of that year (those already there stay as they are)."""
    charities = SocialOrganisation.objects.filter(
        is_charity=True, status=SocialOrganisation.Status.NORMAL
    ).filter(
        Q(charity_recognised_on__isnull=True) | Q(charity_recognised_on__lte=dt.date(year, 12, 31))
    )
    due_on = annual_due_on(year)
    items = [
        DisclosureItem(organisation=org, kind=kind, period=str(year), due_on=due_on)
        for org in charities.only("pk")
        for kind in (K.ANNUAL_WORK_REPORT, K.FINANCIAL_REPORT)
    ]
    DisclosureItem.objects.bulk_create(items, ignore_conflicts=True)


def disclosure_publish(
    *,
    organisation: SocialOrganisation,
    actor: User,
    kind,
    period,
    content,
    project: FundraisingProject | None = None,
) -> DisclosureItem:
    """Publish an item: the duty of that kind and period when there is one (late or not),
    otherwise a new item of the organisation's own. Published content is final."""
    require_org_manager(actor, organisation)
    if kind not in K.values:
        raise SocialOrgError(_("请选择公开事项。"), code="invalid_choice", field="kind")
    if project is not None and project.organisation_id != organisation.pk:
        raise NotFound(_("未找到该募捐项目。"), field="project")
    if kind == K.PROJECT_PROGRESS and project is None:
        raise SocialOrgError(_("项目进展须选择募捐项目。"), code="required", field="project")
    if kind != K.PROJECT_PROGRESS and project is not None:
        raise SocialOrgError(
            _("年度工作报告和财务会计报告是机构的公开事项，不选择项目。"),
            code="invalid",
            field="project",
        )
    period = required_text(period, "period", 20)
    content = required_text(content, "content", MAX_CONTENT)
    now = timezone.now()
    with transaction.atomic():
        item = (
            DisclosureItem.objects.select_for_update()
            .filter(organisation=organisation, project=project, kind=kind, period=period)
            .first()
        )
        if item is not None and item.published_at is not None:
            raise SocialOrgConflict(
                _("该事项已于 %(d)s 公开，公开内容不能修改。")
                % {"d": timezone.localtime(item.published_at).strftime("%Y-%m-%d")},
                code="already_published",
            )
        if item is None:
            try:
                with transaction.atomic():
                    item = DisclosureItem.objects.create(
                        organisation=organisation,
                        project=project,
                        kind=kind,
                        period=period,
                        due_on=timezone.localdate(),
                        content=content,
                        published_at=now,
                    )
            except IntegrityError:
                raise SocialOrgConflict(
                    _("该事项已于刚才公开。"), code="already_published"
                ) from None
        else:
            item.content, item.published_at = content, now
            item.save(update_fields=["content", "published_at"])
        audit_record(
            actor=actor,
            action="socialorgs.disclosure_published",
            target=item,
            detail={"organisation": str(organisation.pk), "kind": kind, "period": period},
        )
    return item


def disclosure_overdue_flag(*, item_id: int, today: dt.date) -> bool:
    """Mark one unpublished item past its due date, once: the organisation is told and its
    credit loses the points of a disclosure_overdue event. True when this call marked it."""
    from socialorgs.services.credit import org_credit_record

    with transaction.atomic():
        item = (
            DisclosureItem.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("organisation", "project")
            .filter(
                pk=item_id,
                published_at__isnull=True,
                overdue_at__isnull=True,
                due_on__lt=today,
            )
            .first()
        )
        if item is None:
            return False
        item.overdue_at = timezone.now()
        item.save(update_fields=["overdue_at"])
        what = f"{item.get_kind_display()}（{item.period}）"
        if item.project is not None:
            what = f"{item.project.title} {what}"
        org_credit_record(
            organisation=item.organisation,
            kind=OrgCreditEvent.Kind.DISCLOSURE_OVERDUE,
            occurred_on=today,
            source=f"disclosure:{item.pk}",
            note=_("%(what)s 逾期未公开（期限 %(due)s）")
            % {"what": what, "due": item.due_on.isoformat()},
        )
        notify(
            recipients=org_accounts(item.organisation),
            kind="socialorg_disclosure_overdue",
            title=_("信息公开逾期：%(what)s") % {"what": what},
            body=_("%(what)s 应于 %(due)s 前公开，目前仍未公开，已记入机构信用记录。请尽快公开。")
            % {"what": what, "due": item.due_on.isoformat()},
            link=reverse("socialorgs:charity-disclosures", args=[item.organisation_id]),
            dedupe_key=f"socialorgs.disclosure_overdue:{item.pk}",
        )
    return True


def disclosures_flag_overdue(*, today: dt.date | None = None) -> int:
    """Daily: create last year's annual duties, then flag every unpublished item past its
    due date once (one transaction per item, so a crash keeps what was done)."""
    today = today or timezone.localdate()
    annual_disclosures_ensure(year=today.year - 1)
    due = DisclosureItem.objects.filter(
        published_at__isnull=True, overdue_at__isnull=True, due_on__lt=today
    ).values_list("pk", flat=True)
    return sum(disclosure_overdue_flag(item_id=pk, today=today) for pk in list(due))
