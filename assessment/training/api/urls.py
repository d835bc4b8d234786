"""/api/quality/: the training part of the API (its own router.register lines)."""
from __future__ import annotations

from rest_framework.routers import SimpleRouter

from .views import TrainingPersonViewSet, TrainingPlanViewSet, TrainingSessionViewSet

router = SimpleRouter()
# QC-5: /api/quality/training/plans/, /training/sessions/, /training/people/{id}/.
router.register("training/plans", TrainingPlanViewSet, basename="api-training-plan")
router.register("training/sessions", TrainingSessionViewSet, basename="api-training-session")
router.register("training/people", TrainingPersonViewSet, basename="api-training-person")

urlpatterns = [*router.urls]
