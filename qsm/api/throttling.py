"""SEC-2: API throttling per user and per address; rates in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].

The address is the one the lockout uses (``qsm.org.accounts.client_ip``): X-Forwarded-For is read
only behind QSM_TRUSTED_PROXY_COUNT trusted proxies, so a client cannot pick a fresh address per
request, and a whole office behind one proxy is not one address once the proxy is trusted."""
from __future__ import annotations

from rest_framework import throttling

from qsm.org.accounts import client_ip


class AddressRateThrottle(throttling.AnonRateThrottle):
    """Requests without credentials, counted per client address ("anon" rate)."""

    def get_ident(self, request):
        return client_ip(request)


class UserRateThrottle(throttling.UserRateThrottle):
    """Requests of a signed-in user (token or session), counted per user ("user" rate)."""

    def get_ident(self, request):
        return client_ip(request)


class TokenObtainThrottle(throttling.SimpleRateThrottle):
    """Password exchanges for a token, per address ("token" rate): guessing is slow before the lockout."""

    scope = "token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}
