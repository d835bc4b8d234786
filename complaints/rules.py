"""Who sees a complaint and who may act on it (ORG-1, §5). Predicates say who; complaints/workflows.py
says when.

Sees a complaint: the quality department (all, in the core); whoever received it and its
investigator; the members of the receiving and of the responsible department; the people and
departments invited to its discussion; the owners of its measures and preventive measures and
their departments. Everyone else gets a 404 (pages, API, exports, links).

Who may:
- log a complaint: business departments' staff and managers, the quality department;
- assign the investigator: the quality department;
- investigate, propose and revise plans, record the customer's answer by phone, write the case
  report and the preventive measures: the investigator and the quality department's officers;
- approve or reject a plan: who approves for the responsible department (the core's
  ``can_approve_for``: its managers, the quality manager for any department), never its author
  (``passes_four_eyes``);
- complete a measure: its owner, the staff and managers of its department;
- close unresolved (reason required) and cancel: the quality manager.
"""
from __future__ import annotations

import rules

from aftersales.rules import is_quality_staff
from qsm.discussions.rules import takes_part_in_discussion
from qsm.org.rules import (
    can_approve_for,
    in_business_department,
    in_quality_department,
    is_administrator,
    is_manager,
    is_staff_role,
    passes_four_eyes,
    works_in,
)
from qsm.visibility import Visibility, register

from .models import CaseReport, Complaint, CustomerAnswer, HandlingPlan, Measure, PreventiveMeasure

# CMP-4: the purpose of the signed link that asks the customer whether they are satisfied.
CONFIRM_LINK_PURPOSE = "complaint_confirm"

COMPLAINT_VISIBILITY = register(Complaint, Visibility(
    owner="investigator",
    departments=("receiving_department", "responsible_department"),
    users=("received_by", "discussions__invited_users", "plans__measures__owner", "preventive_measures__owner"),
    participant_departments=("discussions__invited_departments", "plans__measures__department",
                             "preventive_measures__department"),
))
PLAN_VISIBILITY = register(HandlingPlan, Visibility(through="complaint"))
MEASURE_VISIBILITY = register(Measure, Visibility(through="plan"))
ANSWER_VISIBILITY = register(CustomerAnswer, Visibility(through="complaint"))
REPORT_VISIBILITY = register(CaseReport, Visibility(through="complaint"))
PREVENTIVE_VISIBILITY = register(PreventiveMeasure, Visibility(through="complaint"))

can_view_complaint = rules.predicate(COMPLAINT_VISIBILITY.can_view, name="can_view_complaint")
can_view_measure = rules.predicate(MEASURE_VISIBILITY.can_view, name="can_view_measure")


# --- people of a complaint -------------------------------------------------------------------------

@rules.predicate
def is_receiver(user, complaint) -> bool:
    return bool(getattr(user, "is_authenticated", False) and complaint.received_by_id == user.pk)


@rules.predicate
def is_investigator(user, complaint) -> bool:
    return bool(getattr(user, "is_authenticated", False) and complaint.investigator_id is not None
                and complaint.investigator_id == user.pk)


@rules.predicate
def in_receiving_department(user, complaint) -> bool:
    return works_in(user, complaint.receiving_department_id)


@rules.predicate
def in_responsible_department(user, complaint) -> bool:
    return works_in(user, complaint.responsible_department_id)


@rules.predicate
def is_quality_manager(user, record=None) -> bool:
    """§5: the quality manager: a manager of the quality department (org rules)."""
    return bool(in_quality_department(user) and is_manager(user))


is_discussion_participant = takes_part_in_discussion  # invited in person or with the department (core)


# --- complaint -------------------------------------------------------------------------------------

# CMP-1: who logs a complaint (the same people as after-sales feedback).
can_create_complaint = (in_business_department & (is_staff_role | is_manager)) | is_quality_staff | is_administrator
# CMP-2: the quality department assigns the investigator.
can_assign_complaint = is_quality_staff | is_administrator
# CMP-2..5: who works the investigation, the plans, the phone answer, the report, the prevention.
can_investigate = is_investigator | is_quality_staff | is_administrator
# §5(一)2: who records the reply given to the customer.
can_reply_complaint = is_receiver | in_receiving_department | can_investigate
# CMP-2: the investigation discussion: who investigates and who was invited.
can_discuss_complaint = can_investigate | is_discussion_participant
# CMP-4: a documented management decision (reason required); and cancelling a duplicate.
can_close_unresolved = is_quality_manager
can_cancel_complaint = is_quality_manager
# CMP-5: the case report and the preventive measures.
can_write_report = can_investigate


@rules.predicate
def is_complaint_customer(actor, complaint) -> bool:
    """CMP-4: the customer answering through a confirmation link of this very complaint."""
    from django.contrib.contenttypes.models import ContentType

    from qsm.links.models import SignedLink
    from qsm.workflow.actors import CustomerActor

    if not (isinstance(actor, CustomerActor) and actor.purpose == CONFIRM_LINK_PURPOSE and actor.link_id):
        return False
    return SignedLink.objects.filter(pk=actor.link_id, content_type=ContentType.objects.get_for_model(Complaint),
                                     object_id=complaint.pk).exists()


# CMP-4: who gives the customer's answer: the caller (investigator, quality department) or the customer.
can_answer_complaint = can_investigate | is_complaint_customer


# --- plan ------------------------------------------------------------------------------------------

@rules.predicate
def can_propose_plan(user, plan) -> bool:
    return can_investigate(user, plan.complaint)


@rules.predicate
def can_decide_plan(user, plan) -> bool:
    """CMP-3: who approves for the responsible department, never the plan's author."""
    complaint = plan.complaint
    return bool(can_approve_for(user, complaint.responsible_department_id)
                and passes_four_eyes(user, [plan.author_id]))


# --- measures --------------------------------------------------------------------------------------

@rules.predicate
def is_measure_owner(user, measure) -> bool:
    return bool(getattr(user, "is_authenticated", False) and measure.owner_id == user.pk)


@rules.predicate
def in_measure_department(user, measure) -> bool:
    return works_in(user, measure.department_id)


# CMP-3: the responsible department executes: the measure's owner, its department's staff and managers.
can_complete_measure = is_measure_owner | in_measure_department


@rules.predicate
def can_complete_preventive(user, measure) -> bool:
    """CMP-5: its owner, its department's members, and who works the complaint."""
    return bool(is_measure_owner(user, measure) or in_measure_department(user, measure)
                or can_investigate(user, measure.complaint))


@rules.predicate
def can_manage_preventive(user, measure) -> bool:
    return can_write_report(user, measure.complaint)


@rules.predicate
def can_finalize_report(user, report) -> bool:
    return can_write_report(user, report.complaint)


rules.add_perm("complaints.view_complaint", can_view_complaint)
rules.add_perm("complaints.add_complaint", can_create_complaint)
rules.add_perm("complaints.change_complaint", can_investigate)
