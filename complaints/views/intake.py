"""CMP-1: the complaint intake page, and "open a complaint from this visit / case / order".

The intake is the core intake page (``qsm.web.intake.IntakeView``) with the after-sales intake's
pickers (channel buttons, order and customer type-aheads, quick-create customer) and the
complaint's fields. Opened from a visit, a case or an order (``?visit=`` / ``?case=`` / ``?order=``,
the buttons complaints registers on those pages through ``qsm.record_actions``), the form comes
prefilled with that record's facts and the complaint is linked to it. On saving, the complaint's
page states the promised reply time.
"""
from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.web.intake import IntakeView, picked_contact

from ..forms.intake import ComplaintIntakeForm
from ..models import Complaint
from ..selectors.sources import source_facts
from ..services import intake as services


class ComplaintCreateView(IntakeView):
    """CMP-1: the dedicated intake (every channel). A new customer and the complaint are saved in one
    transaction; the complaint's page then states the promised reply time (``#promise``)."""

    form_class, template_name = ComplaintIntakeForm, "complaints/intake.html"
    permission, denied = "complaints.add_complaint", gettext_lazy("You are not allowed to log complaints.")
    create_url, channels = "complaints:complaint-create", Complaint.Channel.values

    def form_kwargs(self) -> dict:
        return {"user": self.request.user}

    def initial(self) -> dict:
        query = self.request.GET
        self.facts = source_facts(user=self.request.user, visit=query.get("visit"), case=query.get("case"),
                                  order=query.get("order"))
        if self.facts is None:  # a source the user may not see, or none such
            raise Http404(_("No such record."))
        return {**super().initial(), **self.facts.initial}

    def prepare(self, form) -> None:
        super().prepare(form)
        form.picked_order = self.facts.order

    def context(self, form) -> dict:
        facts = getattr(self, "facts", None)
        return {"source": facts.source if facts is not None else form.source}

    def save(self, form, data, new_customer):
        return services.complaint_intake(
            actor=self.request.user, new_customer=new_customer,
            customer=None if new_customer else form.picked_customer, channel=data["channel"],
            severity=data["severity"], subject=data["subject"], description=data["description"],
            customer_demand=data["customer_demand"], **picked_contact(data), order=data["order"],
            product=data["product"], received_at=data["received_at"], source_visit=data["source_visit"],
            source_case=data["source_case"])

    def saved_message(self, complaint) -> str:
        return _("Complaint %(number)s was logged.") % {"number": complaint.number}

    def success_url(self, complaint) -> str:
        return complaint.get_absolute_url() + "?logged=1#promise"
