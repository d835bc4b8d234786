from django.urls import path

from . import views

app_name = "presales"

# /presales/ is the inquiry list and /presales/<id>/ an inquiry (the old /presales/inquiries/...
# redirects permanently: qsm.web.legacy_urls).
urlpatterns = [
    path("", views.InquiryListView.as_view(), name="inquiry-list"),
    path("export/", views.InquiryExportView.as_view(), name="inquiry-export"),
    path("new/", views.InquiryCreateView.as_view(), name="inquiry-create"),
    path("<int:pk>/", views.InquiryDetailView.as_view(), name="inquiry-detail"),
    path("<int:pk>/fire/", views.InquiryTransitionView.as_view(), name="inquiry-fire"),
    path("<int:pk>/analyse/", views.InquiryAnalyseView.as_view(), name="inquiry-analyse"),
    path("<int:pk>/complex/", views.InquiryMarkComplexView.as_view(), name="inquiry-complex"),
    path("<int:pk>/notes/", views.DiscussionNoteAddView.as_view(), name="discussion-note-add"),
    path("<int:pk>/solutions/", views.SolutionAddView.as_view(), name="solution-add"),
    path("<int:pk>/solutions/<int:solution_pk>/sent/", views.SolutionSentView.as_view(),
         name="solution-sent"),
    path("<int:pk>/communications/", views.CommunicationAddView.as_view(), name="communication-add"),
    path("<int:pk>/attachments/", views.InquiryAttachView.as_view(), name="inquiry-attach"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.InquiryAttachmentDownloadView.as_view(),
         name="inquiry-attachment"),
]
