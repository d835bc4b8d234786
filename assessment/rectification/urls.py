"""The pages of rectification under /quality/ (names in the ``assessment`` namespace)."""
from __future__ import annotations

from django.urls import path

from . import views


def _notice(suffix: str, view, name: str):
    return path(f"notices/<int:pk>/{suffix}", view.as_view(), name=name)


urlpatterns = [
    path("notices/", views.NoticeListView.as_view(), name="notice-list"),
    path("notices/export/", views.NoticeExportView.as_view(), name="notice-export"),
    path("notices/new/", views.NoticeCreateView.as_view(), name="notice-create"),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice-detail"),
    _notice("fire/", views.NoticeTransitionView, "notice-fire"),
    _notice("attachments/", views.NoticeAttachView, "notice-attach"),
    path("notices/<int:pk>/attachments/<int:attachment_pk>/", views.NoticeAttachmentDownloadView.as_view(),
         name="notice-attachment"),
    _notice("plans/", views.PlanProposeView, "notice-plan-create"),
    _notice("plans/<int:plan_pk>/", views.PlanEditView, "notice-plan-edit"),
    _notice("plans/<int:plan_pk>/fire/", views.PlanActionView, "notice-plan-fire"),
    path("rectification-plans/<int:pk>/", views.PlanDetailView.as_view(), name="rectification-plan-detail"),
]
