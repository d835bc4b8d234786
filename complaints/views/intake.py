"""CMP-1: the complaint intake page, and "open a complaint from this visit / case / order".

The intake is the after-sales intake's layout (channel buttons, order and customer type-aheads,
quick-create customer) with the complaint's fields. Opened from a visit, a case or an order
(``?visit=`` / ``?case=`` / ``?order=``, the buttons complaints registers on those pages through
``qsm.record_actions``), the form comes prefilled with that record's facts and the complaint is
linked to it. On saving, the complaint's page states the promised reply time.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.org.selectors import customer_list
from qsm.parsing import parse_id
from qsm.views import add_validation_errors

from ..forms.intake import NEW_CUSTOMER, ComplaintIntakeForm, channel_choices
from ..selectors.complaints import complaint_visible
from ..selectors.sources import source_facts
from ..services import intake as services


class ComplaintCreateView(LoginRequiredMixin, View):
    """CMP-1: the dedicated intake (every channel). A new customer and the complaint are saved in one
    transaction; the complaint's page then states the promised reply time."""

    CUSTOMER_FIELDS = ComplaintIntakeForm.CUSTOMER_FIELDS

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm("complaints.add_complaint"):
            raise PermissionDenied(_("You are not allowed to log complaints."))
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200, source=None):
        return render(self.request, "complaints/intake.html", {"form": form, "source": source or form.source},
                      status=status)

    def get(self, request):
        initial = {}
        if request.GET.get("channel") in {value for value, _label in channel_choices()}:
            initial["channel"] = request.GET["channel"]  # "save and log another" keeps the channel
        customer = parse_id(request.GET.get("customer", ""))
        if customer is not None:
            initial["customer"] = str(customer)
        facts = source_facts(user=request.user, visit=request.GET.get("visit"), case=request.GET.get("case"),
                             order=request.GET.get("order"))
        if facts is None:  # a source the user may not see, or none such
            raise Http404(_("No such record."))
        initial.update(facts.initial)
        form = ComplaintIntakeForm(initial=initial, user=request.user)
        form.picked_order = facts.order
        if initial.get("customer"):
            form.picked_customer = customer_list(user=None).prefetch_related("contacts").filter(
                pk=initial["customer"]).first()
        return self.render_form(form, source=facts.source)

    def post(self, request):
        form = ComplaintIntakeForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, _("Nothing was saved: please correct the marked fields."))
            return self.render_form(form, status=400)
        data = form.cleaned_data
        new_customer = form.new_customer() if data["customer"] == NEW_CUSTOMER else None
        try:
            complaint = services.complaint_intake(
                actor=request.user, new_customer=new_customer,
                customer=None if new_customer else form.picked_customer, channel=data["channel"],
                severity=data["severity"], subject=data["subject"], description=data["description"],
                customer_demand=data["customer_demand"],
                contact_name=data["contact_name"] or data["new_customer_contact"],
                contact_phone=data["contact_phone"] or data["new_customer_phone"],
                order=data["order"], product=data["product"], received_at=data["received_at"],
                source_visit=data["source_visit"], source_case=data["source_case"],
            )
        except services.NewCustomerInvalid as exc:
            add_validation_errors(request, exc, form, field_map=self.CUSTOMER_FIELDS)
            return self.render_form(form, status=400)
        except ValidationError as exc:
            add_validation_errors(request, exc, form)
            return self.render_form(form, status=400)
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            return self.render_form(form, status=409)
        messages.success(request, _("Complaint %(number)s was logged.") % {"number": complaint.number})
        if "_another" in request.POST:
            return redirect(reverse("complaints:complaint-create") + f"?channel={complaint.channel}")
        if not complaint_visible(user=request.user, pk=complaint.pk):  # pragma: no cover - the receiver sees it
            return redirect("complaints:complaint-list")
        return redirect(complaint.get_absolute_url() + "?logged=1#promise")
