"""Quality scores of listings and providers from their published reviews.

The formula (a time-decayed Bayesian average)::

    w_i   = 0.5 ** (age_days_i / H)            H = settings.RATINGS_HALF_LIFE_DAYS (365)
    score = (m * prior + Σ w_i * r_i) / (m + Σ w_i)

- `r_i` is the overall rating (1–5) of each published review of the listing (or provider);
  `age_days_i` is its age at computation time, in days (fractional), so a review one half-life
  old counts half as much as a new one.
- `m` = settings.RATINGS_PRIOR_WEIGHT (5): the prior counts as `m` brand-new reviews, so a
  listing with two five-star reviews does not outrank one with two hundred reviews averaging 4.8.
- `prior` = the mean overall rating of all published reviews in the listing's domain (4.0 when
  the domain has none yet). A provider active in several domains takes the mean of its
  reviews' domain priors (one domain: that domain's prior).
- Each dimension (ratings.dimensions) is scored by the same formula over the reviews that rate
  it, with the domain's mean of that dimension as its prior (again 4.0 when none).
- `review_count` is the number of published reviews. With none there is no score (None): the
  prior alone is not something residents said.

Two ways in: `scores_refresh` recomputes one listing and its provider when one of their reviews
is published, hidden or restored (a few small queries, in the caller's transaction); the nightly
job `scores_recompute_all` recomputes everything against fresh domain priors and the day's
decay. Both are pure functions of the reviews and the time, so running either twice is harmless.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, FloatField, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from providers.models import Provider
from ratings.dimensions import LABELS
from ratings.models import QualityScore, Review
from services.models import Listing

FALLBACK_PRIOR = 4.0
PUBLISHED = Review.Status.PUBLISHED


@dataclass(frozen=True)
class Prior:
    """A domain's mean overall rating and mean per dimension (None where it has no data)."""

    overall: float = FALLBACK_PRIOR
    dimensions: dict[str, float] = field(default_factory=dict)

    def of(self, code: str) -> float:
        value = self.dimensions.get(code)
        return FALLBACK_PRIOR if value is None else value


def domain_priors(*, domains: Iterable[str] | None = None) -> dict[str, Prior]:
    """The prior of each domain that has published reviews, in one aggregate query."""
    reviews = Review.objects.filter(status=PUBLISHED)
    if domains is not None:
        reviews = reviews.filter(domain__in=list(domains))
    averages = {
        f"dim_{code}": Avg(Cast(KeyTextTransform(code, "dimensions"), FloatField()))
        for code in LABELS
    }
    rows = reviews.order_by().values("domain").annotate(avg_overall=Avg("overall"), **averages)
    return {
        row["domain"]: Prior(
            overall=float(row["avg_overall"]),
            dimensions={
                code: row[f"dim_{code}"] for code in LABELS if row[f"dim_{code}"] is not None
            },
        )
        for row in rows
    }


def decay_weight(created_at: dt.datetime, now: dt.datetime) -> float:
    """0.5 ** (age in days / half-life); a review from the future (clock skew) weighs 1."""
    age_days = max((now - created_at).total_seconds(), 0.0) / 86400
    return 0.5 ** (age_days / settings.RATINGS_HALF_LIFE_DAYS)


@dataclass
class _Sums:
    """Running sums of one Bayesian average: Σw, Σw·r, and the priors of the items seen."""

    weight: float = 0.0
    weighted: float = 0.0
    prior_total: float = 0.0
    items: int = 0

    def add(self, weight: float, rating: float, prior: float) -> None:
        self.weight += weight
        self.weighted += weight * rating
        self.prior_total += prior
        self.items += 1

    def value(self, m: float) -> float:
        prior = self.prior_total / self.items
        return (m * prior + self.weighted) / (m + self.weight)


@dataclass
class _Subject:
    """What one listing's or provider's score is built from."""

    overall: _Sums = field(default_factory=_Sums)
    dimensions: dict[str, _Sums] = field(default_factory=lambda: defaultdict(_Sums))

    def add(self, *, weight: float, overall: int, dimensions: dict, prior: Prior) -> None:
        self.overall.add(weight, overall, prior.overall)
        for code, rating in (dimensions or {}).items():
            if code in LABELS:
                self.dimensions[code].add(weight, rating, prior.of(code))

    @property
    def count(self) -> int:
        return self.overall.items

    def result(self) -> tuple[float, dict[str, float]]:
        m = settings.RATINGS_PRIOR_WEIGHT
        dims = {code: sums.value(m) for code, sums in self.dimensions.items()}
        return self.overall.value(m), {code: dims[code] for code in LABELS if code in dims}


# --- Writing ---------------------------------------------------------------------------------


def _write_listing(listing_id: int, provider_id, subject: _Subject | None, now) -> None:
    if subject is None:
        # No published review (any more): no score, and no stale breakdown left behind.
        Listing.objects.filter(pk=listing_id).update(quality_score=None, review_count=0)
        QualityScore.objects.filter(listing_id=listing_id).delete()
        return
    score, dims = subject.result()
    Listing.objects.filter(pk=listing_id).update(quality_score=score, review_count=subject.count)
    values = {"score": score, "review_count": subject.count, "dimensions": dims, "computed_at": now}
    # Update, else insert: the caller holds the provider's lock, so no one inserts meanwhile.
    if not QualityScore.objects.filter(listing_id=listing_id).update(**values):
        QualityScore.objects.create(
            subject=QualityScore.Subject.LISTING,
            listing_id=listing_id,
            provider_id=provider_id,
            **values,
        )


def _write_provider(provider_id, subject: _Subject | None, now) -> None:
    if subject is None:
        Provider.objects.filter(pk=provider_id).update(quality_score=None, review_count=0)
        QualityScore.objects.filter(
            subject=QualityScore.Subject.PROVIDER, provider_id=provider_id
        ).delete()
        return
    score, dims = subject.result()
    Provider.objects.filter(pk=provider_id).update(quality_score=score, review_count=subject.count)
    values = {"score": score, "review_count": subject.count, "dimensions": dims, "computed_at": now}
    row = QualityScore.objects.filter(
        subject=QualityScore.Subject.PROVIDER, provider_id=provider_id
    )
    if not row.update(**values):
        QualityScore.objects.create(
            subject=QualityScore.Subject.PROVIDER, provider_id=provider_id, **values
        )


def _refresh(
    *, provider_id, listing_ids: set[int] | None, priors: dict[str, Prior] | None, now
) -> None:
    """Recompute one provider and some (None: all) of its listings, inside a transaction.

    The provider row is locked first (the order providers' own services use, provider before
    listings): concurrent refreshes of one provider then run one after the other, and the last
    one reads every review committed before it, so no stale score survives.
    """
    list(Provider.objects.select_for_update().filter(pk=provider_id).values_list("pk"))
    rows = list(
        Review.objects.filter(provider_id=provider_id, status=PUBLISHED).values_list(
            "listing_id", "domain", "overall", "dimensions", "created_at"
        )
    )
    if priors is None:
        priors = domain_priors(domains={row[1] for row in rows})
    provider = _Subject() if rows else None
    listings: dict[int, _Subject] = defaultdict(_Subject)
    for listing_id, domain, overall, dimensions, created_at in rows:
        values = {
            "weight": decay_weight(created_at, now),
            "overall": overall,
            "dimensions": dimensions,
            "prior": priors.get(domain, Prior()),
        }
        provider.add(**values)
        if listing_ids is None or listing_id in listing_ids:
            listings[listing_id].add(**values)

    if listing_ids is None:
        # Every listing with reviews, and every listing that still shows an old score.
        stale = Listing.objects.filter(provider_id=provider_id).filter(
            Q(review_count__gt=0) | Q(quality_score__isnull=False)
        )
        listing_ids = set(listings) | set(stale.values_list("pk", flat=True))
        QualityScore.objects.filter(
            subject=QualityScore.Subject.LISTING, provider_id=provider_id
        ).exclude(listing_id__in=listing_ids).delete()
    for listing_id in sorted(listing_ids):
        _write_listing(listing_id, provider_id, listings.get(listing_id), now)
    _write_provider(provider_id, provider, now)


# --- Entry points ----------------------------------------------------------------------------


def scores_refresh(*, listing_id: int, provider_id, now: dt.datetime | None = None) -> None:
    """Recompute one listing's and its provider's scores (after a review of theirs was
    published, hidden or restored). Runs in the caller's transaction when there is one."""
    now = now or timezone.now()
    with transaction.atomic():
        _refresh(provider_id=provider_id, listing_ids={listing_id}, priors=None, now=now)


def scores_recompute_all(*, now: dt.datetime | None = None) -> dict:
    """Recompute every score against the current domain priors and today's decay; one short
    transaction per provider, so a killed run leaves each provider either old or new."""
    now = now or timezone.now()
    priors = domain_priors()
    provider_ids = (
        set(Review.objects.filter(status=PUBLISHED).values_list("provider_id", flat=True))
        | set(
            Provider.objects.filter(
                Q(review_count__gt=0) | Q(quality_score__isnull=False)
            ).values_list("pk", flat=True)
        )
        | set(
            Listing.objects.filter(
                Q(review_count__gt=0) | Q(quality_score__isnull=False)
            ).values_list("provider_id", flat=True)
        )
    )
    for provider_id in sorted(provider_ids, key=str):
        with transaction.atomic():
            _refresh(provider_id=provider_id, listing_ids=None, priors=priors, now=now)
    return {"providers": len(provider_ids), "domains": len(priors)}
