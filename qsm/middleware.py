"""SEC-2: what a signed-in user is shown is never kept by a shared cache or the browser's disk."""
from __future__ import annotations

from django.utils.cache import patch_cache_control


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` on every response to a signed-in user (pages, exports,
    API answers, token or session). Static files are answered by whitenoise before this runs; the
    login page and other anonymous pages keep their own caching; customer link pages say
    ``never_cache`` themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # DRF puts the user it authenticated (a token) on this request too.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
