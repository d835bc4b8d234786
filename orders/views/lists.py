"""Order, delivery and installation lists and their exports (SEARCH-1)."""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy

from qsm.web.views import RecordExportView, RecordListView

from ..filters import DeliveryFilter, InstallationFilter, OrderFilter
from ..models import Delivery, Installation, Order
from ..rules import can_create_order
from ..selectors import (
    delivery_list,
    installation_list,
    order_export_columns,
    order_export_rows,
    order_list,
)

# --- lists and exports (SEARCH-1) -----------------------------------------------------------------


class _ListView(RecordListView):
    def get_context_data(self, **extra):
        return {"can_add_order": can_create_order(self.request.user), "tab": self.tab, **extra}


class _OrdersFiltered:
    filterset_class = OrderFilter

    def get_queryset(self):
        return order_list(user=self.request.user)


class OrderListView(_OrdersFiltered, _ListView):
    """Orders: filter, keyset pages (no COUNT, no OFFSET), late ones in red, export with the same filters."""

    template_name, tab = "orders/order_list.html", "orders"
    keys, rows_name, status_choices = ("created_at", "id"), "orders", Order.Status.choices

    def decorate(self, rows):
        today = timezone.localdate()
        for o in rows:
            o.late = o.is_late(today)
            o.at_risk = o.is_at_risk


class OrderExportView(_OrdersFiltered, RecordExportView):
    filename, title = "orders", gettext_lazy("Orders")

    def columns(self):
        return order_export_columns()

    def export_queryset(self, qs):
        return order_export_rows(qs)


class _DeliveriesFiltered:
    filterset_class = DeliveryFilter

    def get_queryset(self):
        return delivery_list(user=self.request.user)


def _delivery_columns() -> list:
    return [
        (gettext_lazy("Order"), lambda d: d.order.number),
        (gettext_lazy("Delivery"), lambda d: d.number),
        (gettext_lazy("Customer"), lambda d: d.order.customer.name),
        (gettext_lazy("Shipped at"), lambda d: d.shipped_at),
        (gettext_lazy("Carrier / tracking"), lambda d: d.carrier),
        (gettext_lazy("Status"), lambda d: d.get_status_display()),
        (gettext_lazy("Delivered at"), lambda d: d.delivered_at),
        (gettext_lazy("Quality check"), lambda d: d.quality_note),
        (gettext_lazy("Department"), lambda d: d.order.department.name),
    ]


class DeliveryListView(_DeliveriesFiltered, _ListView):
    template_name, tab = "orders/delivery_list.html", "deliveries"
    keys, rows_name, status_choices = ("shipped_at", "id"), "deliveries", Delivery.Status.choices


class DeliveryExportView(_DeliveriesFiltered, RecordExportView):
    filename, title = "deliveries", gettext_lazy("Deliveries")

    def columns(self):
        return _delivery_columns()


class _InstallationsFiltered:
    filterset_class = InstallationFilter

    def get_queryset(self):
        return installation_list(user=self.request.user)


def _installation_columns() -> list:
    return [
        (gettext_lazy("Order"), lambda i: i.order.number),
        (gettext_lazy("Customer"), lambda i: i.order.customer.name),
        (gettext_lazy("Scheduled date"), lambda i: i.scheduled_for.isoformat()),
        (gettext_lazy("Status"), lambda i: i.get_status_display()),
        (gettext_lazy("Site address"), lambda i: i.order.site_address),
        (gettext_lazy("Commissioned at"), lambda i: i.commissioned_at),
        (gettext_lazy("Accepted at"), lambda i: i.accepted_at),
        (gettext_lazy("Department"), lambda i: i.order.department.name),
    ]


class InstallationListView(_InstallationsFiltered, _ListView):
    template_name, tab = "orders/installation_list.html", "installations"
    keys, rows_name, status_choices = ("scheduled_for", "id"), "installations", Installation.Status.choices

    def page_queryset(self, qs):
        return qs.prefetch_related("engineers")


class InstallationExportView(_InstallationsFiltered, RecordExportView):
    filename, title = "installations", gettext_lazy("Installations")

    def columns(self):
        return _installation_columns()
