"""The customer-facing summary of an order (qsm.summaries, VIS-1): what a follow-up survey page
shows the customer about "what was done". Number, products and quantities, delivery and
acceptance dates; never prices, internal notes or who worked on it."""
from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from qsm.summaries import CustomerSummary

from .models import Order


def _day(moment) -> str:
    return formats.date_format(timezone.localtime(moment).date(), "DATE_FORMAT") if moment else ""


def _quantity(value) -> str:
    return format(value.normalize(), "f") if value is not None else ""


def order_customer_summary(order: Order) -> CustomerSummary:
    lines = [(_("Order number"), order.number)]
    if order.customer_reference:
        lines.append((_("Your order reference"), order.customer_reference))
    products = [f"{line.product.name} × {_quantity(line.quantity)}"
                for line in order.lines.select_related("product").order_by("pk")]
    if products:
        lines.append((_("Products"), "; ".join(products)))
    if order.delivered_at:
        lines.append((_("Delivered on"), _day(order.delivered_at)))
    if order.accepted_at:
        lines.append((_("Accepted on"), _day(order.accepted_at)))
    return CustomerSummary(title=_("Your order %(number)s") % {"number": order.number}, lines=lines)


def register() -> None:
    from qsm import summaries

    summaries.register(Order, order_customer_summary)
