from rest_framework.routers import SimpleRouter

from . import plans, questionnaires, views, visit_urls

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="api-case")
# AFS-2: the special-solution actions of a case (/cases/{id}/discussion/, /cases/{id}/special-plan/ …),
# aftersales/api/plans.py.
router.register("cases", plans.CaseSpecialSolutionViewSet, basename="api-case-special")
router.register("questionnaires", questionnaires.QuestionnaireViewSet, basename="api-questionnaire")

# /api/aftersales/cases/ and /questionnaires/ (the router) and /api/aftersales/visits/ (visit_urls).
urlpatterns = [*router.urls, *visit_urls.urlpatterns]
