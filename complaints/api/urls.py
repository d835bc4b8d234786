"""/api/complaints/: the API of the module. Each part adds its own ``router.register(...)`` line
below for its viewsets (``complaints`` — ComplaintViewSet, h2; the plan and measure actions, h3;
confirmation and the case report, h4) and, for plain views, its url module to ``urlpatterns``."""
from __future__ import annotations

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = [*router.urls]
