from rest_framework.routers import SimpleRouter

from . import questionnaires

router = SimpleRouter()
router.register("questionnaires", questionnaires.QuestionnaireViewSet, basename="api-questionnaire")

urlpatterns = router.urls
