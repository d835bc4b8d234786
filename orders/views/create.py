"""A new order entered directly from the customer (ORD-1)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from presales.models import Inquiry
from presales.rules import can_take_over_inquiry
from presales.selectors import inquiry_get
from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.org.models import Customer
from qsm.org.services import NewCustomerInvalid
from qsm.parsing import parse_count, parse_id
from qsm.views import add_validation_errors
from qsm.web.pages import render_record_page

from .. import services
from ..forms import (
    LineFormSet,
    OrderCreateForm,
    OrderFromInquiryForm,
    product_choices,
)
from ..models import Order
from ..rules import can_create_order
from ..selectors import order_draft_from_inquiry

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
        return render(self.request, "orders/order_form.html", {"form": form, "formset": formset}, status=status)

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
        new_customer = form.new_customer()
        try:
            order = services.order_create(actor=request.user, customer=None if new_customer else form.picked_customer,
                                          new_customer=new_customer, lines=formset.service_lines(),
                                          **form.tracked_data())
        except NewCustomerInvalid as exc:
            add_validation_errors(request, exc, form, field_map=form.CUSTOMER_FIELDS)
            return self.render_form(form, formset)
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


# --- PRE-4: an inquiry becomes an order, through the new-order form ---------------------------------


def _plain(number) -> str:
    return "" if number is None else format(number.normalize(), "f")


class OrderFromInquiryView(LoginRequiredMixin, View):
    """PRE-4: "convert to order" opens the new-order form pre-filled from the inquiry and its latest
    tailored solution; nothing is created until it is saved. Saving creates the order, links it to
    the inquiry and converts the inquiry, all under the inquiry's lock (``order_create_from_inquiry``).

    Refusals that concern the inquiry re-render the inquiry page (through the core hook
    ``qsm.web.pages``, orders imports no presales page code): 409 with the reason when it cannot be
    converted (not acknowledged, converted already), 403 for a user of another department, 404
    outside the user's scope. Refusals of the order's own fields re-render this form with 400.
    """

    def _refusal(self, request, inquiry: Inquiry):
        if not can_take_over_inquiry(request.user, inquiry):
            raise PermissionDenied(_("Only the department the inquiry was handed to can convert it."))
        if inquiry.status != Inquiry.Status.ACKNOWLEDGED or Order.objects.filter(source_inquiry=inquiry).exists():
            message = (_("This inquiry was already converted into an order.")
                       if inquiry.status == Inquiry.Status.CONVERTED else
                       _("Only an acknowledged inquiry can be converted into an order (the inquiry is “%(state)s”).")
                       % {"state": inquiry.get_status_display()})
            messages.error(request, message)
            return render_record_page(request, inquiry, status=409)
        return None

    def render_form(self, inquiry, form, formset, *, draft=None, status=200):
        return render(self.request, "orders/order_form.html", {
            "form": form, "formset": formset, "inquiry": inquiry, "draft": draft,
        }, status=status)

    def get(self, request, pk: int):
        inquiry = inquiry_get(user=request.user, pk=pk)
        refusal = self._refusal(request, inquiry)
        if refusal is not None:
            return refusal
        draft = order_draft_from_inquiry(inquiry)
        form = OrderFromInquiryForm(initial={"needs": draft["needs"], "site_contact": draft["site_contact"]})
        lines = [{"product": str(line["product"].pk), "quantity": _plain(line["quantity"]),
                  "unit_price": _plain(line["unit_price"])} for line in draft["lines"]]
        formset = LineFormSet(prefix="lines", products=product_choices(), initial=lines)
        return self.render_form(inquiry, form, formset, draft=draft)

    def post(self, request, pk: int):
        inquiry = inquiry_get(user=request.user, pk=pk)
        refusal = self._refusal(request, inquiry)
        if refusal is not None:
            return refusal
        form = OrderFromInquiryForm(request.POST)
        formset = LineFormSet(request.POST, prefix="lines")
        valid = form.is_valid()
        valid = formset.is_valid() and valid
        if "_more_rows" in request.POST:
            return self.render_form(inquiry, form, _more_rows(request, formset))
        if not valid:
            messages.error(request, _("Nothing was saved: please correct the marked fields."))
            return self.render_form(inquiry, form, formset, status=400)
        try:
            order = services.order_create_from_inquiry(inquiry=inquiry, actor=request.user,
                                                       lines=formset.service_lines(), **form.tracked_data())
        except ValidationError as exc:
            apply_service_errors(request, exc, form, formset)
            return self.render_form(inquiry, form, formset, status=400)
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            return render_record_page(request, inquiry_get(user=request.user, pk=pk), status=409)
        messages.success(request, _("Order %(number)s was created from inquiry %(inquiry)s.")
                         % {"number": order.number, "inquiry": inquiry.number})
        return redirect(order)
