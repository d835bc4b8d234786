"""The complaint's own pages (CMP-1, SEARCH-1): /complaints/ is the list, /complaints/<id>/ a complaint."""
from django.urls import path

from .views import intake, lists, record


def _complaint(suffix: str, view, name: str):
    return path(f"<int:pk>/{suffix}", view.as_view(), name=name)


urlpatterns = [
    path("", lists.ComplaintListView.as_view(), name="complaint-list"),
    path("export/", lists.ComplaintExportView.as_view(), name="complaint-export"),
    path("new/", intake.ComplaintCreateView.as_view(), name="complaint-create"),
    path("<int:pk>/", record.ComplaintDetailView.as_view(), name="complaint-detail"),
    _complaint("fire/", record.ComplaintTransitionView, "complaint-fire"),
    _complaint("investigators/", record.InvestigatorOptionsView, "complaint-investigators"),
    _complaint("contacts/", record.ComplaintContactAddView, "complaint-contact-add"),
    _complaint("attachments/", record.ComplaintAttachView, "complaint-attach"),
    path("<int:pk>/attachments/<int:attachment_pk>/", record.ComplaintAttachmentDownloadView.as_view(),
         name="complaint-attachment"),
]
