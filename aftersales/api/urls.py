from rest_framework.routers import SimpleRouter

from . import plans, views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="api-case")
# AFS-2: the special-solution actions of a case (/cases/{id}/discussion/, /cases/{id}/special-plan/ …),
# aftersales/api/plans.py.
router.register("cases", plans.CaseSpecialSolutionViewSet, basename="api-case-special")

urlpatterns = router.urls
