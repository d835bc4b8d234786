"""The inquiry export (SEARCH-1, PERF-1), declared once for the page, the API and the export job."""
from django.utils.translation import gettext_lazy

from qsm.exports import ExportSpec, register_export

from .filters import InquiryFilter
from .selectors import inquiry_export_columns, inquiry_export_rows, inquiry_list


def register() -> None:
    register_export(ExportSpec(
        name="presales.inquiries", filterset_class=InquiryFilter, queryset=inquiry_list,
        columns=inquiry_export_columns, rows=inquiry_export_rows, filename="inquiries", title=gettext_lazy("Inquiries")))
