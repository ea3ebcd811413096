"""ratings.services.scores: the time-decayed Bayesian average, worked through with exact
numbers, and the incremental and nightly ways of keeping it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from providers.models import Provider
from ratings.models import QualityScore, Review
from ratings.services.scores import (
    FALLBACK_PRIOR,
    Prior,
    decay_weight,
    domain_priors,
    scores_recompute_all,
    scores_refresh,
)
from ratings.tasks import recompute_scores
from services.models import Listing
from tests.providers.factories import MembershipFactory, ProviderFactory
from tests.ratings.factories import completed_booking, review_row
from tests.services.factories import public_listing

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _defaults(settings):
    settings.RATINGS_PRIOR_WEIGHT = 5
    settings.RATINGS_HALF_LIFE_DAYS = 365


@pytest.fixture
def other_provider(db):
    """A second eldercare provider in 武侯区, with its owner."""
    provider = ProviderFactory(name="夕阳红居家养老服务站", division_id="510107")
    return provider, MembershipFactory(provider=provider).user


def test_a_review_one_half_life_old_weighs_half():
    assert decay_weight(NOW, NOW) == 1.0
    assert decay_weight(NOW - dt.timedelta(days=365), NOW) == pytest.approx(0.5)
    assert decay_weight(NOW - dt.timedelta(days=730), NOW) == pytest.approx(0.25)
    assert decay_weight(NOW + dt.timedelta(days=1), NOW) == 1.0  # clock skew


def test_a_domain_without_reviews_has_the_fallback_prior():
    assert domain_priors() == {}
    assert Prior().overall == FALLBACK_PRIOR == 4.0
    assert Prior().of("attitude") == 4.0


def test_the_worked_example(wang_fang, daughter, provider_a, staff_a, other_provider):
    """Three published eldercare reviews, so the domain prior is (5 + 3 + 2) / 3 = 10/3:

    listing L (provider A): ★5 today (w = 1) and ★3 one year ago (w = 0.5)
        score = (5 · 10/3 + 1 · 5 + 0.5 · 3) / (5 + 1.5) = 139/39 ≈ 3.5641
    listing M (other provider): ★2 two years ago (w = 0.25)
        score = (5 · 10/3 + 0.25 · 2) / (5 + 0.25) = 206/63 ≈ 3.2698

    Attitude: 5 and 1 on L, 3 on M, so its prior is 3:
        L attitude = (5 · 3 + 1 · 5 + 0.5 · 1) / 6.5 = 41/13 ≈ 3.1538

    A hidden ★1 and a held ★1 on L change nothing.
    """
    other, other_staff = other_provider
    listing_l = public_listing(provider_a)
    listing_m = public_listing(other)
    with time_machine.travel(NOW - dt.timedelta(days=800), tick=False):
        bookings_l = [
            completed_booking(wang_fang, provider_a, staff_a, listing=listing_l) for _ in range(4)
        ]
        booking_m = completed_booking(daughter, other, other_staff, listing=listing_m)
    review_row(bookings_l[0], overall=5, dimensions={"attitude": 5}, created_at=NOW)
    review_row(
        bookings_l[1],
        overall=3,
        dimensions={"attitude": 1},
        created_at=NOW - dt.timedelta(days=365),
    )
    review_row(
        booking_m, overall=2, dimensions={"attitude": 3}, created_at=NOW - dt.timedelta(days=730)
    )
    review_row(bookings_l[2], overall=1, status=Review.Status.HIDDEN, created_at=NOW)
    review_row(bookings_l[3], overall=1, status=Review.Status.HELD, created_at=NOW)

    with time_machine.travel(NOW, tick=False):
        result = scores_recompute_all()

    assert result == {"providers": 2, "domains": 1}
    assert domain_priors()["eldercare"].overall == pytest.approx(10 / 3)
    listing_l.refresh_from_db()
    listing_m.refresh_from_db()
    assert listing_l.quality_score == pytest.approx(139 / 39, abs=1e-12)
    assert round(listing_l.quality_score, 4) == 3.5641
    assert listing_l.review_count == 2
    assert listing_m.quality_score == pytest.approx(206 / 63, abs=1e-12)
    assert round(listing_m.quality_score, 4) == 3.2698
    assert listing_m.review_count == 1

    quality_l = QualityScore.objects.get(listing=listing_l)
    assert quality_l.subject == "listing"
    assert quality_l.provider_id == provider_a.pk
    assert quality_l.score == pytest.approx(139 / 39)
    assert quality_l.dimensions == {"attitude": pytest.approx(41 / 13)}
    assert quality_l.computed_at == NOW

    provider_a.refresh_from_db()
    assert provider_a.quality_score == pytest.approx(139 / 39)
    assert provider_a.review_count == 2
    quality_a = QualityScore.objects.get(subject="provider", provider=provider_a)
    assert quality_a.score == pytest.approx(139 / 39)
    assert quality_a.review_count == 2


def test_the_same_numbers_come_from_the_incremental_refresh(
    wang_fang, provider_a, staff_a, django_assert_max_num_queries
):
    listing = public_listing(provider_a)
    first, second = (
        completed_booking(wang_fang, provider_a, staff_a, listing=listing) for _ in range(2)
    )
    review_row(first, overall=5, created_at=NOW)
    review_row(second, overall=2, created_at=NOW - dt.timedelta(days=365))

    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(11):
        scores_refresh(listing_id=listing.pk, provider_id=provider_a.pk)

    # prior 3.5; (5 · 3.5 + 5 + 0.5 · 2) / 6.5 = 23.5 / 6.5
    listing.refresh_from_db()
    assert listing.quality_score == pytest.approx(23.5 / 6.5)
    assert listing.review_count == 2


def test_the_incremental_refresh_touches_only_the_affected_listing(wang_fang, provider_a, staff_a):
    listing = public_listing(provider_a)
    untouched = public_listing(provider_a)
    Listing.objects.filter(pk=untouched.pk).update(quality_score=4.9, review_count=7)
    review_row(completed_booking(wang_fang, provider_a, staff_a, listing=listing), overall=4)

    scores_refresh(listing_id=listing.pk, provider_id=provider_a.pk)

    untouched.refresh_from_db()
    assert (untouched.quality_score, untouched.review_count) == (4.9, 7)
    listing.refresh_from_db()
    assert listing.review_count == 1


def test_the_nightly_job_is_idempotent_and_clears_scores_left_without_reviews(
    wang_fang, provider_a, staff_a, provider_b
):
    listing = public_listing(provider_a)
    stale = public_listing(provider_a)
    review_row(completed_booking(wang_fang, provider_a, staff_a, listing=listing), overall=4)
    Listing.objects.filter(pk=stale.pk).update(quality_score=4.9, review_count=7)
    QualityScore.objects.create(
        subject="listing", listing=stale, provider=provider_a, score=4.9, review_count=7
    )
    Provider.objects.filter(pk=provider_b.pk).update(quality_score=3.0, review_count=2)

    with time_machine.travel(NOW, tick=False):
        scores_recompute_all()
        first = list(QualityScore.objects.order_by("pk").values("listing", "score", "review_count"))
        scores_recompute_all()
        second = list(
            QualityScore.objects.order_by("pk").values("listing", "score", "review_count")
        )

    assert first == second
    stale.refresh_from_db()
    provider_b.refresh_from_db()
    assert (stale.quality_score, stale.review_count) == (None, 0)
    assert (provider_b.quality_score, provider_b.review_count) == (None, 0)
    assert not QualityScore.objects.filter(listing=stale).exists()
    assert QualityScore.objects.filter(listing=listing).exists()


def test_the_beat_task_runs_the_nightly_job(wang_fang, provider_a, staff_a):
    listing = public_listing(provider_a)
    review_row(completed_booking(wang_fang, provider_a, staff_a, listing=listing), overall=5)

    assert recompute_scores.name == "ratings.tasks.recompute_scores"
    assert recompute_scores.delay().get() == {"providers": 1, "domains": 1}
    listing.refresh_from_db()
    assert listing.quality_score == pytest.approx(5.0)


def test_the_beat_schedule_runs_it_nightly(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "ratings.tasks.recompute_scores" in tasks
