"""Signal receivers of accounts."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from portal.accounts.services import user_set_elder_mode
from portal.context_processors import ELDER_MODE_COOKIE


@receiver(user_logged_in)
def carry_elder_mode_into_the_account(sender, request, user, **kwargs) -> None:
    """Someone who switched elder mode on before logging in keeps it, now on their account."""
    if request is not None and request.COOKIES.get(ELDER_MODE_COOKIE) == "1":
        user_set_elder_mode(user=user, enabled=True)
