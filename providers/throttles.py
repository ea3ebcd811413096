"""Rate limits of the public verification page and API (per client address)."""

from rest_framework.throttling import SimpleRateThrottle

from portal.netutils import client_ip


class VerifyThrottle(SimpleRateThrottle):
    scope = "verify"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}
