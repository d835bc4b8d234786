"""The benchmark's reference view: a signed-in request that does nothing else (PERF-1)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def bare(request):
    """Middleware, session and user, then "ok": what every page costs before its own work."""
    return HttpResponse("ok", content_type="text/plain")
