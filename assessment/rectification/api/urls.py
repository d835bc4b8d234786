"""/api/quality/: the rectification part of the API (its own router.register lines)."""
from __future__ import annotations

from rest_framework.routers import SimpleRouter

from .views import NoticeViewSet, RectificationPlanViewSet

router = SimpleRouter()
# QC-3: /api/quality/notices/ (list, issue, report/verify/reopen/cancel, plans, attachments, timeline, export).
# basename api-<model>: the attachments' download route (qsm.api.serializers.AttachmentSerializer) is named after it.
router.register("notices", NoticeViewSet, basename="api-notice")
# QC-3: /api/quality/rectification-plans/{id}/ (read, change the draft, submit/approve/reject/revise/withdraw).
router.register("rectification-plans", RectificationPlanViewSet, basename="api-qc-rectification-plan")

urlpatterns = [*router.urls]
