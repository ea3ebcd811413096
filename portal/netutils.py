"""The client's address, as throttling and the audit log must see it behind reverse proxies."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or with PROXY_COUNT proxies in front, the address the outermost trusted
    proxy saw. Entries a client wrote into X-Forwarded-For itself are never trusted."""
    if request is None:
        return None
    hops = settings.PROXY_COUNT
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None
