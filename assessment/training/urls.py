"""The pages of training under /quality/ (names in the ``assessment`` namespace)."""
from __future__ import annotations

from django.urls import path

from . import views

urlpatterns: list = [
    path("training/plans/", views.PlanListView.as_view(), name="training-plan-list"),
    path("training/plans/export/", views.PlanExportView.as_view(), name="training-plan-export"),
    path("training/plans/new/", views.PlanCreateView.as_view(), name="training-plan-create"),
    path("training/plans/<int:pk>/", views.PlanDetailView.as_view(), name="training-plan-detail"),
    path("training/plans/<int:pk>/edit/", views.PlanEditView.as_view(), name="training-plan-edit"),
    path("training/plans/<int:pk>/fire/", views.PlanTransitionView.as_view(), name="training-plan-fire"),
    path("training/plans/<int:pk>/sessions/new/", views.SessionCreateView.as_view(), name="training-session-create"),
    path("training/sessions/", views.SessionListView.as_view(), name="training-session-list"),
    path("training/sessions/export/", views.SessionExportView.as_view(), name="training-session-export"),
    path("training/sessions/<int:pk>/", views.SessionDetailView.as_view(), name="training-session-detail"),
    path("training/sessions/<int:pk>/edit/", views.SessionEditView.as_view(), name="training-session-edit"),
    path("training/sessions/<int:pk>/fire/", views.SessionTransitionView.as_view(), name="training-session-fire"),
    path("training/sessions/<int:pk>/attendees/", views.AttendeesAddView.as_view(), name="training-session-attendees"),
    path("training/sessions/<int:pk>/attendance/", views.AttendanceView.as_view(), name="training-session-attendance"),
    path("training/sessions/<int:pk>/import/", views.ScoreImportView.as_view(), name="training-session-import"),
    path("training/sessions/<int:pk>/sign-in-sheet.xlsx", views.SignInSheetView.as_view(),
         name="training-session-sign-in-sheet"),
    path("training/people/me/", views.MyTrainingView.as_view(), name="training-me"),
    path("training/people/<int:pk>/", views.PersonRecordView.as_view(), name="training-person"),
]
