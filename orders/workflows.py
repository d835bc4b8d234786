"""The in-sale lifecycles (§3.2): order, delivery and installation tables.

Order:
    review --approve--> approved --start_production--> in_production
    review --return--> returned --resubmit--> review            (each round is kept: ORD-1)
    approved|in_production|delivering --ship--> delivering --complete_delivery--> delivered
    delivered --schedule_installation--> installing --accept--> accepted      (ORD-3)
    review|returned|approved|in_production --cancel--> cancelled
Delivery:      shipped --confirm--> delivered | shipped --reject--> rejected
Installation:  scheduled --start--> on_site --commission--> commissioned --accept--> accepted
               commissioned --reject--> rework --commission--> commissioned
               (each "commission" adds a numbered CommissioningRound; none is overwritten)
               Edits, not transitions (orders.services, under the order's lock, with a reason):
               reschedule (scheduled: the tracked date, engine.edit) and change engineers
               (scheduled, on site, rework: engine.record_change); who may schedule may do both.

Order clocks (SLA-1/SLA-2, run by the engine; no effect touches a deadline):
- ``review`` (the review SLA policy) runs while the order is in review. Returning the order to
  the customer *pauses* it: the customer has the order, and §3.2(1)'s "within the stipulated
  time" is the company's review time. Resubmitting the amended order resumes the same clock with
  the working time that was left, while a new review round (ORD-1) is opened and kept. Approval
  completes it (met on time or late); cancelling cancels it.
- ``delivery`` runs to the promised date (a date agreed with the customer) from the moment the
  order is received (or the date is first set) until it is delivered in full (ORD-2). It is due at
  the end of the working day of the promised date; its reminder (the "at risk" notice, which also
  sets ``Order.risk_flagged_at``) comes ORDER_RISK_LEAD_DAYS working days before, at the start of
  that day; past the date the sweep sends the "late" notice to the owner, the department's
  managers and the quality department. Changing the promised date moves it; cancelling cancels it.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.errors import ValidationError
from qsm.followup.reasons import register_reason
from qsm.notify.kinds import register_kind
from qsm.notify.services import notify
from qsm.org.selectors import department_managers
from qsm.workflow.clocks import Clock
from qsm.workflow.colours import declare_colours
from qsm.workflow.engine import Transition, Workflow, register

from .models import (
    AcceptanceRound,
    ChecklistItem,
    CommissioningRound,
    Delivery,
    Installation,
    Order,
    ReviewFinding,
    ReviewRound,
)
from .rules import (
    can_be_engineer,
    can_cancel_order,
    can_review_order,
    can_work_delivery,
    can_work_installation,
    can_work_order,
)

S = Order.Status
REVIEW = "review"
DELIVERY = "delivery"


def price_range(product) -> tuple[Decimal, Decimal] | None:
    """The allowed unit price for a product: its list price ± ORDER_PRICE_TOLERANCE_PERCENT."""
    if product.list_price is None:
        return None
    tolerance = Decimal(settings.ORDER_PRICE_TOLERANCE_PERCENT) / 100
    return (product.list_price * (1 - tolerance)).quantize(Decimal("0.01")), (
        product.list_price * (1 + tolerance)
    ).quantize(Decimal("0.01"))


def lines_out_of_price_range(order: Order) -> list:
    out = []
    for line in order.lines.select_related("product"):
        bounds = price_range(line.product)
        if bounds and (line.unit_price is None or not bounds[0] <= line.unit_price <= bounds[1]):
            out.append(line)
    return out


def required_items(order: Order) -> list[str]:
    items = [ChecklistItem.CUSTOMER, ChecklistItem.ITEMS, ChecklistItem.PRICES, ChecklistItem.DELIVERY_DATE]
    if order.installation_required:
        items.append(ChecklistItem.INSTALLATION)
    return [str(i) for i in items]


def _open_round(order: Order) -> ReviewRound | None:
    return order.review_rounds.filter(outcome=ReviewRound.Outcome.OPEN).first()


def _approve_guard(order: Order, actor, params: dict) -> None:
    review_round = _open_round(order)
    if review_round is None:
        raise ValidationError({"findings": _("There is no open review round.")}, code="no_round")
    if not order.lines.exists():
        raise ValidationError({"lines": _("An order without lines cannot be approved.")}, code="no_lines")
    if order.lines.filter(unit_price__isnull=True).exists():
        # Only orders entered before prices were required have such lines (orders 0010).
        raise ValidationError({"lines": _("A line has no unit price: amend the order before approving it.")},
                              code="unpriced")
    findings = {f.item: f for f in review_round.findings.all()}
    errors = {}
    for item in required_items(order):
        finding = findings.get(item)
        label = str(ChecklistItem(item).label)
        if finding is None:
            errors[item] = _("“%(item)s” has not been checked.") % {"item": label}
        elif finding.result == ReviewFinding.Result.FAIL:
            errors[item] = _("“%(item)s” failed: return the order to the customer or waive it with a reason.") % {
                "item": label}
        elif finding.result == ReviewFinding.Result.WAIVED and not finding.note.strip():
            errors[item] = _("A waiver of “%(item)s” needs a reason.") % {"item": label}
    prices = findings.get(ChecklistItem.PRICES)
    if prices and prices.result == ReviewFinding.Result.PASS and lines_out_of_price_range(order):
        errors[ChecklistItem.PRICES] = _("A price is outside the allowed range: waive the price check with a reason.")
    if errors:
        raise ValidationError(errors, code="checklist")


def _decide_round(order: Order, actor, outcome: str, problems: str = "") -> None:
    ReviewRound.objects.filter(order=order, outcome=ReviewRound.Outcome.OPEN).update(
        outcome=outcome, reviewer=actor, decided_at=timezone.now(), problems=problems
    )


def _approve(order: Order, actor, params: dict) -> None:
    _decide_round(order, actor, ReviewRound.Outcome.APPROVED)
    order.approved_at = timezone.now()
    notify(recipients=[order.owner], exclude=actor, kind="order_approved",
           title=gettext_lazy("Order %(number)s passed review"), params={"number": order.number},
           url=order.get_absolute_url())


def _return_guard(order: Order, actor, params: dict) -> None:
    review_round = _open_round(order)
    problems = (params.get("problems") or "").strip()
    errors = {}
    if review_round is None or not review_round.findings.filter(result=ReviewFinding.Result.FAIL).exists():
        errors["findings"] = _("Mark at least one checklist item as failed before returning the order.")
    if not problems:
        errors["problems"] = _("List the problems the customer must correct.")
    if errors:
        raise ValidationError(errors, code="invalid")


def _return(order: Order, actor, params: dict) -> None:
    _decide_round(order, actor, ReviewRound.Outcome.RETURNED, params["problems"].strip())
    notify(recipients=[order.owner], exclude=actor, kind="order_returned",
           title=gettext_lazy("Order %(number)s was returned for amendment"), params={"number": order.number},
           url=order.get_absolute_url())


def open_review_round(order: Order) -> ReviewRound:
    last = order.review_rounds.order_by("-number").values_list("number", flat=True).first() or 0
    return ReviewRound.objects.create(order=order, number=last + 1)


def _resubmit(order: Order, actor, params: dict) -> None:
    open_review_round(order)


def _ship_guard(order: Order, actor, params: dict) -> None:
    pass  # quantities are checked by delivery_ship, which knows the lines being shipped


def _complete_delivery_guard(order: Order, actor, params: dict) -> None:
    if any(line.delivered_quantity < line.quantity for line in order.lines.all()):
        raise ValidationError({"lines": _("Not every line has been delivered in full.")}, code="outstanding")


def _make_follow_up_due(order: Order, reason: str) -> None:
    # ORD-4: the order says when and why; the visit waits in the core queue for the visit scheduler.
    from qsm.followup.services import follow_up_request

    order.follow_up_due_at = timezone.now()
    order.follow_up_reason = reason
    follow_up_request(order, reason, order.follow_up_due_at, customer=order.customer, department=order.department)


def _complete_delivery(order: Order, actor, params: dict) -> None:
    order.delivered_at = timezone.now()
    if not order.installation_required:
        _make_follow_up_due(order, "delivered")


def installation_date_error(order: Order, day) -> str | None:
    """ORD-3: why ``day`` cannot be the installation date of ``order``, or None.

    Decided when the installation is scheduled or rescheduled: not in the past, not before the
    order was received nor before its delivery was complete (the equipment must be on site), and
    at most ORDER_INSTALLATION_MAX_DAYS_AHEAD days ahead (a typo such as 2062 is not a plan).
    """
    if day is None:
        return _("Choose the installation date.")
    today = timezone.localdate()
    received = timezone.localdate(order.received_at or order.created_at)
    delivered = timezone.localdate(order.delivered_at) if order.delivered_at else None
    latest = today + dt.timedelta(days=settings.ORDER_INSTALLATION_MAX_DAYS_AHEAD)
    if day < received:
        return _("The installation date cannot be before the order was received (%(date)s).") % {
            "date": received.isoformat()}
    if delivered and day < delivered:
        return _("The installation date cannot be before the delivery was completed (%(date)s).") % {
            "date": delivered.isoformat()}
    if day < today:
        return _("The installation date cannot be in the past.")
    if day > latest:
        return _("The installation date can be at most %(days)s days ahead (until %(date)s).") % {
            "days": settings.ORDER_INSTALLATION_MAX_DAYS_AHEAD, "date": latest.isoformat()}
    return None


def engineers_error(engineers) -> str | None:
    """ORD-3: why these people cannot be the installation's engineers (``rules.engineer_q``), or None."""
    if not engineers:
        return _("Name at least one engineer.")
    unfit = [str(e) for e in engineers if not can_be_engineer(e)]
    if unfit:
        return _("%(names)s cannot be named engineer: only installation engineers and the staff of a supporting "
                 "department (such as production) install.") % {"names": "、".join(unfit)}
    return None


def _schedule_installation_guard(order: Order, actor, params: dict) -> None:
    errors = {}
    if not order.installation_required:
        errors["installation_required"] = _("This order needs no installation.")
    date_error = installation_date_error(order, params.get("scheduled_for"))
    if date_error:
        errors["scheduled_for"] = date_error
    engineers_problem = engineers_error(params.get("engineers"))
    if engineers_problem:
        errors["engineers"] = engineers_problem
    if errors:
        raise ValidationError(errors, code="invalid")


def _schedule_installation(order: Order, actor, params: dict) -> None:
    installation = Installation.objects.create(order=order, scheduled_for=params["scheduled_for"])
    installation.engineers.set(params["engineers"])
    notify(recipients=list(params["engineers"]), exclude=actor, kind="installation_scheduled",
           title=gettext_lazy("You are scheduled to install order %(number)s on %(date)s"),
           params={"number": order.number, "date": params["scheduled_for"].isoformat()},
           url=order.get_absolute_url())


def _accept(order: Order, actor, params: dict) -> None:
    order.accepted_at = timezone.now()
    _make_follow_up_due(order, "accepted")


def _cancel(order: Order, actor, params: dict) -> None:
    order.cancel_reason = params.get("reason", "") or ""


def _order_or_engineer(user, order: Order) -> bool:
    """The customer's acceptance is recorded by the order's department or an installing engineer."""
    if can_work_order(user, order):
        return True
    # The installation loaded with the order (orders.selectors.order_get), or read once and kept on it.
    installation = getattr(order, "installation", None)
    return installation is not None and can_work_installation(user, installation)


def _title(order: Order) -> str:
    return f"{order.number} {order.customer.name}"


ORDER_CLOCKS = [
    Clock(REVIEW, label=gettext_lazy("Order review"), states=(S.REVIEW,), pauses=(S.RETURNED,), cancel_on=("cancel",), title=_title,
          owner=lambda o: o.owner, department=lambda o: o.department),
    Clock(DELIVERY, label=gettext_lazy("Delivery by the promised date"), states=Order.UNDELIVERED_STATES, cancel_on=("cancel",), due="promised_date",
          lead_days=lambda: settings.ORDER_RISK_LEAD_DAYS, title=_title, owner=lambda o: o.owner,
          department=lambda o: o.department, flag_field="risk_flagged_at",
          remind_kind="order_at_risk", remind_title=gettext_lazy("Order %(title)s may miss its promised date: due %(due)s"),
          overdue_kind="order_late", overdue_title=gettext_lazy("Order %(title)s is late: it was due %(due)s")),
]


ORDER_WORKFLOW = register(Workflow(model=Order, transitions=[
    Transition("approve", (S.REVIEW,), S.APPROVED, gettext_lazy("Approve"), can_review_order,
               guard=_approve_guard, effect=_approve, style="success"),
    # §3.2(1): a non-conforming order goes back to the customer with the list of problems.
    Transition("return", (S.REVIEW,), S.RETURNED, gettext_lazy("Return to customer"), can_review_order,
               guard=_return_guard, effect=_return, style="warning"),
    Transition("resubmit", (S.RETURNED,), S.REVIEW, gettext_lazy("Amended: review again"), can_work_order,
               effect=_resubmit),
    Transition("start_production", (S.APPROVED,), S.IN_PRODUCTION, gettext_lazy("Start production"), can_work_order),
    # Fired by delivery_ship; a shipment may also leave straight from an approved order (stock).
    Transition("ship", (S.APPROVED, S.IN_PRODUCTION, S.DELIVERING), S.DELIVERING, gettext_lazy("Record shipment"),
               can_work_order, guard=_ship_guard),
    # Fired by delivery_confirm when the last outstanding quantity is received.
    Transition("complete_delivery", (S.DELIVERING,), S.DELIVERED, gettext_lazy("Delivery complete"), can_work_order,
               guard=_complete_delivery_guard, effect=_complete_delivery),
    Transition("schedule_installation", (S.DELIVERED,), S.INSTALLING, gettext_lazy("Schedule installation"),
               can_work_order, guard=_schedule_installation_guard, effect=_schedule_installation),
    # Fired by acceptance_record when the customer accepts (with or without remarks).
    Transition("accept", (S.INSTALLING,), S.ACCEPTED, gettext_lazy("Customer accepted"), _order_or_engineer, effect=_accept),
    Transition("cancel", (S.REVIEW, S.RETURNED, S.APPROVED, S.IN_PRODUCTION), S.CANCELLED, gettext_lazy("Cancel order"),
               can_cancel_order, effect=_cancel, comment_required=True, style="danger"),
], clocks=ORDER_CLOCKS))


# --- delivery -------------------------------------------------------------------------------------
D = Delivery.Status


def _confirm_guard(delivery: Delivery, actor, params: dict) -> None:
    # §3.2(2) 按质交付: "received, quality checked" says what was checked, as a rejection says why.
    if not (params.get("quality_note") or "").strip():
        raise ValidationError({"quality_note": _("Say what was inspected at receipt (quantities, appearance, "
                                                 "documents …) and what was found.")}, code="required")


def _confirm_delivery(delivery: Delivery, actor, params: dict) -> None:
    from django.db.models import F

    from .models import OrderLine

    delivery.delivered_at = params.get("delivered_at") or timezone.now()
    delivery.quality_note = (params.get("quality_note") or "").strip()
    for line in delivery.lines.all():
        OrderLine.objects.filter(pk=line.order_line_id).update(delivered_quantity=F("delivered_quantity") + line.quantity)


def _reject_delivery(delivery: Delivery, actor, params: dict) -> None:
    delivery.quality_note = (params.get("quality_note") or "").strip()


DELIVERY_WORKFLOW = register(Workflow(model=Delivery, transitions=[
    Transition("confirm", (D.SHIPPED,), D.DELIVERED, gettext_lazy("Received, quality checked"), can_work_delivery,
               guard=_confirm_guard, effect=_confirm_delivery, style="success"),
    # A shipment that fails the quality check at receipt does not count; ship again.
    Transition("reject", (D.SHIPPED,), D.REJECTED, gettext_lazy("Rejected at receipt"), can_work_delivery,
               effect=_reject_delivery, comment_required=True, style="danger"),
]))


# --- installation ---------------------------------------------------------------------------------
I = Installation.Status  # noqa: E741


def _commission_guard(installation: Installation, actor, params: dict) -> None:
    checklist = params.get("checklist") or []
    errors = {}
    # Each round says what was done in it: a rework's round describes the rework (ORD-3).
    if not (params.get("site_work") or "").strip():
        errors["site_work"] = _("Describe the work done on site.")
    if not checklist:
        errors["checklist"] = _("Record the commissioning test checklist.")
    elif not all(item.get("ok") for item in checklist):
        errors["checklist"] = _("Every commissioning test must pass before the customer is asked to accept.")
    if errors:
        raise ValidationError(errors, code="invalid")


def _commission(installation: Installation, actor, params: dict) -> None:
    # ORD-3: a new round each time (after a rejected acceptance too); earlier rounds are never touched.
    last = installation.commissioning_rounds.order_by("-number").values_list("number", flat=True).first() or 0
    installation.commissioned_at = timezone.now()
    CommissioningRound.objects.create(
        installation=installation, number=last + 1, site_work=params["site_work"].strip(),
        checklist=params.get("checklist") or [], measurements=params.get("measurements") or [],
        notes=(params.get("notes") or "").strip(), recorded_by=actor, commissioned_at=installation.commissioned_at,
    )


def _acceptance_guard(installation: Installation, actor, params: dict) -> None:
    from .models import AcceptanceRound

    result = params.get("result")
    if result not in (AcceptanceRound.Result.ACCEPTED, AcceptanceRound.Result.ACCEPTED_WITH_REMARKS,
                      AcceptanceRound.Result.REJECTED):
        raise ValidationError({"result": _("Choose the customer's decision.")}, code="invalid")
    if result != AcceptanceRound.Result.ACCEPTED and not (params.get("remarks") or "").strip():
        raise ValidationError({"remarks": _("Write the customer's remarks or reasons.")}, code="required")


def _record_acceptance(installation: Installation, actor, params: dict) -> None:
    from .models import AcceptanceRound

    last = installation.acceptance_rounds.order_by("-number").values_list("number", flat=True).first() or 0
    AcceptanceRound.objects.create(
        installation=installation, number=last + 1, result=params["result"],
        remarks=(params.get("remarks") or "").strip(), customer_feedback=(params.get("feedback") or "").strip(),
        customer_signatory=(params.get("signatory") or "").strip()[:100], recorded_by=actor,
        decided_at=timezone.now(),
    )
    if params["result"] != AcceptanceRound.Result.REJECTED:
        installation.accepted_at = timezone.now()
    else:
        recipients = [installation.order.owner, *installation.engineers.all(),
                      *department_managers(department=installation.order.department)]
        notify(recipients=recipients, exclude=actor, kind="acceptance_rejected",
               title=gettext_lazy("The customer rejected the installation of order %(number)s"),
               params={"number": installation.order.number}, url=installation.get_absolute_url())


INSTALLATION_WORKFLOW = register(Workflow(model=Installation, transitions=[
    Transition("start", (I.SCHEDULED,), I.ON_SITE, gettext_lazy("Start on site"), can_work_installation),
    Transition("commission", (I.ON_SITE, I.REWORK), I.COMMISSIONED, gettext_lazy("Record commissioning"),
               can_work_installation, guard=_commission_guard, effect=_commission),
    Transition("accept", (I.COMMISSIONED,), I.ACCEPTED, gettext_lazy("Customer accepts"), can_work_installation,
               guard=_acceptance_guard, effect=_record_acceptance, style="success"),
    Transition("reject", (I.COMMISSIONED,), I.REWORK, gettext_lazy("Customer rejects"), can_work_installation,
               guard=_acceptance_guard, effect=_record_acceptance, style="danger"),
]))


# --- status colours (qsm.workflow.colours) ---------------------------------------------------------

declare_colours(Order, {
    S.REVIEW: "warning", S.RETURNED: "danger", S.APPROVED: "info", S.IN_PRODUCTION: "primary",
    S.DELIVERING: "primary", S.DELIVERED: "success", S.INSTALLING: "primary", S.ACCEPTED: "success",
    S.CANCELLED: "light",
})
declare_colours(ReviewRound, {
    ReviewRound.Outcome.OPEN: "warning", ReviewRound.Outcome.APPROVED: "info", ReviewRound.Outcome.RETURNED: "danger",
}, field="outcome")
declare_colours(ReviewFinding, {
    ReviewFinding.Result.PASS: "success", ReviewFinding.Result.FAIL: "danger", ReviewFinding.Result.WAIVED: "warning",
}, field="result")
declare_colours(Delivery, {D.SHIPPED: "info", D.DELIVERED: "success", D.REJECTED: "danger"})
declare_colours(Installation, {
    I.SCHEDULED: "info", I.ON_SITE: "primary", I.COMMISSIONED: "info", I.REWORK: "danger", I.ACCEPTED: "success",
})
declare_colours(AcceptanceRound, {
    AcceptanceRound.Result.ACCEPTED: "success", AcceptanceRound.Result.ACCEPTED_WITH_REMARKS: "warning",
    AcceptanceRound.Result.REJECTED: "danger",
}, field="result")


# The notifications this module sends (``Notification.kind``), named for the admin and the API.
for _kind, _label in [
    ("order_approved", gettext_lazy("Order passed review")),
    ("order_returned", gettext_lazy("Order returned for amendment")),
    ("order_at_risk", gettext_lazy("Order may miss its promised date")),
    ("order_late", gettext_lazy("Order late")),
    ("installation_scheduled", gettext_lazy("Installation scheduled")),
    ("installation_rescheduled", gettext_lazy("Installation rescheduled")),
    ("installation_unassigned", gettext_lazy("No longer scheduled to install")),
    ("acceptance_rejected", gettext_lazy("Acceptance rejected")),
]:
    register_kind(_kind, _label)
# Why the order asks for a follow-up visit (FollowUp.reason, Order.follow_up_reason).
register_reason("delivered", gettext_lazy("Delivered"))
register_reason("accepted", gettext_lazy("Accepted"))
