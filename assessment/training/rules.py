"""QC-5: who sees and who runs training. assessment/training/workflows.py says when.

Sees a training plan: the quality department (everything), the members of its department, its
owner and the trainers of its sessions. A session: the same, and its attendees. An attendance row:
the person, the department's members, the session's trainer.
Runs a plan (activate, close, schedule sessions): its owner, the department's managers, the quality
department. Enters attendance and scores, holds or cancels a session: the plan's owner, the
session's trainer, the quality department.
"""
from __future__ import annotations

import rules

from qsm.org.rules import is_manager, works_in
from qsm.visibility import Visibility, register

from ..rules import quality_staff_or_admin
from .models import Attendance, TrainingPlan, TrainingSession

TRAINING_PLAN_VISIBILITY = register(TrainingPlan, Visibility(
    owner="owner", departments=("department",), users=("sessions__trainer",),
))
SESSION_VISIBILITY = register(TrainingSession, Visibility(
    owner="trainer", departments=("department",), users=("attendances__person", "plan__owner"),
))
ATTENDANCE_VISIBILITY = register(Attendance, Visibility(
    owner="person", departments=("session__department",), users=("session__trainer",),
))

can_view_training_plan = rules.predicate(TRAINING_PLAN_VISIBILITY.can_view, name="can_view_training_plan")
can_view_session = rules.predicate(SESSION_VISIBILITY.can_view, name="can_view_training_session")


@rules.predicate
def is_plan_owner(user, plan) -> bool:
    return bool(getattr(user, "is_authenticated", False) and plan.owner_id == user.pk)


@rules.predicate
def manages_plan_department(user, plan) -> bool:
    return bool(is_manager(user) and works_in(user, plan.department_id, roles=("manager",)))


@rules.predicate
def is_trainer(user, session) -> bool:
    return bool(getattr(user, "is_authenticated", False) and session.trainer_id is not None
                and session.trainer_id == user.pk)


@rules.predicate
def owns_sessions_plan(user, session) -> bool:
    return is_plan_owner(user, session.plan)


# Who starts a plan: the quality department and the departments' managers (for their own).
can_create_training_plan = quality_staff_or_admin | is_manager
can_manage_training_plan = is_plan_owner | manages_plan_department | quality_staff_or_admin
# Who holds or cancels a session and enters its attendance and scores.
can_run_session = is_trainer | owns_sessions_plan | quality_staff_or_admin


@rules.predicate
def can_schedule_session(user, plan) -> bool:
    return can_manage_training_plan(user, plan)


rules.add_perm("assessment.view_trainingplan", can_view_training_plan)
rules.add_perm("assessment.add_trainingplan", can_create_training_plan)
