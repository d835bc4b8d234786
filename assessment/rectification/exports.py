"""The rectification-notice export (SEARCH-1, PERF-1), declared once for the page, the API and the export job."""
from __future__ import annotations

from django.utils.translation import gettext_lazy

from qsm.exports import Column, ExportSpec, register_export

from .filters import NoticeFilter
from .models import Notice
from .selectors import notice_export_rows, notice_list

EXPORT_NAME = "assessment.notices"


def notice_export_columns() -> list:
    return [
        Column(gettext_lazy("Number"), lambda n: n.number),
        Column(gettext_lazy("Title"), lambda n: n.title),
        Column(gettext_lazy("Responsible department"), lambda n: n.department.name),
        Column(gettext_lazy("Source"), lambda n: n.source, Notice.Source.choices),
        Column(gettext_lazy("Record"), lambda n: n.record_number),
        Column(gettext_lazy("Status"), lambda n: n.status, Notice.Status.choices),
        Column(gettext_lazy("Round"), lambda n: n.round),
        Column(gettext_lazy("Deadline"), lambda n: n.deadline),
        Column(gettext_lazy("Issued by"), lambda n: str(n.issued_by)),
        Column(gettext_lazy("Issued at"), lambda n: n.issued_at),
        Column(gettext_lazy("Completion reported at"), lambda n: n.completed_at),
        Column(gettext_lazy("Closed at"), lambda n: n.closed_at),
    ]


def register() -> None:
    register_export(ExportSpec(
        name=EXPORT_NAME, filterset_class=NoticeFilter, queryset=notice_list, columns=notice_export_columns,
        rows=notice_export_rows, filename="rectification-notices", title=gettext_lazy("Rectification notices")))
