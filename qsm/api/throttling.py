"""SEC-2: API throttling per address and per user; rates in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
(QSM_API_THROTTLE_* in the environment). The counters live in the default cache (CACHE_URL).

The address is the one the lockout uses (``qsm.org.accounts.client_ip``): X-Forwarded-For is read
only behind QSM_TRUSTED_PROXY_COUNT trusted proxies, so a client cannot pick a fresh address per
request, and an office behind the load balancer is not one address once the proxy is trusted."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework import throttling

from qsm.org.accounts import client_ip


class _QsmThrottle(throttling.SimpleRateThrottle):
    def get_rate(self):
        # Read when the throttle is made (DRF binds its rates once, at import): a changed setting counts.
        rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
        if self.scope not in rates:
            raise ImproperlyConfigured(f"No throttle rate set for scope {self.scope!r}")
        return rates[self.scope]

    def get_ident(self, request):
        return client_ip(request)


class AddressRateThrottle(_QsmThrottle):
    """Every request, counted per client address ("address" rate): many tokens on one address do not
    multiply its allowance."""

    scope = "address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UserRateThrottle(_QsmThrottle):
    """Requests of a signed-in user (token or session), counted per user ("user" rate)."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None  # the address throttle counts the others
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class TokenObtainThrottle(AddressRateThrottle):
    """Password exchanges for a token, per address ("token" rate): guessing is slow before the lockout."""

    scope = "token"
