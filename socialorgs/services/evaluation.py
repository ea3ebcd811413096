"""Evaluation of social organisations (社会组织评估, 5A–1A): a 民政 official covering the
organisation records its scores in four areas and the grade they give.

    area        max    grade thresholds (total of 1000)
    基础条件     100    5A ≥ 900, 4A ≥ 800, 3A ≥ 700, 2A ≥ 600, 1A ≥ 500
    内部治理     400
    工作绩效     350
    社会评价     150

A total below 500 earns no grade: the evaluation is refused with the message 不予评定等级 and
nothing is recorded (an evaluation row always carries a grade; the organisation simply has
no grade, as before). The grade is valid for settings.SOCIALORG_GRADE_VALID_YEARS years from
the day it was awarded: `valid_until` is that date N years on (29 February → 28 February),
and the grade is current up to and including that day. Only organisations in normal status
are evaluated. A grade of 4A or 5A is a positive credit event (good_evaluation); revoking the
evaluation voids that event.

The current grade is the newest (by award date) evaluation that is not revoked and whose
`valid_until` is today or later (socialorgs.selectors.registry.current_evaluation)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record
from portal.notifications.services import notify
from socialorgs.errors import SocialOrgConflict, SocialOrgError
from socialorgs.models import Evaluation, OrgCreditEvent, SocialOrganisation
from socialorgs.services.common import (
    date_input,
    org_accounts,
    require_supervisor,
    required_text,
)
from socialorgs.services.credit import org_credit_record, org_credit_refresh

G = Evaluation.Grade
# Each area's field and its maximum score.
AREAS = {
    "basic_conditions": Decimal(100),
    "governance": Decimal(400),
    "performance": Decimal(350),
    "social_evaluation": Decimal(150),
}
THRESHOLDS = ((G.A5, Decimal(900)), (G.A4, Decimal(800)), (G.A3, Decimal(700)),
              (G.A2, Decimal(600)), (G.A1, Decimal(500)))  # fmt: skip
NO_GRADE_BELOW = Decimal(500)
GOOD_GRADES = (G.A5, G.A4)


def grade_for_total(total: Decimal) -> int | None:
    """The grade a total earns, or None below 500 (不予评定等级)."""
    for grade, floor in THRESHOLDS:
        if total >= floor:
            return int(grade)
    return None


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` years on; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def valid_until_for(awarded_on: dt.date) -> dt.date:
    """The grade's last valid day: the day before the award's anniversary after
    SOCIALORG_GRADE_VALID_YEARS years (awarded 2021-03-01: until 2026-02-28), so it is valid
    for exactly that many years. An award of 29 February runs until 28 February."""
    anniversary = add_years(awarded_on, settings.SOCIALORG_GRADE_VALID_YEARS)
    if (awarded_on.month, awarded_on.day) == (2, 29) and anniversary.day == 28:
        return anniversary
    return anniversary - dt.timedelta(days=1)


def _score(value, field: str, maximum: Decimal) -> Decimal:
    if value in (None, ""):
        raise SocialOrgError(_("请填写该项得分。"), code="required", field=field)
    if isinstance(value, bool):
        raise SocialOrgError(_("得分应为数字。"), code="invalid", field=field)
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise SocialOrgError(_("得分应为数字。"), code="invalid", field=field) from None
    if not score.is_finite():
        raise SocialOrgError(_("得分应为数字。"), code="invalid", field=field)
    # The range first: quantizing "1e30" would overflow the decimal context.
    if not (0 <= score <= maximum):
        raise SocialOrgError(
            _("该项得分应在 0 到 %(max)s 分之间。") % {"max": maximum},
            code="out_of_range",
            field=field,
        )
    if score != score.quantize(Decimal("0.1")):
        raise SocialOrgError(_("得分最多保留一位小数。"), code="invalid", field=field)
    return score.quantize(Decimal("0.1"))


def evaluation_record(
    *, organisation: SocialOrganisation, official: User, data: dict, request=None
) -> Evaluation:
    """Record an evaluation: the four scores, their total and the grade, valid for
    SOCIALORG_GRADE_VALID_YEARS years from `awarded_on` (today or earlier)."""
    require_supervisor(official, organisation.division_id)
    scores = {field: _score(data.get(field), field, top) for field, top in AREAS.items()}
    awarded_on = date_input(data.get("awarded_on"), "awarded_on")
    total = sum(scores.values(), Decimal(0))
    grade = grade_for_total(total)
    if grade is None:
        raise SocialOrgError(
            _("总分 %(total)s 分，低于 500 分，不予评定等级。") % {"total": total},
            code="no_grade",
        )
    with transaction.atomic():
        org = SocialOrganisation.objects.select_for_update().get(pk=organisation.pk)
        if org.status != SocialOrganisation.Status.NORMAL:
            raise SocialOrgConflict(
                _("该组织已%(status)s，不能参加评估。") % {"status": org.get_status_display()},
                code="organisation_inactive",
            )
        if awarded_on < org.founded_on:
            raise SocialOrgError(
                _("评定日期不能早于成立登记日期（%(date)s）。") % {"date": org.founded_on},
                code="before_founding",
                field="awarded_on",
            )
        # Evaluations follow one another: a double submit, or one dated before the newest,
        # is refused (the newest evaluation is the one that gives the grade).
        newest = org.evaluations.order_by("-awarded_on", "-id").first()
        if newest is not None and newest.awarded_on >= awarded_on:
            raise SocialOrgConflict(
                _("该组织已有 %(date)s 评定的评估结果，新的评定日期应晚于它。")
                % {"date": newest.awarded_on.isoformat()},
                code="evaluation_exists",
                field="awarded_on",
            )
        evaluation = Evaluation.objects.create(
            organisation=org,
            total=total,
            grade=grade,
            awarded_on=awarded_on,
            valid_until=valid_until_for(awarded_on),
            evaluated_by=official,
            **scores,
        )
        # The new evaluation replaces the older ones: their 4A/5A bonus stops counting.
        replaced = OrgCreditEvent.objects.filter(
            organisation=org,
            kind=OrgCreditEvent.Kind.GOOD_EVALUATION,
            voided_at__isnull=True,
        ).exclude(source=_credit_source(evaluation))
        if replaced.update(voided_at=timezone.now()):
            org_credit_refresh(organisation=org)
        if grade in GOOD_GRADES:
            org_credit_record(
                organisation=org,
                kind=OrgCreditEvent.Kind.GOOD_EVALUATION,
                occurred_on=awarded_on,
                source=_credit_source(evaluation),
                note=_("评估等级 %(grade)s") % {"grade": evaluation.get_grade_display()},
                recorded_by=official,
            )
        audit_record(
            actor=official,
            action="socialorg.evaluation_recorded",
            target=evaluation,
            detail={"organisation": org.pk, "total": str(total), "grade": grade},
            request=request,
        )
        notify(
            recipients=list(org_accounts(org)),
            kind="socialorg_evaluation",
            title=_("%(name)s 评估等级：%(grade)s，有效期至 %(until)s")
            % {
                "name": org.name,
                "grade": evaluation.get_grade_display(),
                "until": evaluation.valid_until.isoformat(),
            },
            link=f"/socialorgs/org/{org.credit_code}/",
            dedupe_key=f"socialorg-evaluation:{evaluation.pk}",
        )
    return evaluation


def _credit_source(evaluation: Evaluation) -> str:
    return f"evaluation:{evaluation.pk}"


def evaluation_revoke(
    *, evaluation: Evaluation, official: User, reason: str, request=None
) -> Evaluation:
    """Revoke an evaluation (取消等级) with a reason; a 4A/5A credit bonus is voided with it."""
    require_supervisor(official, evaluation.organisation.division_id)
    reason = required_text(reason, "reason", 300)
    with transaction.atomic():
        evaluation = (
            Evaluation.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=evaluation.pk)
        )
        if evaluation.revoked_at is not None:
            raise SocialOrgConflict(_("该评估等级已撤销。"), code="already_revoked")
        now = timezone.now()
        evaluation.revoked_at, evaluation.revoke_reason = now, reason
        evaluation.save(update_fields=["revoked_at", "revoke_reason"])
        org = evaluation.organisation
        voided = OrgCreditEvent.objects.filter(
            organisation=org, source=_credit_source(evaluation), voided_at__isnull=True
        ).update(voided_at=now)
        if voided:
            org_credit_refresh(organisation=org)
        audit_record(
            actor=official,
            action="socialorg.evaluation_revoked",
            target=evaluation,
            detail={"organisation": org.pk, "reason": reason},
            request=request,
        )
        notify(
            recipients=list(org_accounts(org)),
            kind="socialorg_evaluation",
            title=_("%(name)s 的评估等级 %(grade)s 已撤销")
            % {"name": org.name, "grade": evaluation.get_grade_display()},
            body=reason,
            link=f"/socialorgs/org/{org.credit_code}/",
            dedupe_key=f"socialorg-evaluation:{evaluation.pk}:revoked",
        )
    return evaluation
