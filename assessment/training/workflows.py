"""QC-5: the lifecycles of a training plan and a session (WF-1).

TrainingPlan:     draft --activate--> active --close--> closed     (owner, department manager, quality dept)
TrainingSession:  scheduled --hold (trainer, plan owner, quality dept; once it has started)--> held
                  scheduled --cancel (same; reason required)--> cancelled
A held session's attended hours count towards its plan's target (training.selectors).
"""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.errors import ValidationError
from qsm.notify.kinds import register_kind
from qsm.workflow.colours import declare_colours
from qsm.workflow.engine import Transition, Workflow, register

from .models import TrainingPlan, TrainingSession
from .rules import can_manage_training_plan, can_run_session

TP = TrainingPlan.Status
TS = TrainingSession.Status


def _hold_guard(session: TrainingSession, actor, params: dict) -> None:
    if session.starts_at > timezone.now():
        raise ValidationError({"starts_at": _("A session is held once it has started.")}, code="not_started")


def _hold(session: TrainingSession, actor, params: dict) -> None:
    session.held_at = timezone.now()


def _cancel(session: TrainingSession, actor, params: dict) -> None:
    session.cancel_reason = (params.get("comment") or "").strip()


TRAINING_PLAN_WORKFLOW = register(Workflow(model=TrainingPlan, transitions=[
    Transition("activate", (TP.DRAFT,), TP.ACTIVE, gettext_lazy("Activate"), can_manage_training_plan,
               style="success"),
    Transition("close", (TP.ACTIVE,), TP.CLOSED, gettext_lazy("Close the plan"), can_manage_training_plan,
               style="secondary"),
]))

SESSION_WORKFLOW = register(Workflow(model=TrainingSession, transitions=[
    Transition("hold", (TS.SCHEDULED,), TS.HELD, gettext_lazy("Mark as held"), can_run_session,
               guard=_hold_guard, effect=_hold, style="success"),
    Transition("cancel", (TS.SCHEDULED,), TS.CANCELLED, gettext_lazy("Cancel"), can_run_session,
               effect=_cancel, comment_required=True, style="danger"),
]))

declare_colours(TrainingPlan, {TP.DRAFT: "secondary", TP.ACTIVE: "primary", TP.CLOSED: "light"})
declare_colours(TrainingSession, {TS.SCHEDULED: "info", TS.HELD: "success", TS.CANCELLED: "light"})

KIND_SESSION_INVITED = "training_session_invited"
KIND_SESSION_CANCELLED = "training_session_cancelled"
for _kind, _label in [
    (KIND_SESSION_INVITED, gettext_lazy("Invited to a training session")),
    (KIND_SESSION_CANCELLED, gettext_lazy("Training session cancelled")),
]:
    register_kind(_kind, _label)
