"""Signals other apps listen to (providers imports none of them)."""

from django.dispatch import Signal

# Sent after a provider's licences or review status changed: `provider` is the Provider.
# services refreshes the visibility of the provider's listings.
provider_compliance_changed = Signal()

# Sent after an organisation's name or a branch's address changed: services re-indexes the
# text its listings are found by.
provider_text_changed = Signal()
