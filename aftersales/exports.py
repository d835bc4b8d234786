"""The after-sales exports (SEARCH-1, PERF-1), declared once for the pages, the API and the export job."""
from django.utils.translation import gettext_lazy

from qsm.exports import ExportSpec, register_export

from .filters import CaseFilter
from .selectors import case_export_columns, case_export_rows, case_list


def register() -> None:
    register_export(ExportSpec(
        name="aftersales.cases", filterset_class=CaseFilter, queryset=case_list, columns=case_export_columns,
        rows=case_export_rows, filename="aftersales-cases", title=gettext_lazy("After-sales cases")))
