"""Residents' reviews of completed social-work services, through ratings' review machinery:
the same validation (overall 1–5, every dimension of the social-work set — ratings.dimensions)
and the same sensitive-word list (a review naming one is held, not published). Only published
reviews count towards a project's quality."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record
from ratings.dimensions import SOCIAL_WORK, dimension_codes
from ratings.errors import RatingsError
from ratings.services.reviews import REVIEW_WINDOW_DAYS, review_validate, sensitive_words_in
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import ProjectReview, ServiceRequest


def _already() -> SocialOrgConflict:
    return SocialOrgConflict(_("这次服务您已经评价过了。"), code="already_reviewed")


def review_deadline(service_request: ServiceRequest) -> dt.datetime | None:
    if service_request.completed_at is None:
        return None
    return service_request.completed_at + dt.timedelta(days=REVIEW_WINDOW_DAYS)


def review_check_eligible(*, service_request: ServiceRequest, resident: User) -> None:
    """Raise the reason `resident` may not review this request now."""
    if service_request.resident_id != getattr(resident, "pk", None):
        raise NotAllowed(_("只有申请人本人可以评价这次服务。"), code="not_yours")
    if service_request.status != ServiceRequest.Status.COMPLETED:
        raise SocialOrgConflict(_("服务完成后才能评价。"), code="not_completed")
    if ProjectReview.objects.filter(request=service_request).exists():
        raise _already()
    if timezone.now() > review_deadline(service_request):
        raise SocialOrgConflict(
            _("服务完成 %(days)s 天内可以评价，已超过期限。") % {"days": REVIEW_WINDOW_DAYS},
            code="review_window_closed",
        )


def project_review_create(
    *,
    service_request: ServiceRequest,
    resident: User,
    overall,
    dimensions,
    text="",
    request=None,
) -> ProjectReview:
    """Review a completed service once. A text naming a listed word is held for moderation."""
    review_check_eligible(service_request=service_request, resident=resident)
    try:
        clean_text, _photos = review_validate(
            domain=SOCIAL_WORK, overall=overall, dimensions=dimensions, text=text, photos=()
        )
    except RatingsError as exc:
        error = SocialOrgError(str(exc.message), code=exc.code, field=exc.field)
        error.fields = exc.field_errors()
        raise error from None
    held = sensitive_words_in(clean_text)
    with transaction.atomic():
        locked = ServiceRequest.objects.select_for_update().get(pk=service_request.pk)
        review_check_eligible(service_request=locked, resident=resident)
        try:
            with transaction.atomic():
                review = ProjectReview.objects.create(
                    request=locked,
                    project_id=locked.project_id,
                    resident=resident,
                    overall=overall,
                    dimensions={code: dimensions[code] for code in dimension_codes(SOCIAL_WORK)},
                    text=clean_text,
                    status=ProjectReview.Status.HELD if held else ProjectReview.Status.PUBLISHED,
                    held_words=held,
                )
        except IntegrityError:
            raise _already() from None
        audit_record(
            actor=resident,
            action="socialorgs.project_review_created",
            target=review,
            detail={"project": locked.project_id, "status": review.status},
            request=request,
        )
    return review
