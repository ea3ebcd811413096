"""Credit supervision of social organisations with ratings' credit arithmetic (the same
three-year window, base score, clamp and grade floors as providers: ratings.services.credit).

Points of each kind of event (`POINTS`):

    ====================  ======  ==========================================================
    kind                  points  recorded by
    ====================  ======  ==========================================================
    penalty               −10…−40  penalty_record (by the penalty's kind, PENALTY_POINTS)
    abnormal_listed          −15  list_add (活动异常名录)
    serious_listed           −40  list_add (严重违法失信名单)
    report_overdue           −10  the annual-report overdue job
    report_unqualified       −10  annual-report review with the result 不合格
    complaint_upheld         −10  receiver of ratings.signals.complaint_upheld
    disclosure_overdue        −5  the disclosure overdue job
    good_evaluation           +5  an evaluation of 4A or 5A
    commendation             +10  an official covering the organisation, by hand
    ====================  ======  ==========================================================
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record
from ratings.services.credit import counting_q, grade_for, score_of
from socialorgs.errors import SocialOrgError
from socialorgs.models import OrgCreditEvent, SocialOrganisation

K = OrgCreditEvent.Kind

POINTS: dict[str, int] = {
    K.PENALTY: -10,
    K.ABNORMAL_LISTED: -15,
    K.SERIOUS_LISTED: -40,
    K.REPORT_OVERDUE: -10,
    K.REPORT_UNQUALIFIED: -10,
    K.COMPLAINT_UPHELD: -10,
    K.DISCLOSURE_OVERDUE: -5,
    K.GOOD_EVALUATION: 5,
    K.COMMENDATION: 10,
}


def org_credit_score(*, organisation: SocialOrganisation, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    points = organisation.credit_events.filter(counting_q(today)).aggregate(
        total=Coalesce(Sum("points"), 0)
    )["total"]
    return score_of(points)


def org_credit_refresh(*, organisation: SocialOrganisation, today: dt.date | None = None) -> str:
    """Recompute one organisation's score and grade and write them when they changed."""
    score = org_credit_score(organisation=organisation, today=today)
    grade = grade_for(score)
    SocialOrganisation.objects.filter(pk=organisation.pk).update(
        credit_score=score, credit_grade=grade
    )
    organisation.credit_score, organisation.credit_grade = score, grade
    return grade


def org_credit_record(
    *,
    organisation: SocialOrganisation,
    kind: str,
    occurred_on: dt.date,
    source: str,
    points: int | None = None,
    note: str = "",
    recorded_by: User | None = None,
) -> OrgCreditEvent:
    """Record one credit event and regrade the organisation. `source` names the fact (for
    example "penalty:12"): recording the same source again returns the first event."""
    if kind not in K.values:
        raise SocialOrgError(_("未知的信用记录类型。"), code="invalid", field="kind")
    source = (source or "").strip()
    if not source or len(source) > 80:
        raise SocialOrgError(_("信用记录缺少来源。"), code="invalid", field="source")
    with transaction.atomic():
        existing = OrgCreditEvent.objects.filter(organisation=organisation, source=source).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                event = OrgCreditEvent.objects.create(
                    organisation=organisation,
                    kind=kind,
                    points=POINTS[kind] if points is None else points,
                    occurred_on=occurred_on,
                    source=source,
                    note=(note or "").strip()[:300],
                    recorded_by=recorded_by,
                )
        except IntegrityError:
            return OrgCreditEvent.objects.get(organisation=organisation, source=source)
        org_credit_refresh(organisation=organisation)
        audit_record(
            actor=recorded_by,
            action="socialorgs.credit_event_recorded",
            target=event,
            detail={"organisation": str(organisation.pk), "kind": kind, "points": event.points},
        )
    return event
