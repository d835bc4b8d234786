"""Every write of the pre-sales module (PRE-1..4). Keyword-only, typed, atomic."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qsm.contacts.models import ContactEntry
from qsm.contacts.services import contact_add
from qsm.discussions import services as discussions
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.org.models import Customer, Department, Product, User
from qsm.org.services import NewCustomerInvalid as NewCustomerInvalid  # the core's; pages and API catch it here
from qsm.org.services import customer_pick
from qsm.workflow import engine
from qsm.workflow.locking import locked
from qsm.workflow.models import Event
from qsm.workflow.services import attachment_add, next_number

from .models import Channel, DiscussionNote, Inquiry, Priority, Solution
from .rules import can_attach_inquiry, can_create_inquiry, can_discuss_inquiry, can_log_inquiry, can_work_inquiry
from .workflows import INQUIRY_WORKFLOW

S = Inquiry.Status


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDenied(message)


def _require_open(inquiry: Inquiry) -> None:
    if not inquiry.is_open:
        raise TransitionNotAllowed(
            _("The inquiry is “%(state)s” and can no longer be changed.") % {"state": inquiry.get_status_display()}
        )


@transaction.atomic
def inquiry_intake(*, actor: User, new_customer: dict | None = None, customer: Customer | None = None,
                   **inquiry) -> Inquiry:
    """PRE-1 intake: an optional new customer and the inquiry, in one transaction.

    The quick-created customer exists only if the inquiry is logged too: any refusal of the
    inquiry rolls the customer back. Pages and the API both call this, so neither opens a
    transaction of its own.
    """
    customer = customer_pick(actor=actor, customer=customer, new_customer=new_customer)
    return inquiry_create(actor=actor, customer=customer, **inquiry)


@transaction.atomic
def inquiry_create(*, actor: User, channel: str, customer: Customer, subject: str, question: str,
                   products: Iterable[Product] = (), contact_name: str = "", contact_phone: str = "",
                   priority: str = Priority.NORMAL, answer: str = "", received_at: dt.datetime | None = None) -> Inquiry:
    """PRE-1: log an inquiry; its first-response clock starts at ``received_at``.

    When the answer is given during the call, it is recorded at once (the common phone case).
    """
    _require(can_create_inquiry(actor) or actor.has_perm("presales.add_inquiry"),
             _("Only staff of a business department can log inquiries."))
    if actor.department_id is None:
        # An inquiry belongs to a department (ORG-1); an account without one cannot own it.
        raise PermissionDenied(_("Your account belongs to no department, so it cannot log inquiries."))
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = _("Choose a channel.")
    if priority not in Priority.values:
        errors["priority"] = _("Choose a priority.")
    if not (subject or "").strip():
        errors["subject"] = _("Enter a subject.")
    if not (question or "").strip():
        errors["question"] = _("Write down the customer's question.")
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + dt.timedelta(minutes=5):
        errors["received_at"] = _("The time received cannot be in the future.")
    if errors:
        raise ValidationError(errors, code="invalid")
    inquiry = Inquiry.objects.create(
        number=next_number("INQ", when=received_at),
        channel=channel,
        priority=priority,
        customer=customer,
        contact_name=contact_name.strip()[:100],
        contact_phone=contact_phone.strip()[:40],
        subject=subject.strip()[:200],
        question=question.strip(),
        department=actor.department,
        owner=actor,
        received_at=received_at,
    )
    inquiry.products.set(products)
    engine.record_created(inquiry, actor=actor)  # starts the first-response clock (the workflow's table)
    if (answer or "").strip():
        inquiry = engine.fire(inquiry, "respond", actor=actor, answer=answer)
    return inquiry


def inquiry_update(*, inquiry: Inquiry, actor: User, data: dict, comment: str = "") -> Inquiry:
    """Edit the intake fields; every change of a tracked field lands on the timeline (WF-2)."""
    _require(can_work_inquiry(actor, inquiry), _("You are not allowed to change this inquiry."))
    _require_open(inquiry)
    allowed = {"channel", "priority", "customer", "contact_name", "contact_phone", "subject", "question"}
    unknown = set(data) - allowed - {"products"}
    if unknown:
        raise ValidationError({k: _("This field cannot be edited here.") for k in unknown}, code="invalid")
    if "subject" in data and not (data["subject"] or "").strip():
        raise ValidationError({"subject": _("Enter a subject.")}, code="required")
    if "question" in data and not (data["question"] or "").strip():
        raise ValidationError({"question": _("Write down the customer's question.")}, code="required")
    with locked(inquiry, actor=actor, allowed=can_work_inquiry, states=Inquiry.OPEN_STATES,
                denied=_("You are not allowed to change this inquiry."),
                wrong_state=_("The inquiry is “%(state)s” and can no longer be changed.")) as root:
        products = data.pop("products", None)
        engine.edit(root, actor=actor, data=data, tracked=Inquiry.TRACKED_FIELDS, comment=comment)
        if products is not None:
            _set_m2m_tracked(root, "products", products, actor)
    return root


def _set_m2m_tracked(inquiry: Inquiry, name: str, new_items, actor) -> None:
    manager = getattr(inquiry, name)
    old = sorted(manager.values_list("pk", flat=True))
    manager.set(list(new_items))
    new = sorted(manager.values_list("pk", flat=True))
    engine.record_change(inquiry, actor=actor, field=name, old=old, new=new)  # ids; names rendered when read


def inquiry_respond(*, inquiry: Inquiry, actor: User, answer: str) -> Inquiry:
    """PRE-1: the first answer given to the customer stops the first-response clock."""
    return engine.fire(inquiry, "respond", actor=actor, answer=answer)


def inquiry_analyse(*, inquiry: Inquiry, actor: User, needs_analysis: str, recommendation: str,
                    recommended_products: Iterable[Product] | None = None, is_complex: bool | None = None) -> Inquiry:
    """PRE-2: record the analysed needs and the recommended products / service plan."""
    _require(can_work_inquiry(actor, inquiry), _("You are not allowed to change this inquiry."))
    if inquiry.status not in (S.ANSWERED, S.DISCUSSION):
        raise TransitionNotAllowed(_("Needs are analysed after the first response, before hand-over."))
    if not (needs_analysis or "").strip():
        raise ValidationError({"needs_analysis": _("Describe the customer's needs.")}, code="required")
    data = {"needs_analysis": needs_analysis.strip(), "recommendation": (recommendation or "").strip()}
    if is_complex is not None:
        data["is_complex"] = bool(is_complex)
    # REL-1: re-checked on the locked inquiry; an analysis sent while it is handed over is refused.
    with locked(inquiry, actor=actor, allowed=can_work_inquiry, states=(S.ANSWERED, S.DISCUSSION),
                denied=_("You are not allowed to change this inquiry."),
                wrong_state=_("Needs are analysed after the first response, before hand-over.")) as root:
        engine.edit(root, actor=actor, data=data, tracked=Inquiry.TRACKED_FIELDS)
        if recommended_products is not None:
            _set_m2m_tracked(root, "recommended_products", recommended_products, actor)
    return root


def inquiry_mark_complex(*, inquiry: Inquiry, actor: User, is_complex: bool = True, comment: str = "") -> Inquiry:
    """PRE-2: flag a need as complex (it then goes to a cross-department discussion)."""
    _require(can_work_inquiry(actor, inquiry), _("You are not allowed to change this inquiry."))
    if inquiry.status not in (S.NEW, S.ANSWERED):
        raise TransitionNotAllowed(_("Only an inquiry that is not yet in discussion or handed over can be re-classified."))
    with locked(inquiry, actor=actor, allowed=can_work_inquiry, states=(S.NEW, S.ANSWERED),
                denied=_("You are not allowed to change this inquiry."),
                wrong_state=_("Only an inquiry that is not yet in discussion or handed over can be re-classified.")
                ) as root:
        engine.edit(root, actor=actor, data={"is_complex": is_complex}, tracked=Inquiry.TRACKED_FIELDS,
                    comment=comment)
    return root


def inquiry_open_discussion(*, inquiry: Inquiry, actor: User, topic: str, departments: Iterable[Department] = (),
                            users: Iterable[User] = (), comment: str = "") -> Inquiry:
    """PRE-3: a complex need is discussed with the invited departments and people."""
    return engine.fire(inquiry, "open_discussion", actor=actor, comment=comment, topic=topic,
                       departments=list(departments), users=list(users))


def discussion_note_add(*, inquiry: Inquiry, actor: User, body: str, meeting_at: dt.datetime | None = None
                        ) -> DiscussionNote:
    _require(can_discuss_inquiry(actor, inquiry), _("Only participants of the discussion can add notes."))
    if inquiry.status != S.DISCUSSION:
        raise TransitionNotAllowed(_("Notes are added while the discussion is open."))
    if not (body or "").strip():
        raise ValidationError({"body": _("Write the notes.")}, code="required")
    with locked(inquiry, actor=actor, allowed=can_discuss_inquiry, states=(S.DISCUSSION,),
                denied=_("Only participants of the discussion can add notes."),
                wrong_state=_("Notes are added while the discussion is open.")) as root:
        note = discussions.discussion_note_add(record=root, actor=actor, body=body, meeting_at=meeting_at)
        engine.note(root, actor=actor, kind=Event.Kind.MEETING_NOTE, action="discussion_note", comment=body.strip())
    return note


def solution_add(*, inquiry: Inquiry, actor: User, title: str, content: str, products: Iterable[Product] = ()
                 ) -> Solution:
    """PRE-3: record a new version of the tailored solution; earlier versions stay as they were."""
    _require(can_discuss_inquiry(actor, inquiry), _("Only participants of the discussion can write the solution."))
    if inquiry.status != S.DISCUSSION:
        raise TransitionNotAllowed(_("A tailored solution is recorded while the discussion is open."))
    # The title and content are checked by the core's solution_add, inside the lock.
    # Lock the inquiry so two authors cannot both create version N, and re-check that the
    # discussion is still open: a solution recorded after the hand-over is refused (REL-1).
    with locked(inquiry, actor=actor, allowed=can_discuss_inquiry, states=(S.DISCUSSION,),
                denied=_("Only participants of the discussion can write the solution."),
                wrong_state=_("A tailored solution is recorded while the discussion is open.")) as root:
        solution = discussions.solution_add(record=root, actor=actor, title=title, content=content,
                                            products=products)
        engine.note(root, actor=actor, kind=Event.Kind.SOLUTION, action="solution",
                    data={"version": solution.version, "title": solution.title})
    return solution


def solution_mark_sent(*, solution: Solution, actor: User, via: str) -> Solution:
    """PRE-3: the solution was sent to the customer (also logged as an outbound communication)."""
    inquiry = Inquiry.objects.get(pk=solution.discussion.object_id)
    _require(can_discuss_inquiry(actor, inquiry), _("Only participants of the discussion can send the solution."))
    if via not in Channel.values:
        raise ValidationError({"via": _("Choose how it was sent.")}, code="invalid")
    if solution.sent_at:
        raise TransitionNotAllowed(_("This version was already sent."))
    # REL-1: the inquiry first, then the solution; "already sent" is decided on the locked row,
    # so a double click logs one communication, not two.
    with locked(inquiry, actor=actor, allowed=can_discuss_inquiry,
                denied=_("Only participants of the discussion can send the solution.")) as root:
        solution = discussions.solution_mark_sent(solution=solution, via=via)
        contact_add(record=root, actor=actor, channel=via, direction=ContactEntry.Direction.OUTBOUND,
                    occurred_at=solution.sent_at,
                    summary=_("Sent tailored solution v%(version)s: %(title)s") % {"version": solution.version,
                                                                                  "title": solution.title})
    return solution


def communication_add(*, inquiry: Inquiry, actor: User, channel: str, direction: str, summary: str,
                      occurred_at: dt.datetime | None = None) -> ContactEntry:
    """PRE-4: keep the whole communication log (an entry of the core contact log on the inquiry)."""
    _require(can_log_inquiry(actor, inquiry), _("You are not allowed to log communication on this inquiry."))
    with locked(inquiry, actor=actor, allowed=can_log_inquiry,
                denied=_("You are not allowed to log communication on this inquiry.")) as root:
        return contact_add(record=root, actor=actor, kind=ContactEntry.Kind.COMMUNICATION, channel=channel,
                           direction=direction, summary=summary, occurred_at=occurred_at)


def inquiry_hand_over(*, inquiry: Inquiry, actor: User, department: Department | None, note: str = "") -> Inquiry:
    """PRE-4: pass the recorded needs to a business department, which must acknowledge them."""
    return engine.fire(inquiry, "hand_over", actor=actor, comment=note, department=department, note=note)


def inquiry_acknowledge(*, inquiry: Inquiry, actor: User, comment: str = "") -> Inquiry:
    return engine.fire(inquiry, "acknowledge", actor=actor, comment=comment)


def inquiry_return(*, inquiry: Inquiry, actor: User, comment: str) -> Inquiry:
    return engine.fire(inquiry, "return", actor=actor, comment=comment)


def inquiry_close(*, inquiry: Inquiry, actor: User, comment: str = "") -> Inquiry:
    return engine.fire(inquiry, "close", actor=actor, comment=comment)


def inquiry_reopen(*, inquiry: Inquiry, actor: User, comment: str) -> Inquiry:
    return engine.fire(inquiry, "reopen", actor=actor, comment=comment)


def inquiry_cancel(*, inquiry: Inquiry, actor: User, comment: str) -> Inquiry:
    return engine.fire(inquiry, "cancel", actor=actor, comment=comment)


def inquiry_fire(*, inquiry: Inquiry, actor: User, action: str, comment: str = "", **params) -> Inquiry:
    """Generic entry for the record page's action buttons; same table, same checks."""
    if action not in INQUIRY_WORKFLOW.by_action or action == "convert":
        raise TransitionNotAllowed(_("Unknown action."))
    return engine.fire(inquiry, action, actor=actor, comment=comment, **params)


def inquiry_attach(*, inquiry: Inquiry, actor: User, upload, description: str = ""):
    _require(can_attach_inquiry(actor, inquiry), _("You are not allowed to attach files to this inquiry."))
    with locked(inquiry, actor=actor, allowed=can_attach_inquiry,
                denied=_("You are not allowed to attach files to this inquiry.")) as root:
        return attachment_add(record=root, upload=upload, actor=actor, description=description)
