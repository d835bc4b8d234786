"""Writes of the orders module."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from presales.models import Inquiry
from presales.workflows import INQUIRY_WORKFLOW  # noqa: F401  (the table must be registered)
from qsm.errors import TransitionNotAllowed
from qsm.workflow import engine
from qsm.workflow.services import next_number

from .models import Order, OrderLine


@transaction.atomic
def order_create_from_inquiry(*, inquiry: Inquiry, actor) -> Order:
    """PRE-4: an acknowledged inquiry becomes an order carrying its customer, products and needs.

    The inquiry's "convert" transition is fired first: it checks that the actor belongs to the
    department the inquiry was handed to and that the inquiry is acknowledged, and locks it.
    """
    if Order.objects.filter(source_inquiry=inquiry).exists():
        raise TransitionNotAllowed(_("This inquiry was already converted into an order."))
    inquiry = engine.fire(inquiry, "convert", actor=actor)
    needs = "\n\n".join(part for part in (inquiry.question, inquiry.needs_analysis, inquiry.recommendation) if part)
    latest_solution = inquiry.solutions.order_by("-version").first()
    if latest_solution:
        needs += "\n\n" + _("Tailored solution v%(version)s: %(title)s") % {
            "version": latest_solution.version, "title": latest_solution.title} + "\n" + latest_solution.content
    order = Order.objects.create(
        number=next_number("ORD"),
        customer=inquiry.customer,
        department=inquiry.handover_department,
        owner=actor,
        source_inquiry=inquiry,
        needs=needs,
    )
    products = list(inquiry.recommended_products.all()) or list(inquiry.products.all())
    if latest_solution and latest_solution.products.exists():
        products = list(latest_solution.products.all())
    OrderLine.objects.bulk_create([OrderLine(order=order, product=p, quantity=1) for p in products])
    engine.record_created(order, actor=actor, comment=_("Converted from inquiry %(number)s") % {"number": inquiry.number})
    return order
