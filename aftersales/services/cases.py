"""AFS-1/AFS-2 writes of an after-sales case. Every state change goes through the workflow table
(engine.fire); a service that reads state and decides locks the case first."""
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
from qsm.org.models import Customer, Department, User
from qsm.org.selectors import department_managers
from qsm.org.services import NewCustomerInvalid as NewCustomerInvalid  # the core's; pages and API catch it here
from qsm.org.services import customer_pick
from qsm.sla.services import deadline_reassign
from qsm.workflow import engine
from qsm.workflow.locking import locked
from qsm.workflow.services import attachment_add, next_number

from ..models import Case, Channel
from ..routing import route
from ..rules import can_create_case, can_reroute_case, can_work_case
from ..workflows import CASE_WORKFLOW, reopen_days

S = Case.Status


def case_create(*, actor, customer, channel: str, case_type: str, severity: str, subject: str, description: str,
                contact_name: str = "", contact_phone: str = "", order=None, delivery=None, product=None,
                received_at: dt.datetime | None = None, source_visit=None) -> Case:
    """AFS-1: log a piece of customer feedback and route it.

    The routing rules (aftersales.routing) pick the department and the default owner; without a
    matching rule the case stays with the actor's department and the actor. Its reply and
    resolution clocks start at ``received_at`` (the workflow's table); the owner is told when the
    case was logged by someone else.
    """
    if not can_create_case(actor):
        raise PermissionDenied(_("You are not allowed to log after-sales cases."))
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = _("Choose a channel.")
    if case_type not in Case.Type.values:
        errors["case_type"] = _("Choose the type of problem.")
    if severity not in Case.Severity.values:
        errors["severity"] = _("Choose a severity.")
    if customer is None:
        errors["customer"] = _("Choose the customer.")
    if not (subject or "").strip():
        errors["subject"] = _("Enter a subject.")
    if not (description or "").strip():
        errors["description"] = _("Describe the customer's problem.")
    if delivery is not None:
        if order is None:
            order = delivery.order
        elif delivery.order_id != order.pk:
            errors["delivery"] = _("The delivery is not one of this order's.")
    if order is not None:
        if customer is not None and order.customer_id != customer.pk:
            errors["order"] = _("The order is not this customer's.")
        if product is not None and not order.lines.filter(product=product).exists():
            errors["product"] = _("The product is not on this order.")
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + dt.timedelta(minutes=5):
        errors["received_at"] = _("The time received cannot be in the future.")
    if errors:
        raise ValidationError(errors, code="invalid")

    routed = route(product=product, case_type=case_type, severity=severity)
    if routed is not None:
        department, owner = routed
    else:
        department, owner = actor.department, None
    if department is None:
        raise PermissionDenied(_("Your account belongs to no department, so it cannot log after-sales cases."))
    if owner is None and actor.department_id == department.pk:
        owner = actor
    if owner is None:
        # Routed to another department without a default owner: its manager dispatches it (and
        # without one, whoever logged it keeps it: a case always has an owner).
        owner = department_managers(department=department).order_by("pk").first() or actor
    with transaction.atomic():
        case = Case.objects.create(
            number=next_number("AS", when=received_at), channel=channel, case_type=case_type, severity=severity,
            customer=customer, contact_name=(contact_name or "").strip()[:100],
            contact_phone=(contact_phone or "").strip()[:40], subject=subject.strip()[:200],
            description=description.strip(), order=order, delivery=delivery, product=product,
            department=department, owner=owner, received_at=received_at, source_visit=source_visit,
        )
        engine.record_created(case, actor=actor, data={"routed": routed is not None,
                                                       "source_visit": source_visit.pk if source_visit else None})
        notify(recipients=[owner], exclude=actor, kind="case_assigned",
               title=gettext_lazy("After-sales case %(number)s was assigned to you"), params={"number": case.number},
               url=case.get_absolute_url())
    return case


# --- everything else a case goes through (AFS-1 re-routing, AFS-2 diagnosis and resolution) -------------
# Each write locks the case first and re-checks the state and the actor's right on the locked row
# (REL-1): the transitions through the engine (which locks), the other writes through ``locked``.


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDenied(message)


@transaction.atomic
def case_intake(*, actor: User, new_customer: dict | None = None, customer: Customer | None = None,
                **case) -> Case:
    """AFS-1 intake from the page or the API: an optional quick-created customer and the case, in
    one transaction (a refused case leaves no customer behind)."""
    if customer is None and new_customer is None and case.get("order") is not None:
        customer = case["order"].customer  # the order names its customer: nothing to pick twice
    customer = customer_pick(actor=actor, customer=customer, new_customer=new_customer)
    return case_create(actor=actor, customer=customer, **case)


def case_fire(*, case: Case, actor: User, action: str, comment: str = "", **params) -> Case:
    """The record page's plain action buttons: the same table and checks as the named services."""
    if action not in CASE_WORKFLOW.by_action:
        raise TransitionNotAllowed(_("Unknown action."))
    if action in ("resume", "resume_special"):
        return case_resume(case=case, actor=actor, comment=comment)
    if action == "reopen":
        return case_reopen(case=case, actor=actor, comment=comment)
    return engine.fire(case, action, actor=actor, comment=comment, **params)


def case_reply(*, case: Case, actor: User, reply: str, comment: str = "") -> Case:
    """AFS-2: the first answer to the customer stops the reply clock; the case is being worked."""
    return engine.fire(case, "reply", actor=actor, comment=comment, reply=reply)


DIAGNOSIS_FIELDS = ("diagnosis", "cause", "cause_detail", "solution")
DIAGNOSIS_STATES = (S.IN_PROGRESS, S.SPECIAL, S.WAITING_CUSTOMER)


def case_diagnose(*, case: Case, actor: User, comment: str = "", **fields) -> Case:
    """AFS-2: record (or correct) the diagnosis, the cause (an active cause of the taxonomy, either
    level) with its free-text detail, and the solution. One edit on the timeline lists what changed."""
    unknown = set(fields) - set(DIAGNOSIS_FIELDS)
    if unknown:
        raise ValidationError({k: _("This field cannot be edited here.") for k in sorted(unknown)}, code="invalid")
    data = {}
    for name in ("diagnosis", "cause_detail", "solution"):
        if name in fields and fields[name] is not None:
            data[name] = (fields[name] or "").strip()
    if "cause" in fields:
        cause = fields["cause"]
        if cause is not None and not cause.is_active:
            raise ValidationError({"cause": _("This cause is no longer in use: choose another.")}, code="invalid")
        data["cause"] = cause
    if not data:
        raise ValidationError({"diagnosis": _("Nothing to record: give the diagnosis, cause or solution.")},
                              code="required")
    with locked(case, actor=actor, allowed=can_work_case, states=DIAGNOSIS_STATES,
                denied=_("You are not allowed to work on this case."),
                wrong_state=_("The diagnosis is recorded while the case is being worked on (it is “%(state)s”).")
                ) as root:
        engine.edit(root, actor=actor, data=data, tracked=Case.TRACKED_FIELDS, comment=comment)
    return root


def case_mark_complex(*, case: Case, actor: User, comment: str = "") -> Case:
    """AFS-2: a complex problem goes to the special-solution flow (discussion, special plan)."""
    return engine.fire(case, "mark_complex", actor=actor, comment=comment)


def case_wait_customer(*, case: Case, actor: User, comment: str) -> Case:
    """SLA-1: waiting for the customer pauses the clocks; the page shows it."""
    return engine.fire(case, "wait_customer", actor=actor, comment=comment)


def case_resume(*, case: Case, actor: User, comment: str = "") -> Case:
    """The customer answered: back to work, or back to the special-solution flow of a complex case
    (decided on the locked case: its complexity may have changed since the page was read)."""
    with locked(case, actor=actor, allowed=can_work_case, states=(S.WAITING_CUSTOMER,),
                denied=_("You are not allowed to work on this case."),
                wrong_state=_("The case is “%(state)s”: it is not waiting for the customer.")) as root:
        action = "resume_special" if root.is_complex else "resume"
        root = engine.fire(root, action, actor=actor, comment=comment)
    return root


def case_resolve(*, case: Case, actor: User, comment: str = "") -> Case:
    """AFS-2: diagnosis, cause and solution recorded (a complex case: its plan done); schedules the
    follow-up visit through the core queue (VIS-1)."""
    return engine.fire(case, "resolve", actor=actor, comment=comment)


def case_reopen(*, case: Case, actor: User, comment: str) -> Case:
    """AFS-2: the same problem again within N days reopens the same case (counted); later, a new
    case is logged instead (refused here with a message that says so)."""
    with locked(case, actor=actor, allowed=can_work_case, states=(S.RESOLVED,),
                denied=_("You are not allowed to work on this case."),
                wrong_state=_("Only a resolved case can be reopened (it is “%(state)s”).")) as root:
        days = reopen_days()
        if root.resolved_at is not None and timezone.now() - root.resolved_at > dt.timedelta(days=days):
            raise TransitionNotAllowed(
                _("This case was resolved more than %(days)s days ago: log a new case for the problem "
                  "instead of reopening it.") % {"days": days}, action="reopen", state=root.status)
        root = engine.fire(root, "reopen", actor=actor, comment=comment)
    return root


def case_close(*, case: Case, actor: User, comment: str = "") -> Case:
    return engine.fire(case, "close", actor=actor, comment=comment)


def case_cancel(*, case: Case, actor: User, comment: str) -> Case:
    return engine.fire(case, "cancel", actor=actor, comment=comment)


def case_reroute(*, case: Case, actor: User, reason: str, department: Department | None = None,
                 owner: User | None = None) -> Case:
    """AFS-1: hand the case to another department and/or owner. A reason is required; the change is
    a line on the timeline, the running clocks follow the new owner, and the new owner is told."""
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why the case is re-routed.")
    if department is None and owner is None:
        errors["owner"] = _("Choose the new department or owner.")
    if department is not None and not department.is_active:
        errors["department"] = _("This department is no longer active.")
    if owner is not None and not owner.is_active:
        errors["owner"] = _("This person is no longer active.")
    if errors:
        raise ValidationError(errors, code="invalid")
    with locked(case, actor=actor, allowed=can_reroute_case, states=Case.OPEN_STATES,
                denied=_("You are not allowed to re-route this case."),
                wrong_state=_("The case is “%(state)s” and can no longer be re-routed.")) as root:
        new_department = department or root.department
        new_owner = owner
        if new_owner is None:
            if root.owner.department_id != new_department.pk:
                raise ValidationError({"owner": _("Choose the new owner in %(department)s.")
                                       % {"department": new_department.name}}, code="required")
            new_owner = root.owner
        if new_owner.department_id != new_department.pk:
            raise ValidationError({"owner": _("%(person)s does not work in %(department)s.")
                                   % {"person": new_owner, "department": new_department.name}}, code="invalid")
        if new_department.pk == root.department_id and new_owner.pk == root.owner_id:
            raise ValidationError({"owner": _("The case is already with this department and owner.")},
                                  code="invalid")
        engine.edit(root, actor=actor, data={"department": new_department, "owner": new_owner},
                    tracked=("department", "owner"), comment=reason, action="reroute")
        for clock in CASE_WORKFLOW.clocks:
            deadline_reassign(record=root, stage=clock.stage, owner=new_owner, department=new_department)
        notify(recipients=[new_owner], exclude=actor, kind="case_rerouted",
               title=gettext_lazy("After-sales case %(number)s was routed to you: %(subject)s"),
               body=gettext_lazy("Reason: %(reason)s"),
               params={"number": root.number, "subject": root.subject, "reason": reason},
               url=root.get_absolute_url())
    return root


CONTACT_STATES = (*Case.OPEN_STATES, S.RESOLVED)


def case_contact_add(*, case: Case, actor: User, channel: str, summary: str,
                     kind: str = ContactEntry.Kind.COMMUNICATION, direction: str | None = None,
                     occurred_at: dt.datetime | None = None) -> ContactEntry:
    """The contact log with the customer (qsm.contacts): calls, e-mails, updates, questions."""
    with locked(case, actor=actor, allowed=can_work_case, states=CONTACT_STATES,
                denied=_("You are not allowed to log contacts on this case."),
                wrong_state=_("The case is “%(state)s”: nothing more is logged on it.")) as root:
        return contact_add(record=root, actor=actor, kind=kind, channel=channel, direction=direction,
                           summary=summary, occurred_at=occurred_at)


def case_attach(*, case: Case, actor: User, upload, description: str = ""):
    """WF-3: evidence, photos, reports on the case."""
    with locked(case, actor=actor, allowed=can_work_case,
                denied=_("You are not allowed to attach files to this case.")) as root:
        return attachment_add(record=root, upload=upload, actor=actor, description=description)
