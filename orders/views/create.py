"""A new order entered directly from the customer (ORD-1)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.org.forms import customer_lookup_rows
from qsm.org.models import Customer
from qsm.parsing import parse_count, parse_id
from qsm.views import add_validation_errors

from .. import services
from ..forms import (
    LineFormSet,
    OrderCreateForm,
)
from ..rules import can_create_order

# --- a new order (ORD-1) --------------------------------------------------------------------------


def apply_service_errors(request, exc: ValidationError, form, formset=None, *, field_map=None) -> None:
    """A service's ValidationError onto the order form and its line rows (``lines.N.field``)."""
    if formset is not None and hasattr(exc, "error_dict"):
        rest = {}
        for key, errors in exc.error_dict.items():
            if key == "lines":
                for m in ValidationError(errors).messages:
                    form.add_error(None, m)
            elif not all(formset.add_service_error(key, m) for m in ValidationError(errors).messages):
                rest[key] = errors
        if not rest:
            messages.error(request, _("Nothing was saved: please correct the marked fields."))
            return
        exc = ValidationError(rest)
    add_validation_errors(request, exc, form, field_map=field_map)


class OrderCreateView(LoginRequiredMixin, View):
    """ORD-1: an order received directly from the customer goes to review."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_create_order(request.user):
            raise PermissionDenied(_("Only staff of a business department can enter orders."))
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, formset, status=200):
        picked = customer_lookup_rows([form.picked_customer]) if form.picked_customer else []
        return render(self.request, "orders/order_form.html",
                      {"form": form, "formset": formset, "picked_customers": picked}, status=status)

    def get(self, request):
        form = OrderCreateForm(initial={"customer": request.GET.get("customer", "")})
        customer = parse_id(request.GET.get("customer", ""))
        if customer is not None:  # "new order" from the customer's page
            form.picked_customer = Customer.objects.prefetch_related("contacts").filter(pk=customer).first()
        return self.render_form(form, LineFormSet(prefix="lines"))

    def post(self, request):
        form = OrderCreateForm(request.POST)
        formset = LineFormSet(request.POST, prefix="lines")
        valid = form.is_valid()
        valid = formset.is_valid() and valid
        if "_more_rows" in request.POST:  # without JavaScript: the same form with more empty rows
            return self.render_form(form, _more_rows(request, formset))
        if not valid:
            messages.error(request, _("Nothing was saved: please correct the marked fields."))
            return self.render_form(form, formset)
        try:
            order = services.order_create(actor=request.user, customer=form.picked_customer,
                                          lines=formset.service_lines(), **form.tracked_data())
        except ValidationError as exc:
            apply_service_errors(request, exc, form, formset)
            return self.render_form(form, formset)
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            return self.render_form(form, formset, status=409)
        messages.success(request, _("Order %(number)s was entered and is awaiting review.") % {"number": order.number})
        return redirect(order)


def _more_rows(request, formset):
    """Re-bind the posted rows with three more empty ones (the "more rows" button without JavaScript)."""
    data = request.POST.copy()
    total = parse_count(data.get("lines-TOTAL_FORMS", ""), default=0, maximum=200)
    data["lines-TOTAL_FORMS"] = str(min(total + 3, 200))
    more = LineFormSet(data, prefix="lines", products=formset.products)
    more.is_valid()
    return more
