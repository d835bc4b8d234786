"""Who may act on an after-sales case, its special plan and a follow-up visit (ORG-1).
Predicates say who; aftersales/workflows.py says when."""
import rules

from qsm.discussions.rules import takes_part_in_discussion
from qsm.org.rules import (
    in_business_department,
    in_quality_department,
    is_administrator,
    is_manager,
    is_quality_officer,
    is_staff_role,
    works_in,
)
from qsm.visibility import Visibility, register

from .models import Case, PlanStep, SpecialPlan, Visit

# ORG-1: who sees a case, said once; the selectors filter with it, pages and API ask it.
# §3.3 its department and owner; the people and departments invited to its special-solution
# discussion; the owners of its plan's steps; the quality department sees all (in the core).
CASE_VISIBILITY = register(Case, Visibility(
    owner="owner",
    departments=("department",),
    users=("discussions__invited_users", "plan__steps__owner"),
    participant_departments=("discussions__invited_departments",),
))
PLAN_VISIBILITY = register(SpecialPlan, Visibility(through="case"))
STEP_VISIBILITY = register(PlanStep, Visibility(through="plan"))
# VIS-1: a visit is seen by its owner and its department (and the quality department, in the core).
VISIT_VISIBILITY = register(Visit, Visibility(owner="owner", departments=("department",)))

can_view_case = rules.predicate(CASE_VISIBILITY.can_view, name="can_view_case")
can_view_plan = rules.predicate(PLAN_VISIBILITY.can_view, name="can_view_plan")
can_view_visit = rules.predicate(VISIT_VISIBILITY.can_view, name="can_view_visit")


@rules.predicate
def is_case_owner(user, case) -> bool:
    return user.is_authenticated and case.owner_id == user.pk


@rules.predicate
def in_case_department(user, case) -> bool:
    # §3.3: the department the case was routed to diagnoses and solves it.
    return works_in(user, case.department_id)


@rules.predicate
def is_case_department_manager(user, case) -> bool:
    return works_in(user, case.department_id, roles=("manager",))


@rules.predicate
def is_quality_staff(user) -> bool:
    # §2(一): the quality department's officers (and managers) follow every case and visit.
    return bool(in_quality_department(user) and (is_quality_officer(user) or is_manager(user)))


is_case_discussion_participant = takes_part_in_discussion  # invited in person or with the department (core)


@rules.predicate
def is_step_owner(user, step) -> bool:
    return user.is_authenticated and step.owner_id == user.pk


# Who works a case: its owner, the members of its department, the quality officers.
can_work_case = is_case_owner | in_case_department | is_quality_staff | is_administrator
# Its department's managers (and administrators) cancel it.
can_manage_case = is_case_department_manager | is_administrator
# AFS-1: who re-routes a case (with a reason): whoever works it, and its department's managers.
can_reroute_case = can_work_case | can_manage_case
# A complex case's discussion: who works it and who was invited.
can_discuss_case = can_work_case | is_case_discussion_participant
# AFS-1: who logs feedback: business departments' staff and managers, the quality department.
can_create_case = (in_business_department & (is_staff_role | is_manager)) | is_quality_staff | is_administrator


@rules.predicate
def can_work_plan(user, plan) -> bool:
    return can_work_case(user, plan.case)


@rules.predicate
def can_complete_step(user, step) -> bool:
    # The step's own owner reports it done, as may whoever works the case.
    return is_step_owner(user, step) or can_work_case(user, step.plan.case)


@rules.predicate
def owns_a_plan_step(user, plan) -> bool:
    # AFS-2: the owner whose step was the last one done completes the plan with it (its guard: every
    # step done), even from another department (aftersales.services.plans.plan_step_complete).
    return user.is_authenticated and plan.steps.filter(owner_id=user.pk).exists()


@rules.predicate
def can_cancel_step(user, step) -> bool:
    return can_work_case(user, step.plan.case)


@rules.predicate
def is_visit_owner(user, visit) -> bool:
    return user.is_authenticated and visit.owner_id is not None and visit.owner_id == user.pk


@rules.predicate
def in_visit_department(user, visit) -> bool:
    return works_in(user, visit.department_id)


# VIS-1: the purpose of the survey link a visit sends (qsm.links); the public page registers it.
VISIT_LINK_PURPOSE = "visit_feedback"


@rules.predicate
def is_visit_customer(actor, visit) -> bool:
    """VIS-2: the customer answering through this visit's own link (not any survey link)."""
    from qsm.workflow.actors import CustomerActor

    return (isinstance(actor, CustomerActor) and actor.purpose == VISIT_LINK_PURPOSE
            and actor.link_id is not None and actor.link_id == visit.link_id)


# Who records visits: the visit's owner, its department's members, the quality officers.
can_record_visit = is_visit_owner | in_visit_department | is_quality_staff | is_administrator
# ... and the customer answers the survey through the visit's link.
can_answer_visit = can_record_visit | is_visit_customer
# VIS-2: only the quality department marks a phone visit for re-check and records the result.
can_recheck_visit = is_quality_staff

rules.add_perm("aftersales.view_case", can_view_case)
rules.add_perm("aftersales.add_case", can_create_case)
rules.add_perm("aftersales.change_case", can_work_case)
rules.add_perm("aftersales.view_visit", can_view_visit)
rules.add_perm("aftersales.change_visit", can_record_visit)
