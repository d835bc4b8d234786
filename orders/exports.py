"""The order, delivery and installation exports (SEARCH-1, PERF-1), declared once for the pages,
the API and the export job."""
from django.utils.translation import gettext_lazy

from qsm.exports import ExportSpec, register_export

from .filters import DeliveryFilter, InstallationFilter, OrderFilter
from .selectors import (
    delivery_export_columns,
    delivery_list,
    installation_export_columns,
    installation_list,
    order_export_columns,
    order_export_rows,
    order_list,
)


def register() -> None:
    register_export(ExportSpec(
        name="orders.orders", filterset_class=OrderFilter, queryset=order_list, columns=order_export_columns,
        rows=order_export_rows, filename="orders", title=gettext_lazy("Orders")))
    register_export(ExportSpec(
        name="orders.deliveries", filterset_class=DeliveryFilter, queryset=delivery_list,
        columns=delivery_export_columns, filename="deliveries", title=gettext_lazy("Deliveries")))
    register_export(ExportSpec(
        name="orders.installations", filterset_class=InstallationFilter, queryset=installation_list,
        columns=installation_export_columns, filename="installations", title=gettext_lazy("Installations")))
