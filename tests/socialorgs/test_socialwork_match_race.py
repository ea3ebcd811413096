"""Match runs under a race: runs of several districts (and single requests) at once, over real
parallel database connections, never hand out more places than a project has, and every
request ends proposed or unmatched exactly once. Each thread has its own connection, so the
test commits for real."""

from __future__ import annotations

from collections import Counter

import pytest

from socialorgs.models import ServiceRequest
from socialorgs.services.socialwork import service_requests_match
from tests.socialorgs.factories_socialwork import (
    WUHOU,
    north_of,
    project,
    service_request,
    social_org,
)
from tests.volunteers.test_signup_race import run_together

CAPACITY = 3
# The project sits on the border of 武侯区 and 锦江区: requests of both districts reach it.
DISTRICTS = ("510107", "510104")
PER_DISTRICT = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_never_exceed_a_projects_places():
    place = project(social_org(), capacity=CAPACITY, service_radius_km=10)
    requests = [
        service_request(division_id=code, at=north_of(WUHOU, 0.3 * (i + 1)))
        for code in DISTRICTS
        for i in range(PER_DISTRICT)
    ]
    calls = [lambda code=code: service_requests_match(division_code=code) for code in DISTRICTS]
    calls += [lambda pk=r.pk: service_requests_match(request_id=pk) for r in requests[::3]]
    calls += [lambda: service_requests_match()]

    _values, errors, overlap = run_together(calls)

    assert overlap > 1, "the runs never overlapped"
    assert [e for e in errors if e is not None] == []
    stored = Counter(
        ServiceRequest.objects.filter(pk__in=[r.pk for r in requests]).values_list(
            "status", flat=True
        )
    )
    assert stored == {"proposed": CAPACITY, "unmatched": len(requests) - CAPACITY}
    assert ServiceRequest.objects.filter(project=place, status="proposed").count() == CAPACITY
    # Nobody was told twice, nobody holding no place was told at all.
    assert sum(r.resident.notifications.count() for r in requests) == CAPACITY
