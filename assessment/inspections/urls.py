"""The pages of inspections under /quality/ (names in the ``assessment`` namespace): QC-2 checklists,
inspection plans, inspections (carried out on their page), findings."""
from __future__ import annotations

from django.urls import path

from . import views

urlpatterns: list = [
    path("checklists/", views.ChecklistListView.as_view(), name="checklist-list"),
    path("checklists/new/", views.ChecklistCreateView.as_view(), name="checklist-create"),
    path("checklists/<int:pk>/", views.ChecklistDetailView.as_view(), name="checklist-detail"),
    path("checklists/<int:pk>/edit/", views.ChecklistEditView.as_view(), name="checklist-edit"),
    path("checklists/<int:pk>/items/", views.ChecklistItemAddView.as_view(), name="checklist-item-add"),
    path("checklists/<int:pk>/items/<int:item_pk>/", views.ChecklistItemEditView.as_view(),
         name="checklist-item-edit"),
    path("inspection-plans/", views.PlanListView.as_view(), name="inspection-plan-list"),
    path("inspection-plans/new/", views.PlanCreateView.as_view(), name="inspection-plan-create"),
    path("inspection-plans/<int:pk>/", views.PlanDetailView.as_view(), name="inspection-plan-detail"),
    path("inspection-plans/<int:pk>/edit/", views.PlanEditView.as_view(), name="inspection-plan-edit"),
    path("inspections/", views.InspectionListView.as_view(), name="inspection-list"),
    path("inspections/export/", views.InspectionExportView.as_view(), name="inspection-export"),
    path("inspections/<int:pk>/", views.InspectionDetailView.as_view(), name="inspection-detail"),
    path("inspections/<int:pk>/act/", views.InspectionTransitionView.as_view(), name="inspection-act"),
    path("inspections/<int:pk>/findings/<int:finding_pk>/judge/", views.FindingJudgeView.as_view(),
         name="inspection-judge"),
    path("findings/", views.FindingListView.as_view(), name="finding-list"),
    path("findings/export/", views.FindingExportView.as_view(), name="finding-export"),
    path("findings/<int:pk>/", views.FindingDetailView.as_view(), name="finding-detail"),
    path("findings/<int:pk>/judge/", views.FindingPageJudgeView.as_view(), name="finding-judge"),
    path("findings/<int:pk>/attachments/<int:attachment_pk>/", views.FindingAttachmentDownloadView.as_view(),
         name="finding-attachment"),
]
