"""A record's fast intake page declared once (PRE-1, AFS-1 and the like).

GET: the form, with the channel kept from "save and log another" (``?channel=``) and a customer
picked in advance (``?customer=<id>``, e.g. from the customer's page). POST: one service call
(``intake``) that saves a new customer and the record in one transaction; a form error or a service's
ValidationError re-renders the form with HTTP 400 (a refused new customer on the quick-create
fields), an illegal transition with 409; success redirects to the record, or back to a fresh form
with the same channel ("save and log another", or when the record left the user's sight).
A module declares::

    class CaseCreateView(IntakeView):
        permission, template_name, form_class = "aftersales.add_case", "aftersales/case_form.html", CaseIntakeForm
        denied_message = gettext_lazy("You are not allowed to log after-sales cases.")
        channels, create_url = Channel.values, "aftersales:case-create"
        customer_fields = CaseIntakeForm.CUSTOMER_FIELDS  # customer_create's error keys -> the form's fields
        def intake(self, form, data): return services.case_intake(actor=self.request.user, ...)
        def success_message(self, case): return _("After-sales case %(number)s was logged.") % {...}
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
from qsm.org.selectors import customer_list
from qsm.org.services import NewCustomerInvalid
from qsm.parsing import parse_id
from qsm.views import add_validation_errors

__all__ = ["IntakeView"]


class IntakeView(LoginRequiredMixin, View):
    permission = ""  # e.g. "aftersales.add_case"; without it: 403 with ``denied_message``
    denied_message = ""
    template_name = ""
    form_class = None
    channels: tuple = ()  # the channel values "save and log another" may keep
    create_url = ""  # this page's URL name
    customer_fields: dict = {}  # a refused new customer's error keys -> the form's quick-create fields

    # --- what a module says ---------------------------------------------------------------------------

    def intake(self, form, data: dict):  # pragma: no cover - each module declares it
        """One service call that saves the record (and a new customer); returns the record."""
        raise NotImplementedError

    def success_message(self, record) -> str:  # pragma: no cover - each module declares it
        raise NotImplementedError

    def form_kwargs(self) -> dict:
        return {}

    def back_to_form(self, record) -> bool:
        """After saving, a fresh form rather than the record (besides "save and log another")."""
        return False

    # --- the flow -------------------------------------------------------------------------------------

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(self.permission):
            raise PermissionDenied(self.denied_message)
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status: int = 200):
        return render(self.request, self.template_name, {"form": form}, status=status)

    def get(self, request):
        initial = {}
        if request.GET.get("channel") in self.channels:  # "save and log another" keeps the channel
            initial["channel"] = request.GET["channel"]
        customer = parse_id(request.GET.get("customer", ""))
        if customer is not None:
            initial["customer"] = str(customer)
        form = self.form_class(initial=initial, **self.form_kwargs())
        if initial.get("customer"):
            form.picked_customer = customer_list(user=None).prefetch_related("contacts").filter(pk=customer).first()
        return self.render_form(form)

    def post(self, request):
        form = self.form_class(request.POST, **self.form_kwargs())
        if not form.is_valid():
            messages.error(request, _("Nothing was saved: please correct the marked fields."))
            return self.render_form(form, status=400)
        try:
            record = self.intake(form, form.cleaned_data)
        except NewCustomerInvalid as exc:
            add_validation_errors(request, exc, form, field_map=self.customer_fields)
            return self.render_form(form, status=400)
        except ValidationError as exc:
            add_validation_errors(request, exc, form)
            return self.render_form(form, status=400)
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            return self.render_form(form, status=409)
        messages.success(request, self.success_message(record))
        if "_another" in request.POST or self.back_to_form(record):
            return redirect(reverse(self.create_url) + f"?channel={record.channel}")
        return redirect(record)
