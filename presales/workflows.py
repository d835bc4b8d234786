"""The inquiry lifecycle (§3.1, PRE-1..4): state -> action -> (target, who may, what it needs).

    new --respond--> answered --open_discussion--> discussion
    answered|discussion --hand_over--> handed_over --acknowledge--> acknowledged --convert--> converted
    handed_over --return--> answered            answered --close--> closed --reopen--> answered
    new|answered|discussion --cancel--> cancelled

Clocks (SLA-1, run by the engine): ``first_response`` runs in ``new`` from the time received
(respond: met on time or late; withdraw: cancelled); ``handover_ack`` runs in ``handed_over``
(acknowledge: met or late; return: cancelled). Both by the SLA policy of the inquiry's channel and
priority.
"""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.errors import ValidationError
from qsm.notify.kinds import register_kind
from qsm.notify.services import notify
from qsm.org.models import Department
from qsm.workflow.clocks import MANAGERS, OWNER, Clock, Recipients
from qsm.workflow.colours import declare_colours
from qsm.workflow.engine import Transition, Workflow, register

from .models import Inquiry
from .rules import can_take_over_inquiry, can_work_inquiry

S = Inquiry.Status
FIRST_RESPONSE = "first_response"
HANDOVER_ACK = "handover_ack"


def _respond_guard(inquiry: Inquiry, actor, params: dict) -> None:
    answer = (params.get("answer") or inquiry.answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer given to the customer.")}, code="answer_required")


def _respond(inquiry: Inquiry, actor, params: dict) -> None:
    if params.get("answer"):
        inquiry.answer = params["answer"].strip()
    inquiry.responded_at = params.get("at") or timezone.now()


def _open_discussion_guard(inquiry: Inquiry, actor, params: dict) -> None:
    errors = {}
    # §3.1(2): only complex needs go to a cross-department discussion.
    if not inquiry.is_complex:
        errors["is_complex"] = _("Mark the inquiry as complex before opening a discussion.")
    if not (params.get("topic") or "").strip():
        errors["topic"] = _("Give the discussion a topic.")
    if not params.get("departments") and not params.get("users"):
        errors["departments"] = _("Invite at least one department or person.")
    if errors:
        raise ValidationError(errors, code="invalid")


def _open_discussion(inquiry: Inquiry, actor, params: dict) -> None:
    from qsm.discussions.services import discussion_open

    # A returned inquiry may come back to discussion: the same discussion goes on, invitations add up.
    departments = list(params.get("departments") or [])
    users = list(params.get("users") or [])
    discussion, _created = discussion_open(record=inquiry, actor=actor, topic=params["topic"],
                                           departments=departments, users=users)
    from qsm.org.models import User

    invitees = list(users) + list(User.objects.filter(department__in=departments, is_active=True))
    notify(recipients=invitees, exclude=actor, kind="inquiry_discussion",
           title=gettext_lazy("You are invited to discuss inquiry %(number)s: %(topic)s"),
           params={"number": inquiry.number, "topic": discussion.topic}, url=inquiry.get_absolute_url())


def _hand_over_guard(inquiry: Inquiry, actor, params: dict) -> None:
    department = params.get("department")
    if department is None:
        raise ValidationError({"department": _("Choose the business department to hand over to.")}, code="required")
    if department.kind != Department.Kind.BUSINESS or not department.is_active:
        raise ValidationError({"department": _("Inquiries are handed over to an active business department.")},
                              code="invalid")
    # §3.1(3) a hand-over passes the needs to another department; decided on the locked inquiry (REL-1).
    if department.pk == inquiry.department_id:
        raise ValidationError({"department": _("The inquiry already belongs to %(department)s: hand it over to "
                                               "another business department.") % {"department": department.name}},
                              code="same_department")
    # PRE-3: a complex need leaves the discussion only with a tailored solution on record.
    if inquiry.status == S.DISCUSSION and not inquiry.solutions.exists():
        raise ValidationError({"solution": _("Record the tailored solution before handing over.")},
                              code="solution_required")


def _hand_over(inquiry: Inquiry, actor, params: dict) -> None:
    department = params["department"]
    inquiry.handover_department = department
    inquiry.handover_note = (params.get("note") or "").strip()
    inquiry.handed_over_at = timezone.now()
    inquiry.acknowledged_by = None
    inquiry.acknowledged_at = None
    from qsm.org.models import User

    notify(recipients=User.objects.filter(department=department, is_active=True), exclude=actor,
           kind="inquiry_handover", title=gettext_lazy("Inquiry %(number)s was handed over to your department: %(subject)s"),
           params={"number": inquiry.number, "subject": inquiry.subject}, url=inquiry.get_absolute_url())


def _acknowledge(inquiry: Inquiry, actor, params: dict) -> None:
    inquiry.acknowledged_by = actor
    inquiry.acknowledged_at = timezone.now()
    notify(recipients=[inquiry.owner], exclude=actor, kind="inquiry_acknowledged",
           title=gettext_lazy("%(department)s acknowledged inquiry %(number)s"),
           params={"department": inquiry.handover_department.name, "number": inquiry.number},
           url=inquiry.get_absolute_url())


def _return(inquiry: Inquiry, actor, params: dict) -> None:
    notify(recipients=[inquiry.owner], exclude=actor, kind="inquiry_returned",
           title=gettext_lazy("Inquiry %(number)s was returned by %(department)s"),
           params={"number": inquiry.number, "department": inquiry.handover_department.name},
           url=inquiry.get_absolute_url())
    inquiry.handover_department = None
    inquiry.handed_over_at = None


def _finish(inquiry: Inquiry, actor, params: dict) -> None:
    inquiry.closed_at = timezone.now()


def _reopen(inquiry: Inquiry, actor, params: dict) -> None:
    inquiry.closed_at = None


def _title(inquiry: Inquiry) -> str:
    return f"{inquiry.number} {inquiry.subject}"


INQUIRY_CLOCKS = [
    # PRE-1: the first answer to the customer, from the moment the inquiry was received.
    Clock(FIRST_RESPONSE, label=gettext_lazy("First response"), states=(S.NEW,), cancel_on=("cancel",), title=_title, channel="channel",
          priority="priority", owner=lambda i: i.owner, department=lambda i: i.department,
          started=lambda i: i.received_at, completed=lambda i: i.responded_at),
    # PRE-4: the receiving business department acknowledges the hand-over; a refusal cancels it.
    Clock(HANDOVER_ACK, label=gettext_lazy("Hand-over acknowledgement"), states=(S.HANDED_OVER,), cancel_on=("return",), title=_title, channel="channel",
          priority="priority", department=lambda i: i.handover_department,
          # Nobody owns a hand-over until the receiving department takes it: its managers, who
          # dispatch the work, are reminded (not its fifty members); whoever owns it, if set, is.
          remind_to=Recipients(assigned=(OWNER,), unassigned=(MANAGERS,))),
]


INQUIRY_WORKFLOW = register(
    Workflow(
        model=Inquiry,
        transitions=[
            Transition("respond", (S.NEW,), S.ANSWERED, gettext_lazy("Record first response"), can_work_inquiry,
                       guard=_respond_guard, effect=_respond),
            Transition("open_discussion", (S.ANSWERED,), S.DISCUSSION, gettext_lazy("Open discussion"), can_work_inquiry,
                       guard=_open_discussion_guard, effect=_open_discussion),
            Transition("hand_over", (S.ANSWERED, S.DISCUSSION), S.HANDED_OVER, gettext_lazy("Hand over"), can_work_inquiry,
                       guard=_hand_over_guard, effect=_hand_over),
            Transition("acknowledge", (S.HANDED_OVER,), S.ACKNOWLEDGED, gettext_lazy("Acknowledge"), can_take_over_inquiry,
                       effect=_acknowledge, style="success"),
            # The receiving department may refuse a hand-over, but must say why.
            Transition("return", (S.HANDED_OVER,), S.ANSWERED, gettext_lazy("Return to sender"), can_take_over_inquiry,
                       effect=_return, comment_required=True, style="warning"),
            # Fired by orders.services.order_create_from_inquiry, never directly from a page.
            Transition("convert", (S.ACKNOWLEDGED,), S.CONVERTED, gettext_lazy("Convert to order"), can_take_over_inquiry,
                       effect=_finish, style="success"),
            Transition("close", (S.ANSWERED,), S.CLOSED, gettext_lazy("Close"), can_work_inquiry, effect=_finish,
                       style="secondary"),
            Transition("reopen", (S.CLOSED,), S.ANSWERED, gettext_lazy("Reopen"), can_work_inquiry, effect=_reopen,
                       comment_required=True, style="secondary"),
            Transition("cancel", (S.NEW, S.ANSWERED, S.DISCUSSION), S.CANCELLED, gettext_lazy("Withdraw"), can_work_inquiry,
                       effect=_finish, comment_required=True, style="danger"),
        ],
        clocks=INQUIRY_CLOCKS,
    )
)

declare_colours(Inquiry, {
    S.NEW: "primary", S.ANSWERED: "info", S.DISCUSSION: "warning", S.HANDED_OVER: "secondary",
    S.ACKNOWLEDGED: "success", S.CONVERTED: "success", S.CLOSED: "dark", S.CANCELLED: "light",
})


# The notifications this module sends (``Notification.kind``), named for the admin and the API.
for _kind, _label in [
    ("inquiry_discussion", gettext_lazy("Invited to an inquiry discussion")),
    ("inquiry_handover", gettext_lazy("Inquiry handed over to your department")),
    ("inquiry_acknowledged", gettext_lazy("Inquiry acknowledged")),
    ("inquiry_returned", gettext_lazy("Inquiry returned")),
]:
    register_kind(_kind, _label)
