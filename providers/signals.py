"""Signals other apps listen to (providers imports none of them)."""

from django.dispatch import Signal

# Sent after a provider's licences, review status or standing changed: `provider` is the
# Provider. services refreshes its listings' visibility (the `is_public` flag search uses), so
# whoever changes `status` or `standing` (the ratings app too) must send it.
provider_compliance_changed = Signal()

# Sent after an organisation's name or a branch's address changed: services re-indexes the
# text its listings are found by.
provider_text_changed = Signal()
