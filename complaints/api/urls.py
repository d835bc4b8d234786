"""/api/complaints/: the API of the module. Each part adds its own ``router.register(...)`` line
below for its viewsets (``complaints`` — ComplaintViewSet, h2; the plan and measure actions, h3;
confirmation and the case report, h4) and, for plain views, its url module to ``urlpatterns``."""
from __future__ import annotations

from rest_framework.routers import SimpleRouter

from . import complaints, measures, plans
from .confirmation import ComplaintConfirmationViewSet, PreventiveMeasureViewSet

router = SimpleRouter()
# CMP-1 / SEARCH-1: /api/complaints/complaints/ (list, intake, the complaint's own actions).
router.register("complaints", complaints.ComplaintViewSet, basename="api-complaint")
# CMP-2 / CMP-3 (h3): /complaints/{id}/investigation|similar|involve|plans/…|progress-reports/, /measures/.
router.register("complaints", plans.ComplaintPlanViewSet, basename="api-complaint-plans")
router.register("measures", measures.MeasureViewSet, basename="api-complaint-measure")
# CMP-4/CMP-5 (h4): /api/complaints/preventive-measures/, and the confirmation and case-report
# actions on /api/complaints/complaints/{id}/… (no list or detail of their own).
router.register("preventive-measures", PreventiveMeasureViewSet, basename="complaint-preventive")
router.register("complaints", ComplaintConfirmationViewSet, basename="complaint-confirmation")

urlpatterns = [*router.urls]
