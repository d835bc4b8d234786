"""Order, delivery and installation lists and their exports (SEARCH-1)."""
from __future__ import annotations

from django.utils import timezone

from qsm.web.views import RecordExportView, RecordListView

from ..filters import DeliveryFilter, InstallationFilter, OrderFilter
from ..models import Delivery, Installation, Order
from ..rules import can_create_order
from ..selectors import (
    delivery_list,
    installation_list,
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


class OrderExportView(RecordExportView):
    export_name = "orders.orders"  # orders.exports


class _DeliveriesFiltered:
    filterset_class = DeliveryFilter

    def get_queryset(self):
        return delivery_list(user=self.request.user)


class DeliveryListView(_DeliveriesFiltered, _ListView):
    template_name, tab = "orders/delivery_list.html", "deliveries"
    keys, rows_name, status_choices = ("shipped_at", "id"), "deliveries", Delivery.Status.choices


class DeliveryExportView(RecordExportView):
    export_name = "orders.deliveries"


class _InstallationsFiltered:
    filterset_class = InstallationFilter

    def get_queryset(self):
        return installation_list(user=self.request.user)


class InstallationListView(_InstallationsFiltered, _ListView):
    template_name, tab = "orders/installation_list.html", "installations"
    keys, rows_name, status_choices = ("scheduled_for", "id"), "installations", Installation.Status.choices

    def page_queryset(self, qs):
        return qs.prefetch_related("engineers")


class InstallationExportView(RecordExportView):
    export_name = "orders.installations"
