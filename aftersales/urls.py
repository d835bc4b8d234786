from django.urls import path

from . import views, visit_urls
from .views import plans as plan_views
from .views import questionnaires as questionnaire_views

app_name = "aftersales"

# /aftersales/ is the case list and /aftersales/<id>/ a case.


def _case(suffix: str, view, name: str):
    return path(f"<int:pk>/{suffix}", view.as_view(), name=name)


urlpatterns = [
    path("", views.CaseListView.as_view(), name="case-list"),
    path("export/", views.CaseExportView.as_view(), name="case-export"),
    path("new/", views.CaseCreateView.as_view(), name="case-create"),
    path("orders/lookup/", views.OrderLookupView.as_view(), name="order-lookup"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
    _case("fire/", views.CaseTransitionView, "case-fire"),
    _case("diagnosis/", views.CaseDiagnoseView, "case-diagnose"),
    _case("reroute/", views.CaseRerouteView, "case-reroute"),
    _case("contacts/", views.CaseContactAddView, "case-contact-add"),
    _case("attachments/", views.CaseAttachView, "case-attach"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.CaseAttachmentDownloadView.as_view(),
         name="case-attachment"),
    # VIS-1: the questionnaires, for the quality department
    path("questionnaires/", questionnaire_views.QuestionnaireListView.as_view(), name="questionnaire-list"),
    path("questionnaires/<int:pk>/versions/<int:version>/", questionnaire_views.QuestionnaireVersionView.as_view(),
         name="questionnaire-version"),
    path("questionnaires/<int:pk>/versions/<int:version>/publish/",
         questionnaire_views.QuestionnaireVersionPublishView.as_view(), name="questionnaire-publish"),
    path("questionnaires/<int:pk>/versions/<int:version>/draft/", questionnaire_views.QuestionnaireDraftView.as_view(),
         name="questionnaire-draft"),
    *visit_urls.urlpatterns,  # /aftersales/visits/...
]
# AFS-2: the special-solution section of a complex case (aftersales/views/plans.py).
urlpatterns += plan_views.urlpatterns
