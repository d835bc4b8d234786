"""Every write of the in-sale module (ORD-1..4). Keyword-only, typed, atomic."""
from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from presales.models import Inquiry
from presales.workflows import INQUIRY_WORKFLOW  # noqa: F401  (the inquiry table must be registered)
from qsm.contacts.models import ContactEntry
from qsm.contacts.services import contact_add, contact_answer
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.notify.services import notify
from qsm.org.models import Customer, Product, User
from qsm.org.services import customer_pick
from qsm.parsing import parse_decimal, parse_id
from qsm.workflow import engine
from qsm.workflow.locking import lock, locked
from qsm.workflow.services import attachment_add, next_number

from .models import (
    ChecklistItem,
    Delivery,
    DeliveryLine,
    Installation,
    Order,
    OrderLine,
    ProductionStep,
    ReviewFinding,
)
from .rules import (
    PRODUCTION_STEP_STATES,
    can_create_order,
    can_record_production,
    can_review_order,
    can_work_installation,
    can_work_order,
)
from .workflows import engineers_error, installation_date_error, open_review_round

S = Order.Status


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDenied(message)


def _decimal(value, field: str, errors: dict, *, positive: bool = True) -> Decimal | None:
    # qsm.parsing: "²", "1e999" and NaN are not numbers (1e999 made quantize() raise: a 500).
    number = parse_decimal(value, exact=False)
    if number is None:
        errors[field] = _("Enter a number.")
        return None
    if (positive and number <= 0) or number < 0:
        errors[field] = _("Enter a positive number.")
        return None
    return number.quantize(Decimal("0.01"))


# The columns hold 12 digits with 2 decimals; a larger number is a field error, not a database error.
MAX_AMOUNT = Decimal("9999999999.99")


def _clean_lines(lines: Iterable[dict], errors: dict) -> list[tuple[Product, Decimal, Decimal]]:
    """Every line names a product, a positive quantity (whole for a product counted in whole units)
    and a unit price: a line without a price used to be accepted and left out of the total."""
    cleaned = []
    for n, line in enumerate(lines, start=1):
        product = line.get("product")
        if not isinstance(product, Product):
            errors[f"lines.{n}.product"] = _("Choose a product.")
            continue
        quantity = _decimal(line.get("quantity"), f"lines.{n}.quantity", errors)
        if quantity is not None and quantity > MAX_AMOUNT:
            errors[f"lines.{n}.quantity"] = _("Enter a smaller number.")
            quantity = None
        if quantity is not None and product.whole_units and quantity != quantity.to_integral_value():
            errors[f"lines.{n}.quantity"] = _("%(product)s is counted in whole units: enter a whole number.") % {
                "product": product.name}
            quantity = None
        price = None
        if line.get("unit_price") in (None, ""):
            errors[f"lines.{n}.unit_price"] = _("Enter the unit price.")
        else:
            price = _decimal(line.get("unit_price"), f"lines.{n}.unit_price", errors, positive=False)
            if price is not None and price > MAX_AMOUNT:
                errors[f"lines.{n}.unit_price"] = _("Enter a smaller number.")
                price = None
        if quantity is not None and price is not None:
            cleaned.append((product, quantity, price))
    return cleaned


def _order_errors(*, lines, installation_required: bool, site_address: str) -> tuple[list, dict]:
    errors: dict = {}
    cleaned = _clean_lines(list(lines), errors)
    if not cleaned and "lines" not in errors and not any(k.startswith("lines.") for k in errors):
        errors["lines"] = _("Add at least one line.")
    if installation_required and not (site_address or "").strip():
        errors["site_address"] = _("An order with installation needs the site address.")
    return cleaned, errors


def _order_insert(*, actor: User, customer: Customer, department, cleaned: list, promised_date, installation_required,
                  site_address, site_contact, customer_reference, needs, received_at, source_inquiry=None) -> Order:
    order = Order.objects.create(
        number=next_number("ORD"), customer=customer, department=department, owner=actor,
        source_inquiry=source_inquiry, customer_reference=(customer_reference or "").strip()[:60],
        needs=(needs or "").strip(), promised_date=promised_date, installation_required=installation_required,
        site_address=(site_address or "").strip()[:300], site_contact=(site_contact or "").strip()[:100],
        received_at=received_at or timezone.now(),
    )
    OrderLine.objects.bulk_create(
        [OrderLine(order=order, product=p, quantity=q, unit_price=price) for p, q, price in cleaned]
    )
    return order


@transaction.atomic
def order_create(*, actor: User, customer: Customer | None = None, lines: Iterable[dict],
                 promised_date: dt.date | None = None, installation_required: bool = False, site_address: str = "",
                 site_contact: str = "", customer_reference: str = "", needs: str = "",
                 received_at: dt.datetime | None = None, new_customer: dict | None = None) -> Order:
    """ORD-1: an order received from the customer goes to review; its review clock starts.

    ``new_customer`` (``customer_create``'s arguments) creates the customer with the order, in the same
    transaction: it exists only if the order is saved (``NewCustomerInvalid`` when it is refused).
    """
    _require(can_create_order(actor), _("Only staff of a business department can enter orders."))
    if actor.department_id is None:
        raise PermissionDenied(_("Your account belongs to no department, so it cannot enter orders."))
    cleaned, errors = _order_errors(lines=lines, installation_required=installation_required,
                                    site_address=site_address)
    if errors:
        raise ValidationError(errors, code="invalid")
    customer = customer_pick(actor=actor, customer=customer, new_customer=new_customer)
    order = _order_insert(actor=actor, customer=customer, department=actor.department, cleaned=cleaned,
                          promised_date=promised_date, installation_required=installation_required,
                          site_address=site_address, site_contact=site_contact,
                          customer_reference=customer_reference, needs=needs, received_at=received_at)
    engine.record_created(order, actor=actor)  # starts the review and delivery clocks (ORDER_CLOCKS)
    open_review_round(order)
    return order


def order_create_from_inquiry(*, inquiry: Inquiry, actor: User, lines: Iterable[dict], customer_reference: str,
                              promised_date: dt.date | None, installation_required: bool, site_address: str = "",
                              site_contact: str = "", needs: str = "",
                              received_at: dt.datetime | None = None) -> Order:
    """PRE-4: the customer's order for an acknowledged inquiry, entered on the new-order form that
    converting pre-filled (``selectors.order_draft_from_inquiry``); it carries the inquiry's customer.

    The customer's order reference and the promised date are required here: the inquiry had none,
    and an order converted without them started its review with nothing to check them against.
    Lock, then decide (REL-1): the inquiry is locked first; "already converted" and the inquiry's
    "convert" transition (the actor belongs to the department it was handed to, it is acknowledged)
    are decided on the locked row, so two conversions at once make one order.
    """
    cleaned, errors = _order_errors(lines=lines, installation_required=installation_required,
                                    site_address=site_address)
    if not (customer_reference or "").strip():
        errors["customer_reference"] = _("Enter the customer's order reference (PO number).")
    if promised_date is None:
        errors["promised_date"] = _("Enter the delivery date promised to the customer.")
    if errors:
        raise ValidationError(errors, code="invalid")
    with transaction.atomic():
        root = lock(inquiry)
        if Order.objects.filter(source_inquiry=root).exists():
            raise TransitionNotAllowed(_("This inquiry was already converted into an order."))
        root = engine.fire(root, "convert", actor=actor)
        order = _order_insert(actor=actor, customer=root.customer, department=root.handover_department,
                              cleaned=cleaned, promised_date=promised_date,
                              installation_required=installation_required, site_address=site_address,
                              site_contact=site_contact, customer_reference=customer_reference, needs=needs,
                              received_at=received_at, source_inquiry=root)
        engine.record_created(order, actor=actor, action="from_inquiry", data={"inquiry": root.number})
        open_review_round(order)
    inquiry.status = root.status
    return order


def order_update(*, order: Order, actor: User, data: dict, lines: Iterable[dict] | None = None,
                 comment: str = "") -> Order:
    """Amend the order (while in review or returned); every change lands on the timeline.

    The state and the actor's right are checked again on the locked order (REL-1): an amendment
    that arrives while someone approves the order is refused, not written onto the approved order.
    """
    _require(can_work_order(actor, order), _("You are not allowed to change this order."))
    if order.status not in (S.REVIEW, S.RETURNED):
        raise TransitionNotAllowed(_("An order is amended only while it is in review or returned to the customer."))
    unknown = set(data) - set(Order.TRACKED_FIELDS)
    if unknown:
        raise ValidationError({k: _("This field cannot be edited here.") for k in unknown}, code="invalid")
    errors: dict = {}
    cleaned = _clean_lines(list(lines), errors) if lines is not None else None
    if cleaned is not None and not cleaned and not errors:
        errors["lines"] = _("Add at least one line.")
    if errors:
        raise ValidationError(errors, code="invalid")
    with locked(order, actor=actor, allowed=can_work_order, states=(S.REVIEW, S.RETURNED),
                denied=_("You are not allowed to change this order."),
                wrong_state=_("An order is amended only while it is in review or returned to the customer.")) as root:
        installation = data.get("installation_required", root.installation_required)
        if installation and not (data.get("site_address", root.site_address) or "").strip():
            raise ValidationError({"site_address": _("An order with installation needs the site address.")},
                                  code="invalid")
        engine.edit(root, actor=actor, data=data, tracked=Order.TRACKED_FIELDS, comment=comment)
        if cleaned is not None:
            old = [{"product": line.product_id, "quantity": line.quantity, "unit_price": line.unit_price}
                   for line in root.lines.all()]
            # Lines of an order in review have no deliveries yet: replace them as a whole.
            root.lines.all().delete()
            OrderLine.objects.bulk_create(
                [OrderLine(order=root, product=p, quantity=q, unit_price=price) for p, q, price in cleaned])
            # WF-2: raw values (ids, numbers, None), rendered in the reader's language when read.
            engine.record_change(root, actor=actor, field="lines", old=old, new=[
                {"product": p.pk, "quantity": q, "unit_price": price} for p, q, price in cleaned])
    return root


# --- ORD-1 review ---------------------------------------------------------------------------------

def _findings_errors(findings: dict[str, tuple[str, str]]) -> dict:
    errors = {}
    for item, (result, note) in findings.items():
        if item not in ChecklistItem.values:
            errors[item] = _("Unknown checklist item.")
        elif result not in ReviewFinding.Result.values:
            errors[item] = _("Choose pass, fail or waived.")
        elif result in (ReviewFinding.Result.WAIVED, ReviewFinding.Result.FAIL) and not (note or "").strip():
            errors[item] = _("Say why (a failed or waived item needs a note).")
    return errors


def _save_findings(root: Order, actor: User, findings: dict[str, tuple[str, str]], *,
                   only_changed: bool = False) -> list[ReviewFinding]:
    """Write the findings on the open round of the locked order and note them on the timeline."""
    review_round = root.review_rounds.get(outcome="open")  # in review means exactly one open round
    current = {f.item: (f.result, f.note) for f in review_round.findings.all()}
    saved = []
    for item, (result, note) in findings.items():
        note = (note or "").strip()
        if only_changed and current.get(item) == (result, note):
            continue
        finding, _created = ReviewFinding.objects.update_or_create(
            round=review_round, item=item, defaults={"result": result, "note": note})
        saved.append(finding)
    if saved:
        engine.note(root, actor=actor, kind="review", action="review_findings",
                    data={"findings": [[f.item, f.result, f.note] for f in saved]})
    return saved


def review_record_findings(*, order: Order, actor: User, findings: dict[str, tuple[str, str]]) -> list[ReviewFinding]:
    """Record the reviewer's result for checklist items: {item: (pass|fail|waived, note)}.

    Checked on the locked order (REL-1): findings sent while the order is being approved or
    returned are refused with 409 (there is no open round any more), never a server error.
    """
    _require(can_work_order(actor, order), _("You are not allowed to review this order."))
    if order.status != S.REVIEW:
        raise TransitionNotAllowed(_("Only an order awaiting review can be checked."))
    errors = _findings_errors(findings)
    if errors:
        raise ValidationError(errors, code="invalid")
    with locked(order, actor=actor, allowed=can_work_order, states=(S.REVIEW,),
                denied=_("You are not allowed to review this order."),
                wrong_state=_("Only an order awaiting review can be checked.")) as root:
        return _save_findings(root, actor, findings)


REVIEW_DECISIONS = ("save", "approve", "return")


def order_review_decide(*, order: Order, actor: User, decision: str,
                        findings: dict[str, tuple[str, str]] | None = None, problems: str = "",
                        comment: str = "") -> Order:
    """ORD-1 in one step: the checklist as the reviewer typed it and the decision pressed with it.

    ``decision`` is ``save`` (the findings only), ``approve`` or ``return``. The findings are
    written and the transition fired in one transaction under the order's lock (REL-1): the
    approval and return guards read the findings just typed, and when the decision is refused
    (an item not checked, no failed item, no problems listed) nothing is written, findings
    included, so the page can show the whole form again as typed.
    """
    if decision not in REVIEW_DECISIONS:
        raise ValidationError({"decision": _("Choose save, approve or return.")}, code="invalid")
    findings = dict(findings or {})
    if decision == "save":
        if not findings:
            raise ValidationError({"findings": _("Check at least one item.")}, code="required")
        review_record_findings(order=order, actor=actor, findings=findings)
        return order
    denied = _("You are not allowed to decide the review of this order.")
    _require(can_review_order(actor, order), denied)
    errors = _findings_errors(findings)
    if errors:
        raise ValidationError(errors, code="invalid")
    with locked(order, actor=actor, allowed=can_review_order, states=(S.REVIEW,), denied=denied,
                wrong_state=_("Only an order awaiting review can be checked.")) as root:
        if findings:
            _save_findings(root, actor, findings, only_changed=True)
        if decision == "approve":
            result = engine.fire(root, "approve", actor=actor, comment=comment)
        else:
            result = engine.fire(root, "return", actor=actor, comment=comment or problems, problems=problems)
    return result


def order_approve(*, order: Order, actor: User, comment: str = "",
                  findings: dict[str, tuple[str, str]] | None = None) -> Order:
    if findings:
        return order_review_decide(order=order, actor=actor, decision="approve", findings=findings, comment=comment)
    return engine.fire(order, "approve", actor=actor, comment=comment)


def order_return(*, order: Order, actor: User, problems: str, comment: str = "",
                 findings: dict[str, tuple[str, str]] | None = None) -> Order:
    if findings:
        return order_review_decide(order=order, actor=actor, decision="return", findings=findings,
                                   problems=problems, comment=comment)
    return engine.fire(order, "return", actor=actor, comment=comment or problems, problems=problems)


def order_resubmit(*, order: Order, actor: User, comment: str = "") -> Order:
    return engine.fire(order, "resubmit", actor=actor, comment=comment)


def order_start_production(*, order: Order, actor: User, comment: str = "") -> Order:
    return engine.fire(order, "start_production", actor=actor, comment=comment)


def order_cancel(*, order: Order, actor: User, comment: str) -> Order:
    return engine.fire(order, "cancel", actor=actor, comment=comment, reason=comment)


# --- ORD-2 production and delivery ----------------------------------------------------------------

def progress_note_add(*, order: Order, actor: User, kind: str, channel: str, text: str,
                      occurred_at: dt.datetime | None = None) -> ContactEntry:
    """Log a progress update told to the customer, or a question the customer asked (an entry of
    the core contact log on the order)."""
    _require(can_work_order(actor, order), _("You are not allowed to log progress on this order."))
    if order.status == S.CANCELLED:
        raise TransitionNotAllowed(_("The order was cancelled: nothing more is logged on it."))
    # Every state but cancelled: a cancellation committed meanwhile refuses the note (REL-1).
    with locked(order, actor=actor, allowed=can_work_order, states=[s for s in S.values if s != S.CANCELLED],
                denied=_("You are not allowed to log progress on this order."),
                wrong_state=_("The order was cancelled: nothing more is logged on it.")) as root:
        return contact_add(record=root, actor=actor, kind=kind, kinds=ContactEntry.PROGRESS_KINDS, channel=channel,
                           summary=text, summary_field="text", occurred_at=occurred_at)


def production_step_add(*, order: Order, actor: User, stage: str, note: str = "",
                        occurred_at: dt.datetime | None = None) -> ProductionStep:
    """§3.2(2): the production department (or the order's department) reports a production step.

    Decided on the locked order (REL-1): an order that left production meanwhile refuses the step."""
    denied = _("You are not allowed to record production on this order.")
    wrong_state = _("Production steps are recorded while the order is in production or being delivered "
                    "(the order is “%(state)s”).")
    _require(can_record_production(actor, order), denied)
    if order.status not in PRODUCTION_STEP_STATES:
        raise TransitionNotAllowed(wrong_state % {"state": order.get_status_display()})
    errors = {}
    if stage not in ProductionStep.Stage.values:
        errors["stage"] = _("Choose the production step.")
    note = (note or "").strip()
    if stage == ProductionStep.Stage.DELAYED and not note:
        errors["note"] = _("Say what delays production.")
    now = timezone.now()
    if occurred_at is not None and occurred_at > now + dt.timedelta(minutes=5):
        errors["occurred_at"] = _("A production step cannot be in the future.")
    if errors:
        raise ValidationError(errors, code="invalid")
    with locked(order, actor=actor, allowed=can_record_production, states=PRODUCTION_STEP_STATES,
                denied=denied, wrong_state=wrong_state) as root:
        step = ProductionStep.objects.create(order=root, stage=stage, note=note, occurred_at=occurred_at or now,
                                             recorded_by=actor)
        engine.note(root, actor=actor, kind="comment", action="production_step", comment=note,
                    data={"stage": stage})
    return step


def progress_question_answer(*, note: ContactEntry, actor: User, answer: str) -> ContactEntry:
    order = note.record
    _require(isinstance(order, Order) and can_work_order(actor, order),
             _("You are not allowed to answer on this order."))
    if note.kind != ContactEntry.Kind.QUESTION:
        raise TransitionNotAllowed(_("Only a customer question can be answered."))
    if note.answered_at:
        raise TransitionNotAllowed(_("This question was already answered."))
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the answer.")}, code="required")
    # Lock the order, then the note (parent first, REL-1), and decide on the locked rows.
    with locked(order, actor=actor, allowed=can_work_order,
                denied=_("You are not allowed to answer on this order.")):
        contact_answer(entry=note, actor=actor, answer=answer)
    note.refresh_from_db()
    return note


@transaction.atomic
def delivery_ship(*, order: Order, actor: User, quantities: dict[int, object], carrier: str = "",
                  shipped_at: dt.datetime | None = None) -> Delivery:
    """Record a shipment of part or all of the lines ({order_line_id: quantity}).

    The quantities outstanding are computed on the locked order (REL-1): two shipments of the
    last units at once cannot both pass."""
    with locked(order, actor=actor, allowed=can_work_order, states=(S.APPROVED, S.IN_PRODUCTION, S.DELIVERING),
                denied=_("You are not allowed to ship this order."),
                wrong_state=_("Only an approved order can be shipped (the order is “%(state)s”).")) as root:
        return _ship(root, actor=actor, quantities=quantities, carrier=carrier, shipped_at=shipped_at)


def _ship(root: Order, *, actor: User, quantities: dict[int, object], carrier: str,
          shipped_at: dt.datetime | None) -> Delivery:
    lines = {line.pk: line for line in root.lines.select_related("product")}
    # What is already on its way or received counts; a rejected shipment does not.
    committed = dict(DeliveryLine.objects.filter(order_line__order=root).exclude(
        delivery__status=Delivery.Status.REJECTED).values_list("order_line").annotate(total=Sum("quantity")))
    errors: dict = {}
    rows = []
    for line_id, raw in quantities.items():
        if raw in (None, "", 0, "0"):
            continue
        line = lines.get(parse_id(line_id))
        if line is None:
            errors[f"line.{line_id}"] = _("This line is not on the order.")
            continue
        quantity = _decimal(raw, f"line.{line_id}", errors)
        if quantity is None:
            continue
        outstanding = line.quantity - committed.get(line.pk, Decimal(0))
        if quantity > outstanding:
            errors[f"line.{line_id}"] = _("%(product)s: only %(left)s left to deliver, not %(qty)s.") % {
                "product": line.product.name, "left": outstanding.normalize(), "qty": quantity.normalize()}
            continue
        rows.append((line, quantity))
    if not rows and not errors:
        errors["quantities"] = _("Enter the quantity shipped for at least one line.")
    if errors:
        raise ValidationError(errors, code="invalid")
    engine.fire(root, "ship", actor=actor)
    number = (root.deliveries.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    delivery = Delivery.objects.create(order=root, number=number, shipped_at=shipped_at or timezone.now(),
                                       carrier=(carrier or "").strip()[:120], recorded_by=actor)
    DeliveryLine.objects.bulk_create([DeliveryLine(delivery=delivery, order_line=line, quantity=q) for line, q in rows])
    engine.record_created(delivery, actor=actor)
    return delivery


@transaction.atomic
def delivery_confirm(*, delivery: Delivery, actor: User, quality_note: str,
                     delivered_at: dt.datetime | None = None) -> Delivery:
    """The customer received the shipment and it passed the quality check; the order is
    delivered when nothing is outstanding any more. ``quality_note`` says what was inspected
    (required, like a rejection's reason).

    REL-1: the order is locked first. Two confirmations of different deliveries of one order
    used to lock only their delivery, each saw only its own line delivered, and the order
    stayed "delivering" for ever; now the second waits for the first and sees its lines.
    """
    order = lock(Order(pk=delivery.order_id))
    delivery = engine.fire(delivery, "confirm", actor=actor, quality_note=quality_note, delivered_at=delivered_at)
    if order.status == S.DELIVERING and not order.lines.filter(delivered_quantity__lt=F("quantity")).exists():
        engine.fire(order, "complete_delivery", actor=actor)
    return delivery


@transaction.atomic
def delivery_reject(*, delivery: Delivery, actor: User, comment: str, quality_note: str = "") -> Delivery:
    lock(Order(pk=delivery.order_id))  # parent first, as every write to a delivery (REL-1)
    return engine.fire(delivery, "reject", actor=actor, comment=comment, quality_note=quality_note or comment)


# --- ORD-3 installation and acceptance ------------------------------------------------------------

def installation_schedule(*, order: Order, actor: User, scheduled_for: dt.date | None, engineers: Iterable[User],
                          comment: str = "") -> Installation:
    engineers = list(engineers)
    engine.fire(order, "schedule_installation", actor=actor, comment=comment, scheduled_for=scheduled_for,
                engineers=engineers)
    return Installation.objects.get(order=order)


# States in which the plan of an installation may still change (ORD-3): the date before the engineers
# go on site; the engineers until the customer is asked to accept (a rework may need someone else).
RESCHEDULABLE = (Installation.Status.SCHEDULED,)
RESTAFFABLE = (Installation.Status.SCHEDULED, Installation.Status.ON_SITE, Installation.Status.REWORK)


@contextlib.contextmanager
def _installation_plan_locked(installation: Installation, actor: User, states, wrong_state: str):
    """REL-1: lock the order (the root) and re-check inside the lock that the actor may plan its
    installation (who may schedule may reschedule: the order's department, an administrator) and
    that it is being installed; then lock the installation and check its state. Yields the locked
    installation; everything written in the block is one transaction."""
    with locked(Order(pk=installation.order_id), actor=actor, allowed=can_work_order, states=(S.INSTALLING,),
                denied=_("You are not allowed to plan the installation of this order."),
                wrong_state=wrong_state) as order:
        root = lock(installation)
        if root.status not in states:
            raise TransitionNotAllowed(wrong_state, state=root.status)
        root.order = order
        yield root
    engine.sync_fields(root, installation)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why (the reason is recorded on the timeline).")}, code="required")
    return reason


def installation_reschedule(*, installation: Installation, actor: User, scheduled_for: dt.date | None,
                            reason: str) -> Installation:
    """ORD-3: move a scheduled installation to another date, saying why.

    An edit of the tracked date (``engine.edit``: old -> new on the timeline with the reason, and a
    date clock on it would move), decided under the order's lock; the engineers are told.
    """
    reason = _reason(reason)
    with _installation_plan_locked(installation, actor, RESCHEDULABLE,
                                   _("Only an installation that has not started on site can be rescheduled.")) as root:
        order = root.order
        error = installation_date_error(order, scheduled_for)
        if error is None and scheduled_for == root.scheduled_for:
            error = _("The installation is already scheduled on that date.")
        if error:
            raise ValidationError({"scheduled_for": error}, code="invalid")
        old = root.scheduled_for
        engine.edit(root, actor=actor, data={"scheduled_for": scheduled_for}, tracked=Installation.TRACKED_FIELDS,
                    comment=reason, action="reschedule", event_data={"old": old, "new": scheduled_for})
        notify(recipients=list(root.engineers.all()), exclude=actor, kind="installation_rescheduled",
               title=gettext_lazy("The installation of order %(number)s moved from %(old)s to %(new)s"),
               params={"number": order.number, "old": old.isoformat(), "new": scheduled_for.isoformat()},
               url=order.get_absolute_url() + "#installation")
    return installation


def installation_change_engineers(*, installation: Installation, actor: User, engineers: Iterable[User],
                                  reason: str) -> Installation:
    """ORD-3: name other engineers on the installation, saying why; those taken off and those added
    are told. On the timeline as an edit of the engineers (old -> new names) with the reason."""
    reason = _reason(reason)
    engineers = list(dict.fromkeys(engineers))
    with _installation_plan_locked(installation, actor, RESTAFFABLE,
                                   _("The engineers can change only until the customer is asked to accept.")) as root:
        error = engineers_error(engineers)
        old_ids = sorted(root.engineers.values_list("pk", flat=True))
        new_ids = sorted(e.pk for e in engineers)
        if error is None and old_ids == new_ids:
            error = _("These are already the installation's engineers.")
        if error:
            raise ValidationError({"engineers": error}, code="invalid")
        removed = list(User.objects.filter(pk__in=set(old_ids) - set(new_ids)))
        added = [e for e in engineers if e.pk not in old_ids]
        root.engineers.set(engineers)
        engine.record_change(root, actor=actor, field="engineers", old=old_ids, new=new_ids, comment=reason,
                             action="change_engineers",
                             data={"added": [e.pk for e in added], "removed": [e.pk for e in removed]})
        order = root.order
        params = {"number": order.number, "date": root.scheduled_for.isoformat()}
        url = order.get_absolute_url() + "#installation"
        notify(recipients=added, exclude=actor, kind="installation_scheduled",
               title=gettext_lazy("You are scheduled to install order %(number)s on %(date)s"), params=params, url=url)
        notify(recipients=removed, exclude=actor, kind="installation_unassigned",
               title=gettext_lazy("You are no longer scheduled to install order %(number)s"), params=params, url=url)
    return installation


def installation_start(*, installation: Installation, actor: User, comment: str = "") -> Installation:
    return engine.fire(installation, "start", actor=actor, comment=comment)


def installation_commission(*, installation: Installation, actor: User, site_work: str, checklist: list[dict],
                            measurements: list[dict] | None = None, notes: str = "") -> Installation:
    """Record the on-site work and the commissioning test (checklist, measurements)."""
    checklist = [{"item": str(c.get("item", "")).strip()[:200], "ok": bool(c.get("ok"))}
                 for c in (checklist or []) if str(c.get("item", "")).strip()]
    measurements = [{"name": str(m.get("name", "")).strip()[:100], "value": str(m.get("value", "")).strip()[:50],
                     "unit": str(m.get("unit", "")).strip()[:20]}
                    for m in (measurements or []) if str(m.get("name", "")).strip()]
    return engine.fire(installation, "commission", actor=actor, site_work=site_work, checklist=checklist,
                       measurements=measurements, notes=notes)


@transaction.atomic
def acceptance_record(*, installation: Installation, actor: User, result: str, remarks: str = "",
                      feedback: str = "", signatory: str = "") -> Installation:
    """ORD-3: the customer's acceptance (验收). Accepted (with or without remarks) completes the
    order and makes a follow-up visit due (ORD-4); rejected sends the installation to rework."""
    from .models import AcceptanceRound

    action = "reject" if result == AcceptanceRound.Result.REJECTED else "accept"
    # REL-1: the order first, then the installation; an order no longer installing (accepted by
    # a concurrent request) refuses the second acceptance before anything is written.
    lock(Order(pk=installation.order_id))
    installation = engine.fire(installation, action, actor=actor, comment=remarks, result=result, remarks=remarks,
                               feedback=feedback, signatory=signatory)
    if action == "accept":
        engine.fire(Order.objects.get(pk=installation.order_id), "accept", actor=actor, comment=remarks)
    return installation


def order_attach(*, order: Order, actor: User, upload, description: str = ""):
    """Photos, commissioning records, the signed acceptance form (WF-3)."""
    with locked(order, actor=actor, allowed=_may_attach, denied=_("You are not allowed to attach files to this order.")
                ) as root:
        return attachment_add(record=root, upload=upload, actor=actor, description=description)


def _may_attach(user: User, order: Order) -> bool:
    installation = Installation.objects.filter(order=order).first()
    return can_work_order(user, order) or (installation is not None and can_work_installation(user, installation))

