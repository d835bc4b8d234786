"""QC-3: the lifecycles of a rectification notice and its plans (WF-1) and their clocks (SLA-1/SLA-2).

Notice (the root: plan decisions, completion and verification lock it first):
    issued --start (SYSTEM: a plan of it was approved)--> rectifying
    rectifying --report (the department; a note and at least one evidence file of this round)--> reported
    reported --verify (quality dept)--> closed
    reported --reopen (quality dept; reason required)--> rectifying           (round + 1)
    issued|rectifying|reported --cancel (quality manager; reason required)--> cancelled
        (its effect withdraws a plan still in draft or awaiting approval)
Rectification plan:
    draft --submit (the department; guard: a cause and measures with owner and date)--> submitted
    submitted --approve (can_approve_for the department, never the author)--> approved
        (its effect starts the notice's rectification when the notice was only issued)
    submitted --reject (same; reason required)--> rejected        (revised as the next version)
    draft --withdraw (the department)--> cancelled
    draft|submitted --cancel (SYSTEM: the notice was cancelled)--> cancelled

Clocks: ``rectification`` runs to the notice's ``deadline`` while issued or rectifying (the
department's managers reminded 2 working days before; late: its managers AND the quality
department); ``verification`` (a policy) while reported, the quality department reminded;
``rectification_approval`` (a policy) while a plan is submitted, the department's managers
reminded, late the quality department too.
"""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.errors import ValidationError
from qsm.notify.kinds import register_kind
from qsm.parsing import has_control_chars
from qsm.workflow.clocks import MANAGERS, QUALITY, Clock, Recipients
from qsm.workflow.colours import declare_colours
from qsm.workflow.engine import Transition, Workflow, fire, register

from ..rules import SYSTEM, actor_user, quality_department, system_only
from .models import Notice, RectificationPlan
from .rules import (
    can_answer_notice,
    can_cancel_notice,
    can_decide_rectification,
    can_propose_rectification,
    can_verify_notice,
)

N = Notice.Status
P = RectificationPlan.Status

RECTIFICATION = "rectification"
VERIFICATION = "verification"
PLAN_APPROVAL = "rectification_approval"
NOTE_MAX = 10000


def _text(params: dict, name: str) -> str:
    return (params.get(name) or "").strip()


def _note(params: dict) -> str:
    return _text(params, "note") or _text(params, "comment")


def round_started_at(notice: Notice):
    """When the current round began: the notice's issue, or its last reopening."""
    from django.contrib.contenttypes.models import ContentType

    from qsm.workflow.models import Event

    if notice.round <= 1:
        return None
    last = Event.objects.filter(content_type=ContentType.objects.get_for_model(Notice), object_id=notice.pk,
                                action="reopen").order_by("-id").values_list("created_at", flat=True).first()
    return last


def evidence_of_round(notice: Notice):
    """The evidence files attached to the notice in its current round."""
    files = notice.attachments.all()
    since = round_started_at(notice)
    return files.filter(uploaded_at__gte=since) if since else files


# --- notice ----------------------------------------------------------------------------------------

def _start_guard(notice: Notice, actor, params: dict) -> None:
    if not notice.plans.filter(status=P.APPROVED).exists():
        raise ValidationError({"plan": _("No rectification plan of this notice is approved.")}, code="plan_not_approved")


def _report_guard(notice: Notice, actor, params: dict) -> None:
    errors = {}
    note = _note(params)
    if not note:
        errors["note"] = _("Say what was rectified.")
    elif len(note) > NOTE_MAX or has_control_chars(note):
        errors["note"] = _("Enter plain text of at most 10,000 characters.")
    if not evidence_of_round(notice).exists():
        errors["attachments"] = _("Attach at least one piece of evidence.")
    if errors:
        raise ValidationError(errors, code="invalid")


def _report(notice: Notice, actor, params: dict) -> None:
    notice.completion_note = _note(params)
    notice.completed_at = timezone.now()
    notice.completed_by = actor_user(actor)


def _verify_guard(notice: Notice, actor, params: dict) -> None:
    note = _note(params)
    if len(note) > NOTE_MAX or has_control_chars(note):
        raise ValidationError({"note": _("Enter plain text of at most 10,000 characters.")}, code="invalid")


def _verify(notice: Notice, actor, params: dict) -> None:
    now = timezone.now()
    notice.verified_by = actor_user(actor)
    notice.verified_at = now
    notice.verification_note = _note(params)
    notice.closed_at = now


def _reopen(notice: Notice, actor, params: dict) -> None:
    notice.round += 1
    notice.reopen_reason = _text(params, "comment")
    notice.completed_at = None
    notice.completed_by = None


def _cancel(notice: Notice, actor, params: dict) -> None:
    notice.cancel_reason = _text(params, "comment")
    # The plan still being proposed goes with it (children after the notice: REL-1's order).
    for plan in RectificationPlan.objects.filter(notice=notice, status__in=(P.DRAFT, P.SUBMITTED)):
        fire(plan, "cancel", actor=SYSTEM)


def _notice_title(notice: Notice) -> str:
    return f"{notice.number} {notice.title}"


NOTICE_WORKFLOW = register(Workflow(model=Notice, clocks=[
    Clock(RECTIFICATION, label=gettext_lazy("Rectification"), states=(N.ISSUED, N.RECTIFYING), due="deadline",
          lead_days=2, cancel_on=("cancel",), title=_notice_title, owner=None, department=lambda n: n.department,
          remind_to=Recipients(assigned=(MANAGERS,), unassigned=(MANAGERS,)),
          escalate_to=Recipients(assigned=(MANAGERS, QUALITY), unassigned=(MANAGERS, QUALITY))),
    Clock(VERIFICATION, label=gettext_lazy("Rectification verification"), states=(N.REPORTED,),
          cancel_on=("cancel",), title=_notice_title, owner=None, department=lambda n: quality_department(),
          remind_to=Recipients(assigned=(QUALITY,), unassigned=(QUALITY,)),
          escalate_to=Recipients(assigned=(MANAGERS, QUALITY), unassigned=(MANAGERS, QUALITY))),
], transitions=[
    Transition("start", (N.ISSUED,), N.RECTIFYING, gettext_lazy("Plan approved: rectify"), system_only,
               guard=_start_guard),
    Transition("report", (N.RECTIFYING,), N.REPORTED, gettext_lazy("Report completion"), can_answer_notice,
               guard=_report_guard, effect=_report, style="success"),
    Transition("verify", (N.REPORTED,), N.CLOSED, gettext_lazy("Verify and close"), can_verify_notice,
               guard=_verify_guard, effect=_verify, style="success"),
    Transition("reopen", (N.REPORTED,), N.RECTIFYING, gettext_lazy("Reopen"), can_verify_notice,
               effect=_reopen, comment_required=True, style="warning"),
    Transition("cancel", Notice.OPEN_STATES, N.CANCELLED, gettext_lazy("Cancel"), can_cancel_notice,
               effect=_cancel, comment_required=True, style="danger"),
]))


# --- plan ------------------------------------------------------------------------------------------

def plan_missing(plan: RectificationPlan) -> dict:
    """QC-3: what a plan needs before it is submitted (field -> message); empty when complete."""
    errors = {}
    if not plan.cause.strip():
        errors["cause"] = _("Describe the cause.")
    measures = list(plan.measures.all())
    if not measures:
        errors["measures"] = _("Add at least one measure.")
    elif any(not m.description.strip() or m.owner_id is None or m.due_on is None for m in measures):
        errors["measures"] = _("Every measure needs a description, a person responsible and a date.")
    return errors


def _submit_guard(plan: RectificationPlan, actor, params: dict) -> None:
    errors = plan_missing(plan)
    if plan.notice.status not in (N.ISSUED, N.RECTIFYING):
        errors["notice"] = _("The notice is not waiting for a plan.")
    if errors:
        raise ValidationError(errors, code="invalid")


def _submit(plan: RectificationPlan, actor, params: dict) -> None:
    plan.submitted_at = timezone.now()


def _decide_guard(plan: RectificationPlan, actor, params: dict) -> None:
    if plan.notice.status not in (N.ISSUED, N.RECTIFYING):
        raise ValidationError({"notice": _("The notice is no longer open for a plan.")}, code="notice_closed")


def _decided(plan: RectificationPlan, actor, params: dict) -> None:
    plan.decided_by = actor_user(actor)
    plan.decided_at = timezone.now()


def _approve(plan: RectificationPlan, actor, params: dict) -> None:
    _decided(plan, actor, params)
    # The plan is saved approved after this effect; the notice's guard reads the plans, so the
    # plan's status is written first (same transaction, row already locked).
    RectificationPlan.objects.filter(pk=plan.pk).update(status=P.APPROVED)
    notice = plan.notice
    if notice.status == N.ISSUED:
        fire(notice, "start", actor=SYSTEM)


def _reject(plan: RectificationPlan, actor, params: dict) -> None:
    _decided(plan, actor, params)
    plan.reject_reason = _text(params, "comment")


RECTIFICATION_PLAN_WORKFLOW = register(Workflow(model=RectificationPlan, clocks=[
    Clock(PLAN_APPROVAL, label=gettext_lazy("Rectification plan approval"), states=(P.SUBMITTED,),
          cancel_on=("cancel",), title=lambda p: f"{p.number} {p.notice.title}", owner=None,
          department=lambda p: p.department,
          remind_to=Recipients(assigned=(MANAGERS,), unassigned=(MANAGERS,)),
          escalate_to=Recipients(assigned=(MANAGERS, QUALITY), unassigned=(MANAGERS, QUALITY))),
], transitions=[
    Transition("submit", (P.DRAFT,), P.SUBMITTED, gettext_lazy("Submit for approval"), can_propose_rectification,
               guard=_submit_guard, effect=_submit),
    Transition("approve", (P.SUBMITTED,), P.APPROVED, gettext_lazy("Approve"), can_decide_rectification,
               guard=_decide_guard, effect=_approve, style="success"),
    Transition("reject", (P.SUBMITTED,), P.REJECTED, gettext_lazy("Reject"), can_decide_rectification,
               guard=_decide_guard, effect=_reject, comment_required=True, style="danger"),
    Transition("withdraw", (P.DRAFT,), P.CANCELLED, gettext_lazy("Withdraw"), can_propose_rectification,
               style="secondary"),
    Transition("cancel", (P.DRAFT, P.SUBMITTED), P.CANCELLED, gettext_lazy("Cancel"), system_only),
]))

declare_colours(Notice, {N.ISSUED: "warning", N.RECTIFYING: "primary", N.REPORTED: "info", N.CLOSED: "success",
                         N.CANCELLED: "light"})
declare_colours(RectificationPlan, {P.DRAFT: "secondary", P.SUBMITTED: "warning", P.APPROVED: "success",
                                    P.REJECTED: "danger", P.CANCELLED: "light"})

KIND_NOTICE_ISSUED = "rectification_notice_issued"
KIND_PLAN_SUBMITTED = "rectification_plan_submitted"
KIND_PLAN_DECIDED = "rectification_plan_decided"
KIND_NOTICE_REPORTED = "rectification_notice_reported"
KIND_NOTICE_VERIFIED = "rectification_notice_verified"
KIND_NOTICE_REOPENED = "rectification_notice_reopened"
for _kind, _label in [
    (KIND_NOTICE_ISSUED, gettext_lazy("Rectification notice issued to your department")),
    (KIND_PLAN_SUBMITTED, gettext_lazy("Rectification plan awaiting approval")),
    (KIND_PLAN_DECIDED, gettext_lazy("Rectification plan approved or rejected")),
    (KIND_NOTICE_REPORTED, gettext_lazy("Rectification reported done: verify")),
    (KIND_NOTICE_VERIFIED, gettext_lazy("Rectification verified and closed")),
    (KIND_NOTICE_REOPENED, gettext_lazy("Rectification reopened")),
]:
    register_kind(_kind, _label)
