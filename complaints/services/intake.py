"""CMP-1 intake and the complaint's own transitions (CMP-2 assignment, the reply, closing
unresolved, cancelling). Every state change goes through the workflow table (engine.fire, which
locks the complaint); every other write locks the complaint first and re-checks on the locked row.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.contacts.models import ContactEntry
from qsm.contacts.services import contact_add
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.notify.services import notify
from qsm.org.models import Customer, User
from qsm.org.services import customer_pick
from qsm.sla.services import deadline_for, deadline_reassign
from qsm.workflow import engine
from qsm.workflow.locking import locked
from qsm.workflow.milestones import stage_complete
from qsm.workflow.services import next_number

from ..models import Complaint
from ..rules import can_assign_complaint, can_create_complaint, can_reply_complaint
from ..validation import clean_date, clean_text
from ..validation import require as _require
from ..workflows import INVESTIGATION, KIND_ASSIGNED, REPLY, RESOLUTION

S = Complaint.Status
NUMBER_PREFIX = "TS"  # 投诉


def local_time_text(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def promised_reply_sentence(complaint: Complaint) -> str:
    """§5(一)2: the acknowledgement logged at intake: the complaint's number and the promise the
    receiver reads to the customer from the page (``complaints.promise.promise_text``)."""
    from ..promise import promise_text

    return " ".join((_("Complaint %(number)s received.") % {"number": complaint.number}, promise_text(complaint)))


# --- intake ----------------------------------------------------------------------------------------

def complaint_create(*, actor: User, customer: Customer | None, channel: str, subject: str, description: str,
                     severity: str = Complaint.Severity.GENERAL, order=None, product=None, source_visit=None,
                     source_case=None, contact_name: str = "", contact_phone: str = "", customer_demand: str = "",
                     received_at: dt.datetime | None = None) -> Complaint:
    """CMP-1: log a complaint from any channel.

    The reply clock starts at ``received_at`` in working time (SLA policy by severity); its due is
    stored as ``promised_reply_at`` and told to the customer (``promised_reply_sentence``), and that
    acknowledgement goes into the contact log. The quality department is next: it assigns the
    investigator (``complaint_assign``).
    """
    _require(can_create_complaint(actor), _("You are not allowed to log complaints."))
    if actor.department_id is None:
        raise PermissionDenied(_("Your account belongs to no department, so it cannot log complaints."))
    errors: dict = {}
    if channel not in Complaint.Channel.values:
        errors["channel"] = _("Choose a channel.")
    if severity not in Complaint.Severity.values:
        errors["severity"] = _("Choose a severity.")
    if customer is None:
        errors["customer"] = _("Choose the customer.")
    subject = clean_text(errors, "subject", subject, multiline=False, required=_("Enter a subject."))
    description = clean_text(errors, "description", description, required=_("Describe the complaint."))
    customer_demand = clean_text(errors, "customer_demand", customer_demand)
    contact_name = clean_text(errors, "contact_name", contact_name, multiline=False, max_length=100)
    contact_phone = clean_text(errors, "contact_phone", contact_phone, multiline=False, max_length=40)
    now = timezone.now()
    received_at = clean_date(errors, "received_at", received_at or now, past=True)
    _linked_records_visible(errors, actor, order=order, source_case=source_case, source_visit=source_visit)
    if order is not None:
        if customer is not None and order.customer_id != customer.pk:
            errors["order"] = _("The order is not this customer's.")
        if product is not None and not order.lines.filter(product=product).exists():
            errors["product"] = _("The product is not on this order.")
    for name, source in (("source_visit", source_visit), ("source_case", source_case)):
        if source is not None and customer is not None and source.customer_id != customer.pk:
            errors[name] = _("The source record is not this customer's.")
    if errors:
        raise ValidationError(errors, code="invalid")

    with transaction.atomic():
        complaint = Complaint.objects.create(
            number=next_number(NUMBER_PREFIX, when=received_at), channel=channel, severity=severity,
            customer=customer, contact_name=contact_name, contact_phone=contact_phone, order=order, product=product,
            source_visit=source_visit, source_case=source_case, subject=subject, description=description,
            customer_demand=customer_demand, received_at=received_at, received_by=actor,
            receiving_department_id=actor.department_id,
        )
        engine.record_created(complaint, actor=actor, data={
            "source_visit": source_visit.pk if source_visit else None,
            "source_case": source_case.pk if source_case else None})
        complaint.promised_reply_at = deadline_for(record=complaint, stage=REPLY).due_at
        Complaint.objects.filter(pk=complaint.pk).update(promised_reply_at=complaint.promised_reply_at)
        contact_add(record=complaint, actor=actor, kind=ContactEntry.Kind.UPDATE, channel=complaint.contact_channel,
                    summary=promised_reply_sentence(complaint))
    return complaint


def _linked_records_visible(errors: dict, actor, *, order, source_case, source_visit) -> None:
    """A record the actor may not see cannot be linked (another department's order is a 404
    elsewhere; here a field error that says no more than that)."""
    from aftersales.rules import can_view_case, can_view_visit
    from orders.rules import can_view_order

    if order is not None and not can_view_order(actor, order):
        errors["order"] = _("No such order, or not one you may see.")
    if source_case is not None and not can_view_case(actor, source_case):
        errors["source_case"] = _("No such after-sales case.")
    if source_visit is not None and not can_view_visit(actor, source_visit):
        errors["source_visit"] = _("No such visit.")


@transaction.atomic
def complaint_intake(*, actor: User, new_customer: dict | None = None, customer: Customer | None = None,
                     **complaint) -> Complaint:
    """CMP-1 intake from the page or the API: an optional quick-created customer and the complaint, in
    one transaction (a refused complaint leaves no customer behind)."""
    if customer is None and new_customer is None and complaint.get("order") is not None:
        customer = complaint["order"].customer
    customer = customer_pick(actor=actor, customer=customer, new_customer=new_customer)
    return complaint_create(actor=actor, customer=customer, **complaint)


def complaint_create_from_visit(*, actor: User, visit, **overrides) -> Complaint:
    """CMP-1: "open a complaint from this visit": its customer, its order or case, what the customer said."""
    from aftersales.models import Case
    from aftersales.rules import can_view_visit
    from orders.models import Order

    _require(can_view_visit(actor, visit), _("You may not open this visit."))
    subject = visit.subject
    facts = {"customer": visit.customer, "source_visit": visit, "channel": Complaint.Channel.PHONE,
             "subject": _("Complaint from follow-up visit %(number)s") % {"number": visit.number},
             "description": "\n".join(t for t in (visit.comments, visit.suggestions) if t.strip())
             or _("Raised during follow-up visit %(number)s.") % {"number": visit.number}}
    if isinstance(subject, Order):
        facts["order"] = subject
    elif isinstance(subject, Case):
        facts.update(order=subject.order, product=subject.product, source_case=subject,
                     contact_name=subject.contact_name, contact_phone=subject.contact_phone)
    elif isinstance(subject, Complaint):  # the visit after a closed complaint: a new complaint
        facts.update(order=subject.order, product=subject.product, contact_name=subject.contact_name,
                     contact_phone=subject.contact_phone)
    return complaint_create(actor=actor, **{**facts, **overrides})


def complaint_create_from_case(*, actor: User, case, **overrides) -> Complaint:
    """CMP-1: "open a complaint from this after-sales case" (linked; its facts carried over)."""
    from aftersales.rules import can_view_case

    _require(can_view_case(actor, case), _("You may not open this after-sales case."))
    facts = {"customer": case.customer, "source_case": case, "order": case.order, "product": case.product,
             "channel": case.channel if case.channel in Complaint.Channel.values else Complaint.Channel.OTHER,
             "contact_name": case.contact_name, "contact_phone": case.contact_phone, "subject": case.subject,
             "description": case.description}
    return complaint_create(actor=actor, **{**facts, **overrides})


def complaint_create_from_order(*, actor: User, order, **overrides) -> Complaint:
    """CMP-1: "open a complaint from this order": its customer and the order (and its only product)."""
    from orders.rules import can_view_order

    _require(can_view_order(actor, order), _("You may not open this order."))
    products = list(order.lines.values_list("product_id", flat=True).distinct()[:2])
    facts = {"customer": order.customer, "order": order, "contact_name": (order.site_contact or "")[:100]}
    if len(products) == 1:
        facts["product"] = order.lines.first().product
    return complaint_create(actor=actor, **{**facts, **overrides})


# --- the complaint's own actions --------------------------------------------------------------------

def complaint_assign(*, complaint: Complaint, actor: User, investigator: User) -> Complaint:
    """CMP-2: the quality department names the investigator: a received complaint starts its
    investigation; later the investigator can be changed (the clocks follow)."""
    _require(can_assign_complaint(actor, complaint), _("Only the quality department assigns complaints."))
    if investigator is None or not getattr(investigator, "is_active", False):
        raise ValidationError({"investigator": _("Choose an active investigator.")}, code="invalid")
    with locked(complaint, actor=actor, allowed=can_assign_complaint, states=Complaint.OPEN_STATES,
                wrong_state=_("The complaint is “%(state)s”: its investigator no longer changes.")) as root:
        if root.status == S.RECEIVED:
            done = engine.fire(root, "assign", actor=actor, investigator=investigator)
        else:
            if root.investigator_id == investigator.pk:
                return root
            engine.edit(root, actor=actor, data={"investigator": investigator}, tracked=Complaint.TRACKED_FIELDS)
            for stage in (INVESTIGATION, RESOLUTION):
                deadline_reassign(record=root, stage=stage, owner=investigator,
                                  department=root.responsible_department or root.receiving_department)
            done = root
        notify(recipients=[investigator], exclude=actor, kind=KIND_ASSIGNED,
               title=gettext_lazy("Complaint %(number)s was assigned to you for investigation"),
               params={"number": done.number}, url=done.get_absolute_url())
    engine.sync_fields(done, complaint)
    return complaint


def complaint_reply(*, complaint: Complaint, actor: User, reply: str, channel: str | None = None,
                    replied_at: dt.datetime | None = None) -> Complaint:
    """§5(一)2: record the reply given to the customer, once, in any open state: the ``reply`` clock
    stops (met by the promised time or late) and the reply goes into the contact log."""
    errors: dict = {}
    reply = clean_text(errors, "reply", reply, required=_("Write the reply given to the customer."))
    replied_at = clean_date(errors, "replied_at", replied_at or timezone.now(), past=True)
    if errors:
        raise ValidationError(errors, code="invalid")
    with locked(complaint, actor=actor, allowed=can_reply_complaint, states=Complaint.OPEN_STATES,
                denied=_("You are not allowed to reply on this complaint."),
                wrong_state=_("The complaint is “%(state)s”: no reply is recorded any more.")) as root:
        if root.replied_at is not None:
            raise TransitionNotAllowed(_("The reply to this complaint was recorded already."), action="reply")
        if replied_at < root.received_at:
            raise ValidationError({"replied_at": _("The reply cannot come before the complaint was received.")},
                                  code="invalid")
        engine.edit(root, actor=actor, data={"reply": reply, "replied_at": replied_at},
                    tracked=Complaint.TRACKED_FIELDS, action="reply")
        stage_complete(root, REPLY, at=replied_at)
        contact_add(record=root, actor=actor, kind=ContactEntry.Kind.UPDATE,
                    channel=channel or root.contact_channel, summary=reply, occurred_at=replied_at)
    return complaint


def complaint_start_planning(*, complaint: Complaint, actor: User) -> Complaint:
    """CMP-2: root cause and responsibility recorded: the handling plan is next (the table's guard)."""
    return engine.fire(complaint, "start_planning", actor=actor)


def complaint_close_unresolved(*, complaint: Complaint, actor: User, reason: str) -> Complaint:
    """CMP-4: the quality manager's documented decision to close without a satisfied customer; the
    plan being worked on and its open measures are cancelled with it (the table's effect, under the
    complaint's lock); a follow-up visit is queued."""
    errors: dict = {}
    reason = clean_text(errors, "comment", reason, required=_("Give the reason for closing unresolved."))
    if errors:
        raise ValidationError(errors, code="invalid")
    return engine.fire(complaint, "close_unresolved", actor=actor, comment=reason)


def complaint_cancel(*, complaint: Complaint, actor: User, reason: str) -> Complaint:
    """A duplicate, or not a complaint: the quality manager cancels it (reason required)."""
    errors: dict = {}
    reason = clean_text(errors, "comment", reason, required=_("Give the reason for cancelling."))
    if errors:
        raise ValidationError(errors, code="invalid")
    return engine.fire(complaint, "cancel", actor=actor, comment=reason)

