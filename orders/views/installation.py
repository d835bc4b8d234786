"""Installation, commissioning and acceptance (ORD-3)."""
from __future__ import annotations

from django.utils.translation import gettext as _

from qsm.errors import TransitionNotAllowed
from qsm.views import add_validation_errors

from .. import services
from ..forms import (
    AcceptanceForm,
    CommissionForm,
    EngineersForm,
    RescheduleForm,
    ScheduleForm,
)
from ..models import Installation
from ..selectors import (
    installation_of,
)
from .record import OrderPostView

# --- ORD-3 installation and acceptance ------------------------------------------------------------


class InstallationScheduleView(OrderPostView):
    form_class, form_key, anchor = ScheduleForm, "schedule_form", "installation"

    def perform(self, *, order, form, data):
        return services.installation_schedule(order=order, actor=self.request.user,
                                              scheduled_for=data["scheduled_for"], engineers=data["engineers"],
                                              comment=data["comment"])

    def success_message(self, order, result):
        return _("The installation was scheduled for %(date)s.") % {"date": result.scheduled_for.isoformat()}


class _InstallationView(OrderPostView):
    anchor = "installation"

    def installation(self, order) -> Installation:
        installation = installation_of(order)
        if installation is None:
            raise TransitionNotAllowed(_("No installation has been scheduled for this order."))
        return installation


class InstallationRescheduleView(_InstallationView):
    """ORD-3: another date, with the reason; the engineers are told."""

    form_class, form_key = RescheduleForm, "reschedule_form"

    def perform(self, *, order, form, data):
        return services.installation_reschedule(installation=self.installation(order), actor=self.request.user,
                                                scheduled_for=data["scheduled_for"], reason=data["reason"])

    def success_message(self, order, result):
        return _("The installation was rescheduled to %(date)s.") % {"date": result.scheduled_for.isoformat()}


class InstallationEngineersView(_InstallationView):
    """ORD-3: other engineers, with the reason; those taken off and those added are told."""

    form_class, form_key = EngineersForm, "engineers_form"

    def perform(self, *, order, form, data):
        return services.installation_change_engineers(installation=self.installation(order), actor=self.request.user,
                                                      engineers=data["engineers"], reason=data["reason"])

    def success_message(self, order, result):
        return _("The installation's engineers were changed.")


class InstallationStartView(_InstallationView):
    def perform(self, *, order, form, data):
        return services.installation_start(installation=self.installation(order), actor=self.request.user,
                                           comment=data["comment"])

    def error_forms(self, form):
        return {self.form_key: form, "failed_action": "start"}

    def success_message(self, order, result):
        return _("The installation work on site has started.")


class InstallationCommissionView(_InstallationView):
    form_key = "commission_form"

    def get_form(self, order):
        return CommissionForm(self.request.POST)

    def handle_error(self, exc, form):
        # "checklist" has no single field: the message goes above the table.
        add_validation_errors(self.request, exc, form, field_map={"checklist": None})

    def perform(self, *, order, form, data):
        return services.installation_commission(installation=self.installation(order), actor=self.request.user,
                                                site_work=data["site_work"], checklist=form.checklist(),
                                                measurements=form.measurements(), notes=data["notes"])

    def success_message(self, order, result):
        return _("The commissioning test was recorded: the customer can now accept the installation.")


class AcceptanceRecordView(_InstallationView):
    form_class, form_key = AcceptanceForm, "acceptance_form"

    def perform(self, *, order, form, data):
        return services.acceptance_record(installation=self.installation(order), actor=self.request.user,
                                          result=data["result"], remarks=data["remarks"], feedback=data["feedback"],
                                          signatory=data["signatory"])

    def success_message(self, order, result):
        from ..models import AcceptanceRound

        if result.status == Installation.Status.REWORK:
            return _("The customer rejected the installation: it goes back to rework.")
        last = AcceptanceRound.objects.filter(installation=result).order_by("-number").first()
        if last and last.result == AcceptanceRound.Result.ACCEPTED_WITH_REMARKS:
            return _("The customer accepted the installation with remarks; a follow-up visit is now due.")
        return _("The customer accepted the installation; a follow-up visit is now due.")
