from django.urls import path

from . import views

app_name = "presales"

urlpatterns = [
    path("inquiries/", views.InquiryListView.as_view(), name="inquiry-list"),
    path("inquiries/export/", views.InquiryExportView.as_view(), name="inquiry-export"),
    path("inquiries/new/", views.InquiryCreateView.as_view(), name="inquiry-create"),
    path("inquiries/<int:pk>/", views.InquiryDetailView.as_view(), name="inquiry-detail"),
    path("inquiries/<int:pk>/fire/", views.InquiryTransitionView.as_view(), name="inquiry-fire"),
    path("inquiries/<int:pk>/analyse/", views.InquiryAnalyseView.as_view(), name="inquiry-analyse"),
    path("inquiries/<int:pk>/complex/", views.InquiryMarkComplexView.as_view(), name="inquiry-complex"),
    path("inquiries/<int:pk>/notes/", views.DiscussionNoteAddView.as_view(), name="discussion-note-add"),
    path("inquiries/<int:pk>/solutions/", views.SolutionAddView.as_view(), name="solution-add"),
    path("inquiries/<int:pk>/solutions/<int:solution_pk>/sent/", views.SolutionSentView.as_view(),
         name="solution-sent"),
    path("inquiries/<int:pk>/communications/", views.CommunicationAddView.as_view(), name="communication-add"),
    path("inquiries/<int:pk>/attachments/", views.InquiryAttachView.as_view(), name="inquiry-attach"),
    path("inquiries/<int:pk>/attachments/<int:attachment_pk>/", views.InquiryAttachmentDownloadView.as_view(),
         name="inquiry-attachment"),
]
