"""The pages of standards under /quality/ (names in the ``assessment`` namespace)."""
from __future__ import annotations

from django.urls import path

from . import views

urlpatterns: list = [
    path("standards/", views.StandardListView.as_view(), name="standard-list"),
    path("standards/export/", views.StandardExportView.as_view(), name="standard-export"),
    path("standards/new/", views.StandardCreateView.as_view(), name="standard-create"),
    path("standards/<int:pk>/", views.StandardDetailView.as_view(), name="standard-detail"),
    path("standards/<int:pk>/edit/", views.StandardEditView.as_view(), name="standard-edit"),
    path("standards/<int:pk>/revise/", views.StandardReviseView.as_view(), name="standard-revise"),
    path("standard-versions/<int:pk>/", views.VersionDetailView.as_view(), name="standard-version-detail"),
    path("standard-versions/<int:pk>/edit/", views.VersionEditView.as_view(), name="standard-version-edit"),
    path("standard-versions/<int:pk>/fire/", views.VersionTransitionView.as_view(), name="standard-version-fire"),
    path("standard-versions/<int:pk>/pdf/", views.VersionPdfView.as_view(), name="standard-version-pdf"),
]
