"""SEARCH-1 for the measures of the complaints' handling plans (CMP-3): the list (filters, search,
keyset pages due first, cards at phone width) and its CSV / Excel export with the same filters and
scope (another department's complaint's measures are not in it)."""
from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from qsm.views import keyset_paginate
from qsm.web.views import RecordExportView, RecordListView, list_context

from ..measure_filters import LIST_STATUS_CHOICES, MeasureFilter
from ..models import Measure
from ..selectors.work import measure_list


class MeasureListView(RecordListView):
    template_name = "complaints/measure_list.html"
    filterset_class = MeasureFilter
    keys, rows_name, status_choices = ("due_date", "id"), "measures", LIST_STATUS_CHOICES

    def get_queryset(self):
        return measure_list(user=self.request.user)

    def decorate(self, rows) -> None:
        today = timezone.localdate()
        for m in rows:
            m.overdue = m.status == Measure.Status.OPEN and m.due_date < today

    def get(self, request):
        # Due first (ascending): the measures closest to their deadline lead the list.
        filterset = self.filtered()
        page = keyset_paginate(filterset.qs, request, keys=self.keys, descending=False)
        self.decorate(page.rows)
        return render(request, self.template_name, list_context(
            request, filterset, page, **{self.rows_name: page.rows}, status_choices=self.status_choices))


class MeasureExportView(RecordExportView):
    export_name = "complaints.measures"  # complaints.measure_exports


urlpatterns = [
    path("measures/", MeasureListView.as_view(), name="measure-list"),
    path("measures/export/", MeasureExportView.as_view(), name="measure-export"),
]
