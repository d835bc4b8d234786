"""The follow-up visit pages, mounted by aftersales/urls.py under /aftersales/."""
from django.urls import path

from .views import visits

urlpatterns = [
    path("visits/", visits.VisitListView.as_view(), name="visit-list"),
    path("visits/export/", visits.VisitExportView.as_view(), name="visit-export"),
    path("visits/<int:pk>/", visits.VisitDetailView.as_view(), name="visit-detail"),
    path("visits/<int:pk>/record/", visits.VisitRecordView.as_view(), name="visit-record"),
    path("visits/<int:pk>/attempts/", visits.VisitAttemptView.as_view(), name="visit-attempt"),
    path("visits/<int:pk>/link/", visits.VisitSendLinkView.as_view(), name="visit-send-link"),
    path("visits/<int:pk>/fire/", visits.VisitTransitionView.as_view(), name="visit-fire"),
    path("visits/<int:pk>/recheck-request/", visits.VisitRecheckRequestView.as_view(), name="visit-recheck-request"),
    path("visits/<int:pk>/recheck/", visits.VisitRecheckView.as_view(), name="visit-recheck"),
    path("visits/<int:pk>/open-case/", visits.VisitOpenCaseView.as_view(), name="visit-open-case"),
]
