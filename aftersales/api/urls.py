from rest_framework.routers import SimpleRouter

from . import questionnaires, views, visit_urls

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="api-case")
router.register("questionnaires", questionnaires.QuestionnaireViewSet, basename="api-questionnaire")

# /api/aftersales/cases/ and /questionnaires/ (the router) and /api/aftersales/visits/ (visit_urls).
urlpatterns = [*router.urls, *visit_urls.urlpatterns]
