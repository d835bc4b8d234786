"""/api/complaints/: the API of the module. Each part adds its own ``router.register(...)`` line
below for its viewsets (``complaints`` — ComplaintViewSet, h2; the plan and measure actions, h3;
confirmation and the case report, h4) and, for plain views, its url module to ``urlpatterns``."""
from __future__ import annotations

from rest_framework.routers import SimpleRouter

from . import complaints

router = SimpleRouter()
# CMP-1 / SEARCH-1: /api/complaints/complaints/ (list, intake, the complaint's own actions).
router.register("complaints", complaints.ComplaintViewSet, basename="api-complaint")

urlpatterns = [*router.urls]
