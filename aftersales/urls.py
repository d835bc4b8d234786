from django.urls import path

from .views import questionnaires as questionnaire_views

app_name = "aftersales"

urlpatterns = [
    # VIS-1: questionnaires, for the quality department
    path("questionnaires/", questionnaire_views.QuestionnaireListView.as_view(), name="questionnaire-list"),
    path("questionnaires/<int:pk>/versions/<int:version>/", questionnaire_views.QuestionnaireVersionView.as_view(),
         name="questionnaire-version"),
    path("questionnaires/<int:pk>/versions/<int:version>/publish/",
         questionnaire_views.QuestionnaireVersionPublishView.as_view(), name="questionnaire-publish"),
    path("questionnaires/<int:pk>/versions/<int:version>/draft/", questionnaire_views.QuestionnaireDraftView.as_view(),
         name="questionnaire-draft"),
]
