"""Which listings may be shown: a listing whose domain's required licence is missing or
expired is hidden (with the reason the provider sees) until a valid licence is on file."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, Q
from django.dispatch import receiver
from django.utils import timezone

from providers.domains import REQUIRED_LICENCE
from providers.selectors import public_provider_q, valid_licence_exists
from providers.signals import provider_compliance_changed, provider_text_changed
from services.models import Listing

HIDDEN = Listing.HiddenReason.LICENCE_EXPIRED


def listings_refresh_visibility(*, today: dt.date | None = None, provider=None) -> dict:
    """Hide listings without a valid required licence, show again those that have one.

    Idempotent: set-based updates that leave already-correct rows alone.
    """
    today = today or timezone.localdate()
    hidden = shown = 0
    base = Listing.objects.all() if provider is None else Listing.objects.filter(provider=provider)
    for domain, kind in REQUIRED_LICENCE.items():
        has_licence = valid_licence_exists(
            provider_ref=OuterRef("provider"), kind=kind, today=today
        )
        of_domain = base.filter(category__domain=domain)
        hidden += (
            of_domain.filter(hidden_reason="").exclude(has_licence).update(hidden_reason=HIDDEN)
        )
        shown += of_domain.filter(hidden_reason=HIDDEN).filter(has_licence).update(hidden_reason="")
    # The flag public search filters on (partial indexes cover public rows only).
    public = Q(status=Listing.Status.PUBLISHED, hidden_reason="") & public_provider_q("provider__")
    base.filter(public, is_public=False).update(is_public=True)
    base.filter(is_public=True).exclude(public).update(is_public=False)
    return {"hidden": hidden, "shown": shown}


@receiver(provider_compliance_changed)
def _refresh_after_licence_change(sender, provider, **kwargs) -> None:
    listings_refresh_visibility(provider=provider)


@receiver(provider_text_changed)
def _reindex_after_text_change(sender, provider, **kwargs) -> None:
    from services.services.listings import listings_reindex

    listings_reindex(queryset=Listing.objects.filter(provider=provider))
