"""Factories for social work: catalogue items, projects (active by default, at 武侯区's seat),
social workers, residents' requests at a point, completed cases and evaluations. Rows are made
directly (fast, any state); the services have their own tests."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from socialorgs.models import (
    CatalogueItem,
    Evaluation,
    ProjectReview,
    ServiceRequest,
    SocialWorker,
    SocialWorkProject,
)
from tests.accounts.factories import OfficialFactory, UserFactory
from tests.socialorgs.factories import socialorg

# 武侯区's seat (portal/accounts/data/divisions.csv) and points at known distances from it.
WUHOU = (Decimal("30.642000"), Decimal("104.043200"))
KM_LAT = Decimal("0.009044")  # one kilometre north, in degrees of latitude
_serial = itertools.count(1)


def north_of(point, km: float) -> tuple[Decimal, Decimal]:
    """A point `km` kilometres north of `point` (to six places)."""
    return (point[0] + KM_LAT * Decimal(str(km))).quantize(Decimal("0.000001")), point[1]


def catalogue_item(
    *,
    division: str = "510107",
    year: int | None = None,
    published: bool = True,
    withdrawn: bool = False,
    official=None,
    **extra,
) -> CatalogueItem:
    now = timezone.now()
    values = {
        "code": f"SW-{next(_serial):03d}",
        "name": "社区居家养老社会工作服务",
        "category": "社会工作服务",
        "division_id": division,
        "year": year or timezone.localdate().year,
        "published_at": now if published or withdrawn else None,
        "withdrawn_at": now if withdrawn else None,
        "created_by": official or OfficialFactory(jurisdiction_id=division[:6]),
    }
    values.update(extra)
    return CatalogueItem.objects.create(**values)


def project(organisation, *, at=WUHOU, **extra) -> SocialWorkProject:
    """An active project of the organisation, running today, for the elderly, at `at`."""
    today = timezone.localdate()
    values = {
        "title": f"长者关爱社工服务项目{next(_serial)}",
        "description": "为辖区独居、空巢老人提供探访、情绪支持和资源链接。",
        "target_group": "elderly",
        "division_id": "510107",
        "address": "武侯区浆洗街街道社区综合服务中心",
        "latitude": at[0],
        "longitude": at[1],
        "service_radius_km": 5,
        "starts_on": today - dt.timedelta(days=30),
        "ends_on": today + dt.timedelta(days=300),
        "funding": SocialWorkProject.Funding.SELF,
        "capacity": 10,
        "status": SocialWorkProject.Status.ACTIVE,
    }
    values.update(extra)
    return SocialWorkProject.objects.create(organisation=organisation, **values)


def worker(organisation, **extra) -> SocialWorker:
    values = {
        "name": "欧阳晓敏",
        "level": SocialWorker.Level.SOCIAL_WORKER,
        "certificate_number": f"S2020510107{next(_serial):06d}",
        "certified_on": dt.date(2020, 6, 1),
    }
    values.update(extra)
    return SocialWorker.objects.create(organisation=organisation, **values)


def service_request(resident=None, *, at=WUHOU, **extra) -> ServiceRequest:
    """A resident's open request for the elderly at `at` (a new resident unless given)."""
    values = {
        "reference": f"SWTEST{next(_serial):08d}",
        "resident": resident or UserFactory(),
        "target_group": "elderly",
        "division_id": "510107",
        "address": "武侯区浆洗街街道洗面桥街8号3栋2单元501室",
        "latitude": at[0],
        "longitude": at[1],
        "description": "父亲独居，行动不便，希望有人定期探访。",
    }
    values.update(extra)
    return ServiceRequest.objects.create(**values)


def accepted(resident=None, *, project_, **extra) -> ServiceRequest:
    """A request the resident accepted: the organisation serves it."""
    now = timezone.now()
    return service_request(
        resident,
        status=ServiceRequest.Status.ACCEPTED,
        project=project_,
        matched_at=now,
        accepted_at=now,
        match_explanation={"distance_km": 0.5},
        **extra,
    )


def completed(resident=None, *, project_, **extra) -> ServiceRequest:
    now = timezone.now()
    request = accepted(resident, project_=project_, **extra)
    ServiceRequest.objects.filter(pk=request.pk).update(status="completed", completed_at=now)
    request.refresh_from_db()
    return request


def review(project_, *, resident=None, status: str = "held", **extra) -> ProjectReview:
    """A review of a completed case of the project (held for a listed word by default)."""
    now = timezone.now()
    # Made completed at once (not through accepted): the resident may have a case in progress.
    done = service_request(
        resident,
        status=ServiceRequest.Status.COMPLETED,
        project=project_,
        matched_at=now,
        accepted_at=now,
        completed_at=now,
    )
    values = {
        "overall": 2,
        "dimensions": {"skill": 2, "attitude": 2, "responsiveness": 2, "outcome": 2},
        "text": "社工说这家机构是诈骗，联系 13912345678。" if status == "held" else "很好。",
        "held_words": ["诈骗"] if status == "held" else [],
    }
    values.update(extra)
    return ProjectReview.objects.create(
        request=done, project=project_, resident=done.resident, status=status, **values
    )


def evaluation(organisation, grade: int, **extra) -> Evaluation:
    today = timezone.localdate()
    values = {
        "basic_conditions": 90,
        "governance": 360,
        "performance": 300,
        "social_evaluation": 150,
        "total": 900,
        "grade": grade,
        "awarded_on": today - dt.timedelta(days=10),
        "valid_until": today + dt.timedelta(days=5 * 365),
        "evaluated_by": OfficialFactory(),
    }
    values.update(extra)
    return Evaluation.objects.create(organisation=organisation, **values)


# --- Organisations ----------------------------------------------------------------------------


def social_org(name: str = "心家园社会工作服务中心", owner=None, **extra):
    """A registered organisation (武侯区) whose owner is a new resident account unless given."""
    return socialorg(owner or UserFactory(name="陈社工"), name=name, **extra)


def owner_of(organisation):
    return organisation.memberships.get(role="owner").user
