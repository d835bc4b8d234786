"""The order page: its context, the base of its forms, the action bar, review and amendment (ORD-1),
attachments (WF-3) and the conversion of an inquiry (PRE-4)."""
from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm import registry
from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.views import add_validation_errors
from qsm.web.actions import (
    RecordAttachmentDownloadView,
    RecordAttachView,
    RecordDetailView,
    RecordPageMixin,
    TransitionView,
    action_bar,
)
from qsm.web.views import RecordPostView
from qsm.workflow.selectors import attachment_list

from .. import services
from ..forms import (
    AcceptanceForm,
    AnswerForm,
    AttachmentForm,
    ChecklistForm,
    CommissionForm,
    DeliveryConfirmForm,
    DeliveryRejectForm,
    EngineersForm,
    LineFormSet,
    OrderAmendForm,
    ProductionStepForm,
    ProgressNoteForm,
    RescheduleForm,
    ScheduleForm,
    ShipForm,
    TransitionForm,
    product_choices,
)
from ..models import ChecklistItem, Order, ReviewRound
from ..rules import (
    PRODUCTION_STATES,
    PRODUCTION_STEP_STATES,
    can_record_production,
    can_work_installation,
    can_work_order,
)
from ..selectors import (
    committed_by_line,
    installation_of,
    order_get,
    order_timeline,
)
from ..workflows import DELIVERY_WORKFLOW, INSTALLATION_WORKFLOW, ORDER_WORKFLOW, price_range, required_items
from .create import _more_rows, apply_service_errors

S = Order.Status

# Transitions with a form of their own on the page (or fired by a service): not plain buttons.
_NOT_BUTTONS = {"approve", "return", "ship", "complete_delivery", "schedule_installation", "accept"}
_CHECKLIST_ORDER = {item: n for n, item in enumerate(ChecklistItem.values)}



# --- the record page --------------------------------------------------------------------------------


def _plain(number: Decimal | None) -> str:
    """2.00 -> "2", 98000.50 -> "98000.5": what a person would type into the amendment form."""
    return "" if number is None else format(number.normalize(), "f")


def order_page_context(request, order: Order, forms: dict | None = None) -> dict:
    user = request.user
    forms = forms or {}
    today = timezone.localdate()
    lines = list(order.lines.all())
    deliveries = list(order.deliveries.all())
    committed = committed_by_line(deliveries)
    for line in lines:
        line.price_bounds = price_range(line.product)
        low_high = line.price_bounds
        line.price_out_of_range = bool(low_high and (line.unit_price is None
                                                     or not low_high[0] <= line.unit_price <= low_high[1]))
        line.committed = committed.get(line.pk, Decimal(0))
        line.left_to_ship = line.quantity - line.committed
        line.amount = line.quantity * line.unit_price if line.unit_price is not None else None
    rounds = list(order.review_rounds.all())
    for r in rounds:
        r.sorted_findings = sorted(r.findings.all(), key=lambda f: _CHECKLIST_ORDER.get(f.item, 99))
    open_round = next((r for r in rounds if r.outcome == ReviewRound.Outcome.OPEN), None)
    installation = installation_of(order)
    if installation is not None:
        installation.order = order  # the page's order, already loaded: the rules read it
    can_work = can_work_order(user, order)
    installs = installation is not None and can_work_installation(user, installation)
    bar = action_bar(ORDER_WORKFLOW, order, user, hidden=_NOT_BUTTONS)
    available_names = bar["available"]
    for d in deliveries:
        d.available = {t.action for t in DELIVERY_WORKFLOW.available(d, user)}
    install_available = ({t.action for t in INSTALLATION_WORKFLOW.available(installation, user)}
                         if installation is not None else set())
    notes = list(order.progress_notes.all())
    items = required_items(order)
    review_findings = {f.item: f for f in open_round.findings.all()} if open_round else {}
    in_review = order.status == S.REVIEW and can_work and open_round is not None
    amendable = order.is_amendable and can_work
    shippable = order.is_shippable_state and can_work and any(
        line.left_to_ship > 0 for line in lines)
    late = order.is_late(today)
    ctx = {
        "order": order,
        "now": timezone.now(),
        "today": today,
        "lines": lines,
        # Honest: a line without a price (possible only on orders entered before prices were required)
        # makes the total unknown, not smaller.
        "lines_total": (sum((line.amount for line in lines), Decimal(0))
                        if all(line.amount is not None for line in lines) else None),
        "lines_unpriced": sum(1 for line in lines if line.unit_price is None),
        "rounds": rounds,
        "open_round": open_round,
        "deliveries": deliveries,
        "installation": installation,
        "acceptance_rounds": list(installation.acceptance_rounds.all()) if installation else [],
        "commissioning_rounds": list(installation.commissioning_rounds.all()) if installation else [],
        "engineers": list(installation.engineers.all()) if installation else [],
        "notes": notes,
        **bar,
        "install_available": install_available,
        "can_work": can_work,
        "can_log": can_work and order.status != S.CANCELLED,
        # §3.2(2): production steps, shown once production started; recorded while it runs.
        "production_steps": list(order.production_steps.all()),
        "show_production": order.status in PRODUCTION_STATES or bool(order.production_steps.all()),
        "can_record_production": order.status in PRODUCTION_STEP_STATES and can_record_production(user, order),
        "production_form": forms.get("production_form") or ProductionStepForm(),
        "can_attach": can_work or installs,
        "in_review": in_review,
        "amendable": amendable,
        "shippable": shippable,
        "late": late,
        "at_risk": order.is_at_risk,
        "attachments": list(attachment_list(order)),
        # What later modules show of this order (its after-sales cases, its follow-up visits and their
        # scores), each scoped to the user by its own provider (qsm.registry.record_sections).
        "related_sections": registry.record_sections(order, user),
        "timeline": order_timeline(order, deliveries=deliveries, installation=installation),
        "failed_action": forms.get("failed_action", ""),
        "failed_pk": forms.get("failed_pk"),
        "transition_form": forms.get("transition_form") or TransitionForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "progress_form": forms.get("progress_form") or ProgressNoteForm(),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "confirm_form": forms.get("confirm_form") or DeliveryConfirmForm(),
        "reject_form": forms.get("reject_form") or DeliveryRejectForm(),
    }
    if in_review:
        ctx["checklist_form"] = forms.get("checklist_form") or ChecklistForm(items=items, findings=review_findings)
        ctx["checklist_form"].approval_errors = forms.get("review_errors", {})
        ctx["has_failed_item"] = any(f.result == "fail" for f in review_findings.values())
    if amendable:
        ctx["amend_form"] = forms.get("amend_form") or OrderAmendForm(initial={
            name: getattr(order, name) for name in OrderAmendForm.TRACKED})
        ctx["line_formset"] = forms.get("line_formset") or LineFormSet(prefix="lines", products=product_choices(),
                                                                        initial=[
            {"product": str(line.product_id), "quantity": _plain(line.quantity), "unit_price": _plain(line.unit_price)}
            for line in lines])
    if shippable:
        ctx["ship_form"] = forms.get("ship_form") or ShipForm(lines=[line for line in lines if line.left_to_ship > 0])
    if "schedule_installation" in available_names:
        ctx["schedule_form"] = forms.get("schedule_form") or ScheduleForm()
    if "commission" in install_available:
        ctx["commission_form"] = forms.get("commission_form") or CommissionForm()
    if installation is not None and can_plan_installation(order, installation, can_work):
        if installation.status in services.RESCHEDULABLE:
            ctx["reschedule_form"] = forms.get("reschedule_form") or RescheduleForm(
                initial={"scheduled_for": installation.scheduled_for})
        if installation.status in services.RESTAFFABLE:
            ctx["engineers_form"] = forms.get("engineers_form") or EngineersForm(
                initial={"engineers": [e.pk for e in ctx["engineers"]]})
    if {"accept", "reject"} & install_available:
        ctx["acceptance_form"] = forms.get("acceptance_form") or AcceptanceForm()
    return ctx


def can_plan_installation(order: Order, installation, can_work: bool) -> bool:
    """Who may schedule may reschedule and change the engineers (services._installation_plan_locked)."""
    return can_work and order.status == S.INSTALLING


def render_order_page(request, order: Order, *, forms: dict | None = None, status: int = 200):
    return render(request, "orders/order_detail.html", order_page_context(request, order, forms), status=status)


class OrderPage(RecordPageMixin):
    """How the order page's views read and re-render the order (``qsm.web.actions``)."""

    record_selector, record_name = staticmethod(order_get), "order"

    def render_record(self, record, *, forms, status):
        return render_order_page(self.request, record, forms=forms, status=status)


class OrderDetailView(OrderPage, RecordDetailView):
    pass


class OrderPostView(OrderPage, RecordPostView):
    """Base of the order page's forms (``qsm.web.views.RecordPostView``)."""


class OrderTransitionView(OrderPage, TransitionView):
    """The action bar: resubmit, start production, cancel (with a reason)."""

    ACTIONS = {"resubmit": services.order_resubmit, "start_production": services.order_start_production,
               "cancel": services.order_cancel}
    workflow = ORDER_WORKFLOW
    success_text = gettext_lazy("%(action)s: the order is now “%(state)s”.")

    def fire(self, order, action, data):
        service = self.ACTIONS.get(action)
        if service is None:
            raise TransitionNotAllowed(_("Unknown action “%(action)s”.") % {"action": action})
        return service(order=order, actor=self.request.user, comment=data["comment"])


# --- ORD-1 review --------------------------------------------------------------------------------


class ReviewDecisionView(OrderPostView):
    """ORD-1: the review is one form. Its buttons send the checklist with the decision (``decision``:
    save, approve or return), one service call under the order's lock; a refusal re-renders the
    whole form as typed, the reasons next to the items they concern.

    The old addresses of the approve and return forms post here too, with that decision as default.
    """

    form_key, anchor = "checklist_form", "review"
    default_decision = "save"

    def get_form(self, order):
        rounds = [r for r in order.review_rounds.all() if r.outcome == ReviewRound.Outcome.OPEN]
        findings = {f.item: f for f in rounds[0].findings.all()} if rounds else {}
        self.items = required_items(order)
        self.decision = self.request.POST.get("decision") or self.default_decision
        return ChecklistForm(self.request.POST, items=self.items, findings=findings, decision=self.decision)

    def handle_error(self, exc, form):
        if self.decision == "save" or not hasattr(exc, "error_dict"):
            add_validation_errors(self.request, exc, form, field_map={
                **ChecklistForm.field_map(self.items), "findings": None, "decision": None})
            return
        # A refused approval or return: the reasons per checklist item go next to the item (and
        # into the messages), the others (problems, no failed item ...) onto the form.
        approval, rest = {}, {}
        for key, errors in exc.message_dict.items():
            (approval if key in self.items else rest)[key] = errors
        self.review_errors = approval
        for message_list in approval.values():
            for m in message_list:
                messages.error(self.request, m)
        if rest:
            add_validation_errors(self.request, ValidationError(rest), form,
                                  field_map={"findings": None, "lines": None, "decision": None})

    def error_forms(self, form):
        return {"checklist_form": form, "review_errors": getattr(self, "review_errors", {})}

    def perform(self, *, order, form, data):
        return services.order_review_decide(order=order, actor=self.request.user, decision=self.decision,
                                            findings=form.findings(), problems=data.get("problems", ""))

    def success_message(self, order, result):
        if self.decision == "approve":
            return _("Order %(number)s passed review.") % {"number": order.number}
        if self.decision == "return":
            return _("Order %(number)s was returned to the customer for amendment.") % {"number": order.number}
        return _("The review findings were saved.")


class OrderApproveView(ReviewDecisionView):
    default_decision = "approve"


class OrderReturnView(ReviewDecisionView):
    default_decision = "return"


class OrderAmendView(OrderPostView):
    """The order's fields and lines, while it is in review or returned (order_update)."""

    form_class, form_key, anchor = OrderAmendForm, "amend_form", "amend"

    def get_form(self, order):
        self.formset = LineFormSet(self.request.POST, prefix="lines")
        return OrderAmendForm(self.request.POST)

    def form_is_valid(self, form):
        valid = form.is_valid()
        return self.formset.is_valid() and valid and "_more_rows" not in self.request.POST

    def handle_error(self, exc, form):
        apply_service_errors(self.request, exc, form, self.formset)

    def perform(self, *, order, form, data):
        return services.order_update(order=order, actor=self.request.user, data=form.tracked_data(),
                                     lines=self.formset.service_lines(), comment=data["comment"])

    def post(self, request, pk: int, **kwargs):
        if "_more_rows" in request.POST:
            order = order_get(user=request.user, pk=pk)
            form = OrderAmendForm(request.POST)
            form.is_valid()
            formset = _more_rows(request, LineFormSet(request.POST, prefix="lines"))
            return render_order_page(request, order, forms={"amend_form": form, "line_formset": formset})
        return super().post(request, pk, **kwargs)

    def error_forms(self, form):
        return {"amend_form": form, "line_formset": self.formset}

    def success_message(self, order, result):
        return _("The order was amended.")


# --- WF-3 attachments -----------------------------------------------------------------------------


class OrderAttachView(OrderPage, RecordAttachView):
    attach_service = staticmethod(services.order_attach)


class OrderAttachmentDownloadView(OrderPage, RecordAttachmentDownloadView):
    pass


# --- PRE-4: an inquiry becomes an order: orders.views.create.OrderFromInquiryView ---------------------
