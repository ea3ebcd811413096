"""Social work's section of a person's data export, and what erasure does to it.

Erasure cancels the person's requests still in progress (a place held for them is freed) and
pseudonymises every request: the address and the need go, the coordinates become the
division's seat; reviews lose their text, reports of others' reviews their reason. The
records stay, detached from the home, for the projects' statistics and ratings."""

from __future__ import annotations

from socialorgs.models import ProjectReview, ProjectReviewReport, ServiceRequest

ERASED = "已注销"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_socialwork(user) -> dict:
    requests = ServiceRequest.objects.filter(resident=user).select_related("project")
    reviews = ProjectReview.objects.filter(resident=user).select_related("project")
    return {
        "requests": [
            {
                "reference": r.reference,
                "target_group": r.target_group,
                "division": r.division_id,
                "address": r.address,
                "latitude": str(r.latitude),
                "longitude": str(r.longitude),
                "description": r.description,
                "status": r.status,
                "project": r.project.title if r.project else None,
                "created_at": _iso(r.created_at),
                "accepted_at": _iso(r.accepted_at),
                "completed_at": _iso(r.completed_at),
            }
            for r in requests.order_by("created_at", "id")
        ],
        "reviews": [
            {
                "project": review.project.title,
                "overall": review.overall,
                "dimensions": review.dimensions,
                "text": review.text,
                "status": review.status,
                "created_at": _iso(review.created_at),
            }
            for review in reviews.order_by("created_at", "id")
        ],
        "review_reports": [
            {
                "project": report.review.project.title,
                "reason": report.reason,
                "created_at": _iso(report.created_at),
                "resolved_at": _iso(report.resolved_at),
            }
            for report in ProjectReviewReport.objects.filter(reporter=user)
            .select_related("review__project")
            .order_by("created_at", "id")
        ],
    }


def erase_socialwork(user) -> None:
    requests = ServiceRequest.objects.filter(resident=user).select_related("division")
    for request in requests.select_for_update(of=("self",)).order_by("id"):
        if request.status in ServiceRequest.IN_PROGRESS:
            request.status = ServiceRequest.Status.CANCELLED
            request.project = None
            request.closed_reason = ERASED
        request.address = ERASED
        request.description = ERASED
        request.latitude = request.division.latitude
        request.longitude = request.division.longitude
        request.match_explanation = {}
        request.save(
            update_fields=[
                "status",
                "project",
                "closed_reason",
                "address",
                "description",
                "latitude",
                "longitude",
                "match_explanation",
            ]
        )
    ProjectReview.objects.filter(resident=user).update(text="", held_words=[])
    ProjectReviewReport.objects.filter(reporter=user).update(reason=ERASED)
