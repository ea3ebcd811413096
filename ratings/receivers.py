"""Receivers of the ratings app's own signals (connected in RatingsConfig.ready()).

Credit: an upheld complaint and a failed inspection cost points, an inspection passed with at
least 90 % of the checklist maximum earns some (ratings.services.credit has the table).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from ratings.models import CreditEvent
from ratings.services.credit import GOOD_INSPECTION_SHARE, credit_record
from ratings.signals import complaint_upheld, inspection_completed

K = CreditEvent.Kind

# An inspection without scored items is scored out of 100.
DEFAULT_MAX_SCORE = Decimal(100)


@receiver(complaint_upheld, dispatch_uid="credit_after_complaint_upheld")
def credit_after_complaint_upheld(sender, complaint, **kwargs) -> None:
    # A complaint about another app's subject feeds that app's credit record (its own
    # receiver), not a provider's.
    if complaint.subject_kind != complaint.SubjectKind.PROVIDER or complaint.provider_id is None:
        return
    closed = complaint.closed_at or timezone.now()
    credit_record(
        provider=complaint.provider,
        kind=K.COMPLAINT_UPHELD,
        occurred_on=timezone.localdate(closed),
        source=f"complaint:{complaint.pk}",
        note=_("投诉 %(reference)s 经查属实") % {"reference": complaint.reference},
    )


@receiver(inspection_completed, dispatch_uid="credit_after_inspection_completed")
def credit_after_inspection_completed(sender, inspection, **kwargs) -> None:
    occurred_on = inspection.inspected_on or timezone.localdate()
    source = f"inspection:{inspection.pk}"
    if inspection.passed is False:
        credit_record(
            provider=inspection.provider,
            kind=K.INSPECTION_FAILED,
            occurred_on=occurred_on,
            source=source,
            note=_("检查不合格（%(score)s 分）") % {"score": inspection.score},
        )
        return
    if not inspection.passed or inspection.score is None:
        return
    maximum = inspection.items.aggregate(total=Sum("max_score"))["total"] or DEFAULT_MAX_SCORE
    if inspection.score >= maximum * GOOD_INSPECTION_SHARE:
        credit_record(
            provider=inspection.provider,
            kind=K.GOOD_INSPECTION,
            occurred_on=occurred_on,
            source=source,
            note=_("检查优良（%(score)s / %(maximum)s 分）")
            % {"score": inspection.score, "maximum": maximum},
        )
