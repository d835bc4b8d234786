"""/api/quality/: the inspections part of the API (its own router.register lines)."""
from __future__ import annotations

from rest_framework.routers import SimpleRouter

from . import views
from .spot_checks import SpotCheckViewSet

router = SimpleRouter()
# QC-2 (h3): checklists, inspection plans, inspections (their actions), findings (judged, with evidence).
router.register("checklists", views.ChecklistViewSet, basename="api-qc-checklist")
router.register("inspection-plans", views.InspectionPlanViewSet, basename="api-qc-inspection-plan")
router.register("inspections", views.InspectionViewSet, basename="api-qc-inspection")
router.register("findings", views.FindingViewSet, basename="api-finding")  # attachments: api-<model>-attachment-download
router.register("spot-checks", SpotCheckViewSet, basename="spot-check")  # QC-2 random spot checks (h4)

urlpatterns = [*router.urls]
