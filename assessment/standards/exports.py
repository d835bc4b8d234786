"""The standard export (SEARCH-1, PERF-1), declared once for the page, the API and the export job."""
from django.utils.translation import gettext_lazy

from qsm.exports import ExportSpec, register_export

from .filters import StandardFilter
from .selectors import standard_export_columns, standard_list


def register() -> None:
    register_export(ExportSpec(
        name="assessment.standards", filterset_class=StandardFilter, queryset=standard_list,
        columns=standard_export_columns, filename="standards", title=gettext_lazy("Service standards")))
