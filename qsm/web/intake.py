"""An intake page declared once (PRE-1 inquiries, AFS-1 after-sales cases, CMP-1 complaints): the
fast form of a record logged from a channel, with the customer picked in the type-ahead or
quick-created in the same transaction.

A module declares its form, template, permission and the one service call::

    class CaseCreateView(IntakeView):
        form_class, template_name = CaseIntakeForm, "aftersales/case_form.html"
        permission, denied = "aftersales.add_case", gettext_lazy("You are not allowed to log ...")
        create_url, channels = "aftersales:case-create", Channel.values
        def save(self, form, data, new_customer):       # the module's intake service
            return services.case_intake(actor=self.request.user, new_customer=new_customer, ...)
        def saved_message(self, record): return _("Case %(number)s was logged.") % {...}

GET: the empty form, with ``?channel=`` ("save and log another" keeps the channel) and
``?customer=`` (opened from the customer's page) preset. POST: invalid input or a service's
ValidationError is the form again with its errors and HTTP 400 (a refused quick-created customer's
errors at its fields), an illegal transition 409, success a redirect to the record (or to a new
empty form with "save and log another").
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.org.forms import NEW_CUSTOMER
from qsm.org.selectors import customer_list
from qsm.org.services import NewCustomerInvalid
from qsm.parsing import parse_id
from qsm.views import add_validation_errors

__all__ = ["IntakeView", "picked_contact"]


def picked_contact(data: dict) -> dict:
    """The contact person and phone of an intake: those typed, else the quick-created customer's."""
    return {"contact_name": data.get("contact_name") or data.get("new_customer_contact", ""),
            "contact_phone": data.get("contact_phone") or data.get("new_customer_phone", "")}


class IntakeView(LoginRequiredMixin, View):
    form_class = None  # a qsm.org.forms.CustomerPickForm
    template_name = ""
    permission = ""  # who may log: "aftersales.add_case"
    denied = ""  # the 403's message
    create_url = ""  # this page's URL name ("save and log another")
    channels: tuple | list = ()  # the channel values ``?channel=`` may preset

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.permission and not request.user.has_perm(self.permission):
            raise PermissionDenied(str(self.denied))
        return super().dispatch(request, *args, **kwargs)

    # --- what a module declares ----------------------------------------------------------------

    def save(self, form, data: dict, new_customer: dict | None):  # pragma: no cover - each module declares it
        """The module's intake service; ``new_customer`` is the quick-create (else form.picked_customer)."""
        raise NotImplementedError

    def saved_message(self, record) -> str:  # pragma: no cover - each module declares it
        raise NotImplementedError

    def form_kwargs(self) -> dict:
        return {}

    def context(self, form) -> dict:
        """What the page shows besides the form."""
        return {}

    def initial(self) -> dict:
        """The GET's preset values: the channel and the customer of the query string."""
        initial = {}
        if self.request.GET.get("channel") in self.channels:
            initial["channel"] = self.request.GET["channel"]
        customer = parse_id(self.request.GET.get("customer", ""))
        if customer is not None:
            initial["customer"] = str(customer)
        return initial

    def success_url(self, record) -> str:
        return record.get_absolute_url()

    # --- the flow ------------------------------------------------------------------------------

    def render_form(self, form, status: int = 200):
        return render(self.request, self.template_name, {"form": form, **self.context(form)}, status=status)

    def prepare(self, form) -> None:
        """An unbound form shows its preset customer as picked."""
        if form.initial.get("customer"):
            form.picked_customer = customer_list(user=None).prefetch_related("contacts").filter(
                pk=form.initial["customer"]).first()

    def get(self, request, *args, **kwargs):
        form = self.form_class(initial=self.initial(), **self.form_kwargs())
        self.prepare(form)
        return self.render_form(form)

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, **self.form_kwargs())
        if not form.is_valid():
            messages.error(request, _("Nothing was saved: please correct the marked fields."))
            return self.render_form(form, status=400)
        data = form.cleaned_data
        try:
            record = self.save(form, data, form.new_customer() if data.get("customer") == NEW_CUSTOMER else None)
        except NewCustomerInvalid as exc:
            add_validation_errors(request, exc, form, field_map=form.CUSTOMER_FIELDS)
            return self.render_form(form, status=400)
        except ValidationError as exc:
            add_validation_errors(request, exc, form)
            return self.render_form(form, status=400)
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            return self.render_form(form, status=409)
        messages.success(request, self.saved_message(record))
        if "_another" in request.POST:
            return redirect(reverse(self.create_url) + f"?channel={record.channel}")
        return redirect(self.success_url(record))
