"""/api/complaints/: the API of the module. Each part adds its own ``router.register(...)`` line
below for its viewsets (``complaints`` — ComplaintViewSet, h2; the plan and measure actions, h3;
confirmation and the case report, h4) and, for plain views, its url module to ``urlpatterns``."""
from __future__ import annotations

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
# CMP-2 / CMP-3 (h3): /complaints/{id}/investigation|similar|involve|plans/…|progress-reports/, /measures/.
from . import measures as _measures  # noqa: E402
from . import plans as _plans  # noqa: E402

router.register("complaints", _plans.ComplaintPlanViewSet, basename="api-complaint-plans")
router.register("measures", _measures.MeasureViewSet, basename="api-complaint-measure")

urlpatterns = [*router.urls]
