"""The limit on wrong check-in codes, per volunteer and activity (page and API).

Only wrong codes count. Each attempt first takes one from the budget of the current period
with one atomic increment, so parallel guesses cannot all slip under the limit before any of
them is counted; an attempt that turns out not to be a wrong code (a check-in, check-out or
any other refusal) gives it back with `release`. The counts live in the cache (Redis): while
it is unreachable the limit is not enforced, like the API's other rate limits.
"""

from __future__ import annotations

import contextlib
import re

from rest_framework.throttling import SimpleRateThrottle

RATE = re.compile(r"^(\d+)/(\d*)([smhd])")
SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class CheckinCodeThrottle(SimpleRateThrottle):
    """REST_FRAMEWORK's "volunteer-checkin" rate, e.g. "10/10m": ten wrong codes per ten-minute
    period (fixed periods, so the wait is known for Retry-After)."""

    scope = "volunteer-checkin"

    def parse_rate(self, rate):
        if rate is None:
            return (None, None)
        match = RATE.match(rate)
        if match is None:
            raise ValueError(f"invalid rate {rate!r}: use e.g. 10/10m")
        number, multiple, unit = match.groups()
        return (int(number), int(multiple or 1) * SECONDS[unit])

    def _key(self, user_id, activity_id) -> str:
        period = int(self.timer()) // self.duration
        ident = f"{user_id}:{activity_id}:{period}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def take(self, *, user_id, activity_id) -> bool:
        """Take one attempt; False when the period's wrong codes are used up."""
        if self.rate is None:
            return True
        key = self._key(user_id, activity_id)
        self.cache.add(key, 0, self.duration + 60)
        try:
            used = self.cache.incr(key)
        except ValueError:  # expired in between, or the cache is unreachable
            return True
        return used <= self.num_requests

    def release(self, *, user_id, activity_id) -> None:
        """Give back the attempt taken: it was not a wrong code."""
        if self.rate is None:
            return
        with contextlib.suppress(ValueError):  # expired, or the cache is unreachable
            self.cache.decr(self._key(user_id, activity_id))

    def wait(self):
        """Seconds until the current period ends (Retry-After)."""
        now = self.timer()
        return self.duration - (now % self.duration)

    # DRF's interface, for the API: the activity is the URL's `pk`.
    def allow_request(self, request, view):
        return self.take(user_id=request.user.pk, activity_id=view.kwargs.get("pk"))
