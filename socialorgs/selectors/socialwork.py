"""Read paths of social work: the public catalogue, projects (near a point, with their
ratings), an organisation's social workers (masked for the public), residents' own requests,
the organisation's desk, and the map's coordinate plot.

An object the viewer may not see is None (the page and the API answer 404)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.utils import timezone

from portal.accounts.models import Division, division_ancestors, division_prefix
from portal.accounts.permissions import in_jurisdiction
from portal.privacy import mask_address, mask_name, redact_identifiers
from socialorgs.geo import bounding_box, haversine_km, km_xy
from socialorgs.models import (
    CatalogueItem,
    OrgMembership,
    ProjectReview,
    ProjectReviewReport,
    ServiceRequest,
    SocialOrganisation,
    SocialWorker,
    SocialWorkProject,
)
from socialorgs.selectors.registry import normalised_credit_code
from socialorgs.services.common import is_civil_affairs_official
from socialorgs.services.socialwork.common import organisation_not_serving, organisation_serves_q

P = SocialWorkProject.Status
R = ServiceRequest.Status
PUBLISHED_REVIEW = ProjectReview.Status.PUBLISHED
# Requests an organisation sees: proposed to it, accepted by the resident, completed by it.
ORG_VISIBLE = (R.PROPOSED, R.ACCEPTED, R.COMPLETED)
LIST_LIMIT = 200


# --- The catalogue ------------------------------------------------------------------------------


def catalogue_published_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}published_at__isnull": False, f"{prefix}withdrawn_at__isnull": True})


def catalogue_list_public(*, year: int | None = None, division: str = "") -> QuerySet:
    """Published, not withdrawn items; a division keeps the items that apply there (its own,
    its city's and province's) and the items of the divisions inside it."""
    items = CatalogueItem.objects.filter(catalogue_published_q()).select_related("division")
    if year:
        items = items.filter(year=year)
    if division:
        items = items.filter(
            Q(division_id__in=[division, *division_ancestors(division)])
            | Q(division__code__startswith=division_prefix(division))
        )
    return items.order_by("-year", "division_id", "code")


def catalogue_list_for_official(*, official) -> QuerySet:
    """Every item (draft, published, withdrawn) of the official's jurisdiction."""
    return (
        in_jurisdiction(CatalogueItem.objects.all(), official)
        .select_related("division")
        .order_by("-year", "division_id", "code")
    )


def catalogue_item_get_for_official(*, official, pk: int) -> CatalogueItem | None:
    return catalogue_list_for_official(official=official).filter(pk=pk).first()


def catalogue_options(*, today: dt.date | None = None) -> QuerySet:
    """Items a project may name: published, not withdrawn, of this year or later (the rule
    itself is checked by the service)."""
    today = today or timezone.localdate()
    return catalogue_list_public().filter(year__gte=today.year - 1)


# --- Organisations and their social workers ----------------------------------------------------


def org_get_public(*, credit_code: str) -> SocialOrganisation | None:
    code = normalised_credit_code(credit_code)
    return SocialOrganisation.objects.filter(credit_code=code).first() if code else None


def org_get_for_member(*, user, credit_code: str) -> SocialOrganisation | None:
    """The organisation, when the user holds one of its accounts (any role)."""
    code = normalised_credit_code(credit_code)
    if not code or not (user and user.is_authenticated):
        return None
    return SocialOrganisation.objects.filter(credit_code=code, memberships__user=user).first()


def org_role(user, organisation: SocialOrganisation) -> str | None:
    if not (user and user.is_authenticated):
        return None
    return (
        OrgMembership.objects.filter(user=user, organisation=organisation)
        .values_list("role", flat=True)
        .first()
    )


def is_org_manager(user, organisation: SocialOrganisation) -> bool:
    return org_role(user, organisation) in (OrgMembership.Role.OWNER, OrgMembership.Role.MANAGER)


def worker_summary_public(organisation: SocialOrganisation) -> dict:
    """What the public sees of the organisation's social workers: counts by level and the
    active workers' masked names."""
    workers = list(organisation.social_workers.filter(active=True).order_by("level", "name", "id"))
    counts = Counter(w.level for w in workers)
    return {
        "total": len(workers),
        "by_level": [
            {"level": level, "label": label, "count": counts.get(level, 0)}
            for level, label in SocialWorker.Level.choices
        ],
        "workers": [
            {"masked_name": mask_name(w.name), "level": w.level, "label": w.get_level_display()}
            for w in workers
        ],
    }


def worker_list_for_org(*, organisation: SocialOrganisation) -> QuerySet:
    """Every social worker of the organisation (active first), for its own accounts."""
    return organisation.social_workers.order_by("-active", "level", "name", "id")


def worker_get_for_member(*, user, pk: int) -> SocialWorker | None:
    if not (user and user.is_authenticated):
        return None
    return (
        SocialWorker.objects.filter(pk=pk, organisation__memberships__user=user)
        .select_related("organisation")
        .first()
    )


# --- Projects -------------------------------------------------------------------------------


def _with_ratings(projects: QuerySet) -> QuerySet:
    published = Q(reviews__status=PUBLISHED_REVIEW)
    return projects.annotate(
        rating_avg=Avg("reviews__overall", filter=published),
        rating_count=Count("reviews", filter=published),
    )


def project_list_public(
    *,
    target_group: str = "",
    division: str = "",
    near: tuple[Decimal, Decimal] | None = None,
    radius_km: float | None = None,
    today: dt.date | None = None,
) -> list[SocialWorkProject]:
    """Active projects not yet over, of organisations that serve (registration 正常, not on
    the 严重违法失信名单: the map, the list and its API show only what a resident can be
    matched to); near a point, within `radius_km` of it, nearest first (each with
    `distance_km` and `covers_point`: the point lies in its service radius)."""
    today = today or timezone.localdate()
    projects = SocialWorkProject.objects.filter(
        organisation_serves_q(), status=P.ACTIVE, ends_on__gte=today
    )
    if target_group:
        projects = projects.filter(target_group=target_group)
    if division:
        projects = projects.filter(division__code__startswith=division_prefix(division))
    if near is not None and radius_km:
        lat_min, lat_max, lng_min, lng_max = bounding_box([near], float(radius_km))
        projects = projects.filter(
            latitude__gte=lat_min,
            latitude__lte=lat_max,
            longitude__gte=lng_min,
            longitude__lte=lng_max,
        )
    projects = _with_ratings(projects).select_related("organisation", "division", "catalogue_item")
    found = list(projects.order_by("-starts_on", "id")[: LIST_LIMIT * 5])
    for project in found:
        project.distance_km = None
        project.covers_point = None
        if near is not None:
            project.distance_km = haversine_km(
                near[0], near[1], project.latitude, project.longitude
            )
            project.covers_point = project.distance_km <= project.service_radius_km
    if near is not None:
        if radius_km:
            found = [p for p in found if p.distance_km <= float(radius_km)]
        found.sort(key=lambda p: (p.distance_km, p.pk))
    return found[:LIST_LIMIT]


def organisation_serves(organisation: SocialOrganisation) -> bool:
    """The organisation takes new cases (its projects are on the map and matched)."""
    return not organisation_not_serving(organisation)


def project_get_public(*, pk: int) -> SocialWorkProject | None:
    """A published project (active or closed); drafts are their organisation's only."""
    return (
        _with_ratings(SocialWorkProject.objects.exclude(status=P.DRAFT))
        .select_related("organisation", "division", "catalogue_item__division")
        .filter(pk=pk)
        .first()
    )


def project_get_for_member(*, user, pk: int) -> SocialWorkProject | None:
    if not (user and user.is_authenticated):
        return None
    return (
        _with_ratings(SocialWorkProject.objects.filter(organisation__memberships__user=user))
        .select_related("organisation", "division", "catalogue_item__division")
        .filter(pk=pk)
        .first()
    )


def project_list_for_org(*, organisation: SocialOrganisation) -> QuerySet:
    """All the organisation's projects with their places held, for its desk."""
    holding = Q(requests__status__in=ServiceRequest.HOLDING)
    return (
        organisation.projects.annotate(held=Count("requests", filter=holding, distinct=True))
        .select_related("division", "catalogue_item")
        .order_by("status", "-starts_on", "id")
    )


def project_public_projects(organisation: SocialOrganisation) -> QuerySet:
    return (
        _with_ratings(organisation.projects.exclude(status=P.DRAFT))
        .select_related("division")
        .order_by("status", "-starts_on", "id")
    )


def reviews_published(project: SocialWorkProject) -> QuerySet:
    return project.reviews.filter(status=PUBLISHED_REVIEW).order_by("-created_at", "-id")


def public_review_text(review: ProjectReview) -> str:
    """A review's text as the public reads it: phone and ID numbers masked."""
    return redact_identifiers(review.text)


def review_get_published(*, pk: int) -> ProjectReview | None:
    """A published review of a published project (what a resident may report)."""
    return (
        ProjectReview.objects.filter(pk=pk, status=PUBLISHED_REVIEW)
        .exclude(project__status=P.DRAFT)
        .select_related("project__organisation")
        .first()
    )


def _moderated_by(official) -> QuerySet:
    """Reviews of projects in a 民政 official's jurisdiction (nothing for anyone else)."""
    if not is_civil_affairs_official(official):
        return ProjectReview.objects.none()
    return in_jurisdiction(ProjectReview.objects.all(), official, field="project__division")


def review_moderation_queue(*, official) -> QuerySet:
    """The held reviews of projects in the official's jurisdiction, oldest first, with their
    open reports (`open_reports`): held for a listed word, or reported by a resident."""
    return (
        _moderated_by(official)
        .filter(status=ProjectReview.Status.HELD)
        .select_related("project__organisation", "project__division")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=ProjectReviewReport.objects.filter(resolved_at__isnull=True),
                to_attr="open_reports",
            )
        )
        .order_by("created_at", "id")
    )


def review_get_for_moderation(*, official, pk: int) -> ProjectReview | None:
    """A review (any state) of a project in the official's jurisdiction, or None."""
    return (
        _moderated_by(official)
        .select_related("project__organisation", "project__division")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=ProjectReviewReport.objects.filter(resolved_at__isnull=True),
                to_attr="open_reports",
            )
        )
        .filter(pk=pk)
        .first()
    )


def moderation_text(review: ProjectReview) -> list[tuple[str, bool]]:
    """The review's text as the official reads it: phone and ID numbers masked, cut into
    (piece, is a listed word) so the page can mark the words that held it."""
    text = redact_identifiers(review.text)
    words = sorted({w for w in review.held_words or () if w}, key=len, reverse=True)
    pieces: list[tuple[str, bool]] = []
    lower = text.lower()
    start = i = 0
    while i < len(text):
        hit = next((w for w in words if lower.startswith(w.lower(), i)), None)
        if hit is None:
            i += 1
            continue
        if start < i:
            pieces.append((text[start:i], False))
        pieces.append((text[i : i + len(hit)], True))
        i += len(hit)
        start = i
    if start < len(text):
        pieces.append((text[start:], False))
    return pieces


# --- Requests -----------------------------------------------------------------------------------


def request_list_for_resident(*, user) -> QuerySet:
    if not (user and user.is_authenticated):
        return ServiceRequest.objects.none()
    return (
        ServiceRequest.objects.filter(resident=user)
        .select_related("project__organisation", "division", "review")
        .order_by("-created_at", "-id")
    )


def request_get_for_resident(*, user, pk: int) -> ServiceRequest | None:
    return request_list_for_resident(user=user).filter(pk=pk).first()


def request_list_for_org(*, organisation: SocialOrganisation) -> QuerySet:
    """The requests proposed to, accepted by or completed for the organisation's projects."""
    return (
        ServiceRequest.objects.filter(project__organisation=organisation, status__in=ORG_VISIBLE)
        .select_related("project", "division")
        .order_by("-created_at", "-id")
    )


def request_get_for_org_member(*, user, pk: int) -> ServiceRequest | None:
    """A request of a project of an organisation the user holds an account of."""
    if not (user and user.is_authenticated):
        return None
    return (
        ServiceRequest.objects.filter(
            pk=pk, status__in=ORG_VISIBLE, project__organisation__memberships__user=user
        )
        .select_related("project__organisation", "division", "resident")
        .first()
    )


def request_redacted(service_request: ServiceRequest) -> dict:
    """The address masked and the need with phone and ID numbers masked: what an
    organisation's lists show."""
    return {
        "address": mask_address(service_request.address),
        "description": redact_identifiers(service_request.description),
    }


# --- The map ------------------------------------------------------------------------------------

CITY_PADDING_KM = 4.0
PROJECTS_PADDING_KM = 8.0
HOME_VIEW_MIN_KM = 6.0
# The plot is drawn on a canvas this many units wide whatever its extent in kilometres, so
# the dots, lines and labels keep one size (set in static/css/socialorgs-socialwork.css).
CANVAS = 1000.0
SCALE_STRIP = 60.0


def city_districts(city_code: str) -> list[Division]:
    return list(Division.objects.filter(parent_id=city_code).order_by("code"))


def map_plot(
    *,
    city: Division,
    districts: list[Division],
    projects: list[SocialWorkProject],
    home: tuple[Decimal, Decimal] | None = None,
    radius_km: float | None = None,
) -> dict:
    """A coordinate plot: kilometres east and south of the centre, scaled onto a canvas
    CANVAS units wide. The districts' seats are labelled points, the projects dots, the home a
    marker with the search radius around it. With a home the view is the home's
    neighbourhood; without, the area around the projects (the whole city when there are
    none). A strip below the plot holds the scale bar."""
    centre = (
        (float(home[0]), float(home[1])) if home else (float(city.latitude), float(city.longitude))
    )

    def km(lat, lng):
        return km_xy(lat, lng, centre=centre)

    if home:
        half = max(float(radius_km or 0) * 1.25, HOME_VIEW_MIN_KM)
        left, top, right, bottom = -half, -half, half, half
    else:
        points = [km(p.latitude, p.longitude) for p in projects]
        padding = PROJECTS_PADDING_KM
        if not points:
            points = [km(d.latitude, d.longitude) for d in districts] or [(0.0, 0.0)]
            padding = CITY_PADDING_KM
        left = min(x for x, _ in points) - padding
        right = max(x for x, _ in points) + padding
        top = min(y for _, y in points) - padding
        bottom = max(y for _, y in points) + padding
    scale = CANVAS / max(right - left, bottom - top)  # canvas units per kilometre

    def canvas(point) -> tuple[float, float] | None:
        """The point on the canvas, or None outside the plot."""
        x, y = point
        if not (left <= x <= right and top <= y <= bottom):
            return None
        return (x - left) * scale, (y - top) * scale

    width, height = (right - left) * scale, (bottom - top) * scale
    full_height = height + SCALE_STRIP
    district_marks = []
    for division in districts:
        point = canvas(km(division.latitude, division.longitude))
        if point is not None:
            district_marks.append(
                {
                    "x": _n(point[0]),
                    "y": _n(point[1]),
                    # The label's place in percent of the drawing (CSS classes sw-x-N, sw-y-N).
                    "left": round(point[0] / width * 100),
                    "top": round(point[1] / full_height * 100),
                    "name": division.name,
                }
            )
    dots = []
    for project in projects:
        point = canvas(km(project.latitude, project.longitude))
        if point is not None:
            dots.append({"x": _n(point[0]), "y": _n(point[1]), "project": project})
    scale_km = _scale_km(CANVAS / scale)
    scale_y = height + SCALE_STRIP / 2
    home_xy = canvas((0.0, 0.0)) if home else None
    return {
        "view_box": f"0 0 {_n(width)} {_n(full_height)}",
        "districts": district_marks,
        "dots": dots,
        "home": {"x": _n(home_xy[0]), "y": _n(home_xy[1])} if home_xy else None,
        "radius": _n(float(radius_km) * scale) if home and radius_km else "",
        "scale_km": scale_km,
        "scale_x": _n(30),
        "scale_x2": _n(30 + scale_km * scale),
        "scale_y": _n(scale_y),
    }


def _n(value: float) -> str:
    """An SVG number: plain digits (templates would localise a float)."""
    return f"{value:.1f}"


def _scale_km(extent_km: float) -> int:
    """A round length for the scale bar, at most about a quarter of the plot."""
    for length in (50, 20, 10, 5, 2, 1):
        if length <= extent_km / 4:
            return length
    return 1
