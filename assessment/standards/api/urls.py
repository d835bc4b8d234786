"""/api/quality/: the standards part of the API (its own router.register lines)."""
from __future__ import annotations

from rest_framework.routers import SimpleRouter

from .views import StandardVersionViewSet, StandardViewSet

router = SimpleRouter()
# QC-1: /api/quality/standards/ (list, create, card, revise, versions, export, timeline)
router.register("standards", StandardViewSet, basename="api-standard")
# QC-1: /api/quality/standard-versions/{id}/ (text, draft edits, submit/approve/return/withdraw)
router.register("standard-versions", StandardVersionViewSet, basename="api-standard-version")

urlpatterns = [*router.urls]
