"""Decisions on candidates: accept books the slot (capacity respected; a full slot moves on to
the next candidate), decline with a reason, 代办 referrals and the provider's answer."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from matching.errors import MatchingConflict, MatchingError, MatchingForbidden
from matching.models import Candidate, Need
from matching.services.decisions import candidate_accept, candidate_decline, lead_respond
from matching.services.needs import need_create
from portal.notifications.models import Notification
from services.models import Booking
from tests.matching.factories import RunFactory, need_data, offer, proposals, proxy_need_data
from tests.services.factories import book

pytestmark = pytest.mark.django_db


@pytest.fixture
def need(wang_fang):
    return need_create(resident=wang_fang, data=need_data(wang_fang))


@pytest.fixture
def proxy_need(official_wuhou):
    data = proxy_need_data(official_wuhou)
    return need_create(resident=official_wuhou, data=data)


def test_accepting_books_the_candidates_slot(need, wang_fang, provider_a, staff_a):
    first, second = proposals(need, [offer(provider_a), offer(provider_a)])
    accepted = candidate_accept(candidate=first, resident=wang_fang)
    booking = accepted.booking
    assert accepted.status == Candidate.Status.ACCEPTED
    assert booking.resident == wang_fang
    assert booking.slot_id == first.slot_id
    assert booking.status == Booking.Status.REQUESTED
    assert booking.idempotency_key == f"match:{first.pk}"
    need.refresh_from_db()
    assert need.status == Need.Status.BOOKED
    second.refresh_from_db()
    assert second.status == Candidate.Status.SUPERSEDED
    first.slot.refresh_from_db()
    assert first.slot.remaining == 0


def test_the_provider_is_told_after_commit(
    need, wang_fang, provider_a, staff_a, django_capture_on_commit_callbacks
):
    (first,) = proposals(need, [offer(provider_a)])
    with django_capture_on_commit_callbacks(execute=True):
        candidate_accept(candidate=first, resident=wang_fang)
    assert Notification.objects.filter(recipient=staff_a, kind="matching.booked").exists()


def test_a_full_slot_is_refused_clearly_and_the_next_candidate_stays_proposed(
    need, wang_fang, daughter, provider_a
):
    first, second = proposals(need, [offer(provider_a), offer(provider_a, days=4)])
    book(daughter, first.slot)  # the last place goes meanwhile
    with pytest.raises(MatchingConflict) as caught:
        candidate_accept(candidate=first, resident=wang_fang)
    assert caught.value.code == "slot_full"
    assert "约满" in caught.value.message
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Candidate.Status.SUPERSEDED
    assert second.status == Candidate.Status.PROPOSED
    assert not Booking.objects.filter(resident=wang_fang).exists()
    accepted = candidate_accept(candidate=second, resident=wang_fang)
    assert accepted.booking.slot_id == second.slot_id


def test_accepting_twice_makes_one_booking(need, wang_fang, provider_a):
    (first,) = proposals(need, [offer(provider_a, capacity=3)])
    candidate_accept(candidate=first, resident=wang_fang)
    with pytest.raises(MatchingConflict):
        candidate_accept(candidate=first, resident=wang_fang)
    assert Booking.objects.filter(resident=wang_fang).count() == 1


def test_only_the_owner_decides(need, daughter, provider_a):
    (first,) = proposals(need, [offer(provider_a)])
    with pytest.raises(MatchingForbidden):
        candidate_accept(candidate=first, resident=daughter)
    with pytest.raises(MatchingForbidden):
        candidate_decline(candidate=first, resident=daughter, reason="太远")


def test_a_candidate_of_an_older_run_is_stale(need, wang_fang, provider_a):
    (old,) = proposals(need, [offer(provider_a)])
    proposals(need, [offer(provider_a)], run=RunFactory(need=need))
    with pytest.raises(MatchingConflict) as caught:
        candidate_accept(candidate=old, resident=wang_fang)
    assert caught.value.code == "stale_candidate"


def test_a_withdrawn_need_takes_no_decision(need, wang_fang, provider_a):
    (first,) = proposals(need, [offer(provider_a)])
    Need.objects.filter(pk=need.pk).update(status=Need.Status.WITHDRAWN)
    with pytest.raises(MatchingConflict) as caught:
        candidate_accept(candidate=first, resident=wang_fang)
    assert caught.value.code == "need_closed"


def test_declining_needs_a_reason_and_leaves_the_next_proposed(need, wang_fang, provider_a):
    first, second = proposals(need, [offer(provider_a), offer(provider_a)])
    with pytest.raises(MatchingError) as caught:
        candidate_decline(candidate=first, resident=wang_fang, reason="  ")
    assert caught.value.field == "reason"
    declined = candidate_decline(candidate=first, resident=wang_fang, reason="离家太远")
    assert declined.status == Candidate.Status.DECLINED
    assert declined.decline_reason == "离家太远"
    second.refresh_from_db()
    assert second.status == Candidate.Status.PROPOSED
    need.refresh_from_db()
    assert need.status == Need.Status.MATCHED
    candidate_decline(candidate=second, resident=wang_fang, reason="时间不合适")
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN


def test_a_proxy_need_is_referred_and_the_provider_has_24_hours(
    proxy_need, official_wuhou, provider_a
):
    first, _second = proposals(proxy_need, [offer(provider_a), offer(provider_a)])
    referred = candidate_accept(candidate=first, resident=official_wuhou)
    assert referred.status == Candidate.Status.ACCEPTED
    assert referred.booking is None
    assert referred.provider_decision == Candidate.ProviderDecision.PENDING
    assert referred.respond_by - timezone.now() == pytest.approx(
        dt.timedelta(hours=24), abs=dt.timedelta(minutes=1)
    )
    proxy_need.refresh_from_db()
    assert proxy_need.status == Need.Status.REFERRED
    assert not Booking.objects.exists()


def test_the_provider_accepts_a_referral_within_the_deadline(
    proxy_need, official_wuhou, provider_a, staff_a
):
    (first,) = proposals(proxy_need, [offer(provider_a)])
    candidate_accept(candidate=first, resident=official_wuhou)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=23), tick=False):
        answered = lead_respond(candidate=first, actor=staff_a, accept=True)
    assert answered.provider_decision == Candidate.ProviderDecision.ACCEPTED
    assert Notification.objects.filter(recipient=official_wuhou).exists()


def test_the_provider_cannot_answer_after_the_deadline(
    proxy_need, official_wuhou, provider_a, staff_a
):
    (first,) = proposals(proxy_need, [offer(provider_a)])
    candidate_accept(candidate=first, resident=official_wuhou)
    with (
        time_machine.travel(timezone.now() + dt.timedelta(hours=25), tick=False),
        pytest.raises(MatchingConflict) as caught,
    ):
        lead_respond(candidate=first, actor=staff_a, accept=True)
    assert caught.value.code == "expired"


def test_a_provider_declining_a_referral_reopens_the_need(
    proxy_need, official_wuhou, provider_a, staff_a
):
    (first,) = proposals(proxy_need, [offer(provider_a)])
    candidate_accept(candidate=first, resident=official_wuhou)
    with pytest.raises(MatchingError):
        lead_respond(candidate=first, actor=staff_a, accept=False, reason="")
    answered = lead_respond(candidate=first, actor=staff_a, accept=False, reason="本周人手不足")
    assert answered.provider_decision == Candidate.ProviderDecision.DECLINED
    proxy_need.refresh_from_db()
    assert proxy_need.status == Need.Status.OPEN


def test_only_the_providers_staff_answer_and_only_referrals(
    need, wang_fang, proxy_need, official_wuhou, provider_a, staff_a, staff_b
):
    (referral,) = proposals(proxy_need, [offer(provider_a)])
    candidate_accept(candidate=referral, resident=official_wuhou)
    with pytest.raises(MatchingForbidden):
        lead_respond(candidate=referral, actor=staff_b, accept=True)
    (booked,) = proposals(need, [offer(provider_a)])
    candidate_accept(candidate=booked, resident=wang_fang)
    with pytest.raises(MatchingConflict) as caught:
        lead_respond(candidate=booked, actor=staff_a, accept=True)
    assert caught.value.code == "not_pending"
