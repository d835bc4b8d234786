"""CMP-4/CMP-5 page URLs (included by ``complaints/urls.py``)."""
from __future__ import annotations

from django.urls import path

from .views import confirmation, reports

urlpatterns = [
    path("<int:pk>/answer/", confirmation.ComplaintAnswerView.as_view(), name="answer"),
    path("<int:pk>/confirm-link/", confirmation.ComplaintConfirmLinkView.as_view(), name="confirm-link"),
    path("<int:pk>/confirm-link/issued/", confirmation.ComplaintIssuedLinkView.as_view(), name="confirm-link-issued"),
    path("<int:pk>/confirm-link/revoke/", confirmation.ComplaintConfirmLinkRevokeView.as_view(),
         name="confirm-link-revoke"),
    path("<int:pk>/report/", reports.CaseReportView.as_view(), name="case-report"),
    path("<int:pk>/report.pdf", reports.CaseReportPdfView.as_view(), name="case-report-pdf"),
    path("<int:pk>/preventive/", reports.PreventiveAddView.as_view(), name="preventive-add"),
    path("preventive/", reports.PreventiveListView.as_view(), name="preventive-list"),
    path("preventive/export/", reports.PreventiveExportView.as_view(), name="preventive-export"),
    path("preventive/<int:pk>/complete/", reports.PreventiveCompleteView.as_view(), name="preventive-complete"),
]
