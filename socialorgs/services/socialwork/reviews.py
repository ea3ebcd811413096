"""Residents' reviews of completed social-work services, through ratings' review machinery:
the same validation (overall 1–5, every dimension of the social-work set — ratings.dimensions)
and the same sensitive-word list (a review naming one is held, not published). Only published
reviews count towards a project's quality.

A held review waits for a 民政 official of the project's district, who publishes it (it then
counts) or hides it (with a reason the resident reads); a resident may report a published
review, which holds it again until an official decides."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.permissions import is_resident
from portal.audit.services import audit_record
from portal.notifications.services import notify
from ratings.dimensions import SOCIAL_WORK, dimension_codes
from ratings.errors import RatingsError
from ratings.services.reviews import REVIEW_WINDOW_DAYS, review_validate, sensitive_words_in
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import ProjectReview, ProjectReviewReport, ServiceRequest
from socialorgs.services.common import (
    optional_text,
    org_role_of,
    require_supervisor,
    required_text,
    supervising_officials,
)

RS = ProjectReview.Status
# What an official may decide about a review, and the state each decision leads to. Publishing
# a hidden review undoes a hide; hiding a published one takes it down without a report.
MODERATION = {"publish": RS.PUBLISHED, "hide": RS.HIDDEN}
MODERATION_ACTIONS = tuple(MODERATION)
REASON_MAX_CHARS = 300


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


# --- Moderation -------------------------------------------------------------------------------


def project_review_moderate(
    *, review: ProjectReview, official: User, action: str, reason: str = "", request=None
) -> ProjectReview:
    """A 民政 official whose jurisdiction covers the project's division publishes a review
    (it then counts towards the project's quality) or hides it (a reason is required: the
    resident reads it). The review's open reports are resolved, the decision audited and the
    resident told. The same decision twice is refused (409): the first one stands."""
    require_supervisor(official, review.project.division_id)
    if action not in MODERATION:
        raise SocialOrgError(_("未知的处理方式。"), code="unknown_action", field="action")
    reason = optional_text(reason, "reason", REASON_MAX_CHARS)
    if action == "hide" and not reason:
        raise SocialOrgError(
            _("屏蔽评价须填写原因，评价人会收到这一原因。"), code="required", field="reason"
        )
    target = MODERATION[action]
    now = timezone.now()
    with transaction.atomic():
        review = (
            ProjectReview.objects.select_for_update(of=("self",))
            .select_related("project", "resident")
            .get(pk=review.pk)
        )
        if review.status == target:
            raise SocialOrgConflict(
                _("这条评价已是“%(status)s”状态，无需重复处理。")
                % {"status": review.get_status_display()},
                code="already_moderated",
            )
        source = review.status
        review.status = target
        review.moderation_reason = reason
        review.moderated_by = official
        review.moderated_at = now
        review.save(update_fields=["status", "moderation_reason", "moderated_by", "moderated_at"])
        resolved = ProjectReviewReport.objects.filter(
            review=review, resolved_at__isnull=True
        ).update(resolved_at=now)
        entry = audit_record(
            actor=official,
            action="socialorgs.project_review_moderated",
            target=review,
            detail={
                "action": action,
                "from": source,
                "to": target,
                "reason": reason,
                "project": review.project_id,
                "reports_resolved": resolved,
            },
            request=request,
        )
        _notify_resident(review, action=action, reason=reason, decision=entry.pk)
    return review


def _notify_resident(review: ProjectReview, *, action: str, reason: str, decision) -> None:
    title = review.project.title
    if action == "publish":
        subject = _("您的服务评价已公开")
        body = _("您对项目“%(title)s”的评价已通过审核，现已公开展示。") % {"title": title}
    else:
        subject = _("您的服务评价未予公开")
        body = _("您对项目“%(title)s”的评价经审核未予公开。原因：%(reason)s") % {
            "title": title,
            "reason": reason,
        }
    notify(
        recipients=[review.resident],
        kind="socialwork_review",
        title=subject,
        body=body,
        link=reverse("socialorgs:sw-request", args=[review.request_id]),
        # One notice per decision (a review published, hidden and published again is told
        # each time).
        dedupe_key=f"socialwork-review-{review.pk}-moderated-{decision}",
    )


# --- Reports ----------------------------------------------------------------------------------


def project_review_report(
    *, review: ProjectReview, reporter: User, reason, request=None
) -> ProjectReviewReport:
    """A resident reports a published review (with a reason): it is held again, out of the
    project's quality, until a supervising official publishes or hides it. Not the review's
    author, not an account of the project's organisation (it would take down the reviews it
    does not like); once per resident and review."""
    if not is_resident(reporter):
        raise NotAllowed(_("只有居民用户可以举报评价。"), code="residents_only")
    if review.resident_id == reporter.pk:
        raise NotAllowed(_("不能举报自己的评价。"), code="own_review")
    if org_role_of(reporter, review.project.organisation) is not None:
        raise NotAllowed(
            _("项目所属社会组织的工作人员不能举报本项目的评价，如有异议请联系民政部门。"),
            code="own_organisation",
        )
    reason = required_text(reason, "reason", REASON_MAX_CHARS)
    with transaction.atomic():
        review = (
            ProjectReview.objects.select_for_update(of=("self",))
            .select_related("project")
            .get(pk=review.pk)
        )
        if ProjectReviewReport.objects.filter(review=review, reporter=reporter).exists():
            raise _already_reported()
        if review.status != RS.PUBLISHED:
            raise SocialOrgConflict(_("只能举报已公开的评价。"), code="not_published")
        try:
            with transaction.atomic():
                report = ProjectReviewReport.objects.create(
                    review=review, reporter=reporter, reason=reason
                )
        except IntegrityError:
            raise _already_reported() from None
        review.status = RS.HELD
        review.save(update_fields=["status"])
        audit_record(
            actor=reporter,
            action="socialorgs.project_review_reported",
            target=review,
            detail={"project": review.project_id, "report": report.pk},
            request=request,
        )
        notify(
            recipients=supervising_officials(review.project.division_id),
            kind="socialwork_review",
            title=_("有社会工作服务评价被举报"),
            body=_("项目“%(title)s”的一条评价被居民举报，已暂停公开，请审核。")
            % {"title": review.project.title},
            link=reverse("socialorgs:sw-review-moderation"),
            dedupe_key=f"socialwork-review-report-{report.pk}",
        )
    return report


def _already_reported() -> SocialOrgConflict:
    return SocialOrgConflict(_("您已举报过这条评价，请等待民政部门处理。"), code="already_reported")
