"""Signals other apps listen to (providers imports none of them)."""

from django.dispatch import Signal

# Sent after a provider's licences or review status changed: `provider` is the Provider.
# services refreshes the visibility of the provider's listings.
provider_compliance_changed = Signal()
