"""/api/quality/: the rectification part of the API (its own router.register lines)."""
from __future__ import annotations

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = [*router.urls]
