"""The match engine: hard constraints, the explained score, the capacity-aware assignment, and
runs that are idempotent, fail without publishing anything, and complete on a retry."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import F

from matching import selectors
from matching.models import Candidate, MatchRun, Need
from matching.services import engine
from matching.tasks import match_open_needs
from portal.notifications.models import Notification
from providers.models import Certificate
from services.models import Listing
from tests.matching.factories import NeedFactory, matchable_listing
from tests.providers.factories import CertificateFactory, ProviderFactory, StaffMemberFactory

NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Tuesday


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def execute(**scope) -> MatchRun:
    scope.setdefault("domain", "eldercare")
    scope.setdefault("division_id", "510107")
    return engine.run_execute(MatchRun.objects.create(**scope).pk)


def listed(need) -> list[int]:
    return [c.listing_id for c in selectors.candidate_list_for_need(need)]


@pytest.mark.django_db
def test_it_assigns_a_covering_listing_on_its_earliest_fitting_slot(wang_fang, provider_a):
    listing, slot = matchable_listing(provider_a)
    need = NeedFactory(resident=wang_fang)

    run = execute()

    assert run.status == MatchRun.Status.SUCCEEDED
    assert run.progress == 100
    [candidate] = selectors.candidate_list_for_need(need)
    assert (candidate.listing, candidate.slot, candidate.rank) == (listing, slot, 0)
    assert candidate.assigned
    assert candidate.provider_id == provider_a.pk
    need.refresh_from_db()
    assert (need.status, need.unmatched_reason) == (Need.Status.MATCHED, "")
    assert run.counts["assigned"] == 1
    assert set(run.timings) >= {"load", "candidates", "assignment", "write"}


@pytest.mark.django_db
def test_a_home_listing_not_serving_the_division_is_excluded(wang_fang, provider_a):
    matchable_listing(provider_a, divisions=["510104"])  # 锦江区 only
    covering, _ = matchable_listing(ProviderFactory(), divisions=["510100"])  # all of 成都市
    need = NeedFactory(resident=wang_fang)

    execute()

    assert listed(need) == [covering.pk]


@pytest.mark.django_db
def test_an_online_listing_covers_every_home_need(wang_fang, provider_a):
    online, _ = matchable_listing(
        provider_a, divisions=[], delivery_mode=Listing.DeliveryMode.ONLINE
    )
    need = NeedFactory(resident=wang_fang)

    execute()

    assert listed(need) == [online.pk]


@pytest.mark.django_db
def test_a_branch_farther_than_the_need_accepts_is_excluded(wang_fang, provider_a):
    near, _ = matchable_listing(provider_a, delivery_mode=Listing.DeliveryMode.AT_BRANCH)
    far, _ = matchable_listing(ProviderFactory(), delivery_mode=Listing.DeliveryMode.AT_BRANCH)
    far.branch.latitude, far.branch.longitude = "30.700000", "104.100000"  # about 8 km away
    far.branch.save(update_fields=["latitude", "longitude"])
    need = NeedFactory(resident=wang_fang, place=Need.Place.BRANCH, max_distance_km=3)

    execute()

    assert listed(need) == [near.pk]


@pytest.mark.django_db
def test_a_listing_of_another_category_is_excluded(wang_fang, provider_a):
    matchable_listing(provider_a)  # 助餐
    need = NeedFactory(resident=wang_fang, category_id="elder_bathing")

    execute()

    need.refresh_from_db()
    assert listed(need) == []
    assert need.unmatched_reason == "no_coverage"


@pytest.mark.django_db
def test_a_listing_without_a_free_slot_in_the_windows_is_excluded(wang_fang, provider_a):
    matchable_listing(provider_a, slot_in_days=3)  # Friday 10:00
    fits, _ = matchable_listing(ProviderFactory(), slot_in_days=2)  # Thursday 10:00
    _, slot = matchable_listing(ProviderFactory(), slot_in_days=2)
    type(slot).objects.filter(pk=slot.pk).update(remaining=0)
    need = NeedFactory(
        resident=wang_fang, windows=[{"date": "2026-12-03", "start": "09:00", "end": "12:00"}]
    )

    execute()

    assert listed(need) == [fits.pk]


@pytest.mark.django_db
def test_a_listing_over_budget_is_excluded(wang_fang, provider_a):
    matchable_listing(provider_a, price_fen=12000)
    cheap, _ = matchable_listing(ProviderFactory(), price_fen=8000)
    need = NeedFactory(resident=wang_fang, budget_max_fen=10000)

    execute()

    assert listed(need) == [cheap.pk]


@pytest.mark.django_db
def test_a_provider_without_a_valid_required_certificate_is_excluded(wang_fang, provider_a):
    matchable_listing(provider_a)
    CertificateFactory(staff__provider=provider_a, expires_on=dt.date(2026, 11, 30))  # expired
    revoked = ProviderFactory()
    matchable_listing(revoked)
    CertificateFactory(staff__provider=revoked, revoked_at=NOW)
    inactive = ProviderFactory()
    matchable_listing(inactive)
    CertificateFactory(staff__provider=inactive, staff__is_active=False)
    holder = ProviderFactory()
    held, _ = matchable_listing(holder)
    CertificateFactory(staff__provider=holder, kind=Certificate.Kind.ELDERCARE_WORKER)
    need = NeedFactory(resident=wang_fang, certificates=["eldercare_worker"])

    execute()

    assert listed(need) == [held.pk]


@pytest.mark.django_db
def test_a_provider_without_a_caregiver_of_the_asked_gender_is_excluded(wang_fang, provider_a):
    matchable_listing(provider_a)
    StaffMemberFactory(provider=provider_a, gender="female")
    men = ProviderFactory()
    with_men, _ = matchable_listing(men)
    StaffMemberFactory(provider=men, gender="male")
    need = NeedFactory(resident=wang_fang, caregiver_gender="male")

    execute()

    assert listed(need) == [with_men.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("need_kwargs", "reason"),
    [
        ({"division_id": "510104"}, "no_coverage"),
        ({"windows": [{"weekday": 0, "start": "14:00", "end": "18:00"}]}, "no_time_overlap"),
        ({"budget_max_fen": 1000}, "over_budget"),
        ({"certificates": ["nurse"]}, "missing_certificate"),
        ({"caregiver_gender": "male"}, "missing_certificate"),
    ],
)
def test_an_unmatched_need_records_the_first_constraint_that_emptied_it(
    wang_fang, provider_a, need_kwargs, reason
):
    matchable_listing(provider_a, price_fen=1500)
    need = NeedFactory(resident=wang_fang, **need_kwargs)

    run = execute(division_id=None)

    need.refresh_from_db()
    assert (need.status, need.unmatched_reason) == (Need.Status.OPEN, reason)
    assert run.counts["unmatched"] == {reason: 1}
    assert not Candidate.objects.exists()


@pytest.mark.django_db
def test_the_score_of_a_worked_example(wang_fang, provider_a):
    provider_a.official_grade = "四级"
    provider_a.save(update_fields=["official_grade"])
    listing, _ = matchable_listing(provider_a, price_fen=5000)  # slot Friday 12-04 10:00
    Listing.objects.filter(pk=listing.pk).update(quality_score=4.5)
    StaffMemberFactory(provider=provider_a, languages=["普通话", "四川话"])
    need = NeedFactory(
        resident=wang_fang,
        latitude=listing.branch.latitude,  # 0 km from the branch
        longitude=listing.branch.longitude,
        budget_min_fen=0,
        budget_max_fen=10000,
        languages=["四川话"],
    )

    execute()

    [candidate] = selectors.candidate_list_for_need(need)
    values = {name: part["value"] for name, part in candidate.components.items()}
    assert values == {
        "distance": 1.0,
        "quality": 0.9,  # 4.5 / 5
        "grade": 1.0,
        "price": 0.75,  # half-way through the budget
        "availability": 0.7798,  # 74 hours ahead: 1 - 74 / 336
        "language": 1.0,
        "continuity": 0.0,
    }
    assert candidate.components["distance"]["weight"] == 0.25
    # 0.25 + 0.2·0.9 + 0.1 + 0.15·0.75 + 0.15·(1 - 74/336) + 0.1 + 0 (weights sum to 1)
    assert candidate.score == pytest.approx(0.859464, abs=1e-6)
    assert candidate.reasons == [
        "距离 0.0 公里",
        "居民评分 4.5",
        "官方评定 四级",
        "价格 ¥50 在预算内",
        "最早 12月4日 10:00 可约",
        "会说 四川话",
    ]


@pytest.mark.django_db
def test_continuity_counts_a_completed_booking_with_the_provider(wang_fang, provider_a):
    from tests.services.factories import AddressFactory, book

    matchable_listing(provider_a)
    past = matchable_listing(provider_a, slot_in_days=1)[1]
    booking = book(wang_fang, past, address=AddressFactory(owner=wang_fang))
    type(booking).objects.filter(pk=booking.pk).update(status="completed")
    need = NeedFactory(resident=wang_fang)

    execute()

    candidate = selectors.candidate_list_for_need(need)[0]
    assert candidate.components["continuity"]["value"] == 1.0
    assert "曾在该机构接受服务" in candidate.reasons


@pytest.mark.django_db
def test_the_assignment_respects_slot_capacity(provider_a):
    best, best_slot = matchable_listing(provider_a, price_fen=1000, capacity=2)
    second, _ = matchable_listing(ProviderFactory(), price_fen=9000)
    needs = NeedFactory.create_batch(3)

    run = execute()

    assigned = Candidate.objects.filter(run=run, assigned=True)
    assert sorted(c.listing_id for c in assigned) == sorted([best.pk, best.pk, second.pk])
    assert all(c.rank == 0 for c in assigned)
    # The third need's alternative (the full slot) is still shown, after its assignment.
    third = next(n for n in needs if assigned.get(need=n).listing_id == second.pk)
    assert listed(third) == [second.pk, best.pk]
    assert best_slot.pk == assigned.filter(listing=best).first().slot_id


@pytest.mark.django_db
def test_a_need_left_without_capacity_stays_open(provider_a):
    matchable_listing(provider_a, capacity=2)
    NeedFactory.create_batch(3)

    run = execute()

    assert run.counts["assigned"] == 2
    assert run.counts["unmatched"] == {"no_capacity": 1}
    assert Need.objects.filter(status="open", unmatched_reason="no_capacity").count() == 1


@pytest.mark.django_db
def test_a_rerun_with_the_same_inputs_reuses_the_result(wang_fang, provider_a):
    matchable_listing(provider_a)
    need = NeedFactory(resident=wang_fang)
    first = execute()
    before = list(Candidate.objects.values_list("id", "status"))

    again = execute()

    assert again.status == MatchRun.Status.SUCCEEDED
    assert again.counts == {"reused": first.pk}
    assert again.inputs_digest == first.inputs_digest
    assert list(Candidate.objects.values_list("id", "status")) == before
    assert selectors.run_latest_for_need(need) == first


@pytest.mark.django_db
def test_a_changed_need_is_matched_again_and_old_proposals_are_superseded(wang_fang, provider_a):
    matchable_listing(provider_a)
    need = NeedFactory(resident=wang_fang)
    first = execute()
    Need.objects.filter(pk=need.pk).update(version=F("version") + 1, budget_max_fen=9000)

    second = execute()

    assert second.inputs_digest != first.inputs_digest
    assert selectors.run_latest_for_need(need) == second
    assert Candidate.objects.get(run=first).status == Candidate.Status.SUPERSEDED
    assert Candidate.objects.get(run=second).status == Candidate.Status.PROPOSED


@pytest.mark.django_db
def test_a_run_killed_mid_way_publishes_nothing_and_a_retry_completes_it(
    wang_fang, provider_a, monkeypatch
):
    matchable_listing(provider_a)
    need = NeedFactory(resident=wang_fang)
    run = MatchRun.objects.create(domain="eldercare", division_id="510107")

    def crash(run, phase, **state):
        if phase == "assigned":
            raise RuntimeError("worker lost")

    monkeypatch.setattr(engine, "_checkpoint", crash)
    with pytest.raises(RuntimeError):
        engine.run_execute(run.pk)

    run.refresh_from_db()
    need.refresh_from_db()
    assert run.status == MatchRun.Status.FAILED
    assert "worker lost" in run.error
    assert not Candidate.objects.exists()
    assert need.status == Need.Status.OPEN
    assert list(selectors.candidate_list_for_need(need)) == []

    monkeypatch.undo()
    run = engine.run_execute(run.pk)

    assert run.status == MatchRun.Status.SUCCEEDED
    assert run.attempts == 2
    assert run.error == ""
    assert len(selectors.candidate_list_for_need(need)) == 1


@pytest.mark.django_db
def test_a_withdrawn_need_is_left_alone_by_a_run_that_read_it_open(wang_fang, provider_a):
    matchable_listing(provider_a)
    need = NeedFactory(resident=wang_fang)

    def withdraw(run, phase, **state):
        if phase == "assigned":
            Need.objects.filter(pk=need.pk).update(status=Need.Status.WITHDRAWN)

    engine_checkpoint = engine._checkpoint
    engine._checkpoint = withdraw
    try:
        run = execute()
    finally:
        engine._checkpoint = engine_checkpoint

    need.refresh_from_db()
    assert need.status == Need.Status.WITHDRAWN
    assert not Candidate.objects.exists()
    assert run.counts["skipped_changed"] == 1


@pytest.mark.django_db
def test_a_request_is_queued_once_and_run_after_commit(
    wang_fang, provider_a, official_wuhou, django_capture_on_commit_callbacks
):
    matchable_listing(provider_a)
    need = NeedFactory(resident=wang_fang)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = engine.run_request(domain="eldercare", division="510107", requested_by=official_wuhou)
        assert engine.run_request(domain="eldercare", division="510107") == run
    assert run.status == MatchRun.Status.QUEUED
    assert len(callbacks) == 1

    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()  # eager Celery: the task runs here, then the notices after its commit

    run.refresh_from_db()
    assert run.status == MatchRun.Status.SUCCEEDED
    assert selectors.run_get(run.pk) == run
    assert Notification.objects.filter(recipient=wang_fang).count() == 1
    assert engine.run_notify(run.pk) == 0  # once per run and need
    need.refresh_from_db()
    assert need.status == Need.Status.MATCHED


@pytest.mark.django_db
def test_the_periodic_job_asks_one_run_per_domain_and_district(provider_a):
    NeedFactory.create_batch(2)
    NeedFactory(division_id="510104", latitude="30.657000", longitude="104.080000")
    NeedFactory(domain="childcare", category_id=None)

    first = match_open_needs()
    second = match_open_needs()

    scopes = set(MatchRun.objects.values_list("domain", "division_id"))
    assert scopes == {("eldercare", "510107"), ("eldercare", "510104"), ("childcare", "510107")}
    assert sorted(first) == sorted(second)  # still queued: the same runs, not new ones


def test_the_beat_asks_for_match_runs_every_five_minutes():
    from portal.celery import app

    entry = app.conf.beat_schedule["match-open-needs"]
    assert (entry["task"], entry["schedule"]) == ("matching.tasks.match_open_needs", 300.0)


def test_a_listing_turned_down_for_a_need_is_not_proposed_again(wang_fang, provider_a, provider_b):
    first, _ = matchable_listing(provider_a)
    second, _ = matchable_listing(provider_b)
    need = NeedFactory(resident=wang_fang)
    run = engine.run_execute(engine.run_request(need=need).pk)
    proposed = Candidate.objects.get(run=run, need=need, rank=0)
    Candidate.objects.filter(pk=proposed.pk).update(status=Candidate.Status.DECLINED)

    again = engine.run_execute(MatchRun.objects.create(need=need).pk)
    assert again.counts.get("reused") is None  # the decline changed the inputs
    listings = set(Candidate.objects.filter(run=again, need=need).values_list("listing", flat=True))
    assert proposed.listing_id not in listings
    assert listings == {first.pk, second.pk} - {proposed.listing_id}
