"""The complaint export (SEARCH-1, PERF-1), declared once for the page, the API and the export job."""
from django.utils.translation import gettext_lazy

from qsm.exports import ExportSpec, register_export

from .filters import ComplaintFilter
from .selectors.complaints import complaint_export_columns, complaint_export_rows, complaint_list


def register() -> None:
    register_export(ExportSpec(
        name="complaints.complaints", filterset_class=ComplaintFilter, queryset=complaint_list,
        columns=complaint_export_columns, rows=complaint_export_rows, filename="complaints",
        title=gettext_lazy("Complaints")))
