"""Shipments and their receipt (ORD-2)."""
from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from qsm.views import add_validation_errors

from .. import services
from ..forms import (
    DeliveryConfirmForm,
    DeliveryRejectForm,
    ShipForm,
)
from ..models import Delivery
from ..selectors import (
    committed_by_line,
)
from .record import OrderPostView

# --- ORD-2 production, delivery, progress ---------------------------------------------------------


class DeliveryShipView(OrderPostView):
    form_key, anchor = "ship_form", "deliveries"

    def get_form(self, order):
        committed = committed_by_line(order.deliveries.all())
        lines = [line for line in order.lines.all() if line.quantity - committed.get(line.pk, 0) > 0]
        return ShipForm(self.request.POST, lines=lines)

    def handle_error(self, exc, form):
        add_validation_errors(self.request, exc, form, field_map=form.field_map())

    def perform(self, *, order, form, data):
        return services.delivery_ship(order=order, actor=self.request.user, quantities=form.quantities(),
                                      carrier=data["carrier"], shipped_at=data["shipped_at"])

    def success_message(self, order, result):
        return _("Delivery %(number)s was recorded as shipped.") % {"number": result.number}


class _DeliveryView(OrderPostView):
    anchor = "deliveries"

    def delivery(self, order) -> Delivery:
        found = next((d for d in order.deliveries.all() if d.pk == self.kwargs.get("delivery_pk")), None)
        if found is None:
            raise Http404(_("No such delivery."))
        return found

    def error_forms(self, form):
        return {self.form_key: form, "failed_action": self.action_name, "failed_pk": self.kwargs.get("delivery_pk")}


class DeliveryConfirmView(_DeliveryView):
    form_class, form_key, action_name = DeliveryConfirmForm, "confirm_form", "confirm"

    def perform(self, *, order, form, data):
        return services.delivery_confirm(delivery=self.delivery(order), actor=self.request.user,
                                         quality_note=data["quality_note"])

    def success_message(self, order, result):
        return _("Delivery %(number)s was received and passed the quality check.") % {"number": result.number}


class DeliveryRejectView(_DeliveryView):
    form_class, form_key, action_name = DeliveryRejectForm, "reject_form", "reject"

    def perform(self, *, order, form, data):
        return services.delivery_reject(delivery=self.delivery(order), actor=self.request.user,
                                        comment=data["comment"])

    def success_message(self, order, result):
        return _("Delivery %(number)s was rejected at receipt.") % {"number": result.number}
