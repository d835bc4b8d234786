"""Who may do what to an inquiry (ORG-1). Predicates say *who*; the workflow table says *when*."""
import rules

from qsm.discussions.rules import takes_part_in_discussion
from qsm.org.rules import in_business_department, is_administrator, is_manager, is_staff_role, works_in
from qsm.visibility import Visibility, register

from .models import Inquiry

# ORG-1: who sees an inquiry, said once; presales.selectors filters with it, pages and API ask it.
# §2(二) its department and owner; §3.1(3) the department it was handed to; §3.1(2) the people and
# departments invited to its discussion; the quality department sees all (§2(一), in the core).
INQUIRY_VISIBILITY = register(Inquiry, Visibility(
    owner="owner",
    departments=("department", "handover_department"),
    users=("discussions__invited_users",),
    participant_departments=("discussions__invited_departments",),
))
can_view_inquiry = rules.predicate(INQUIRY_VISIBILITY.can_view, name="can_view_inquiry")


@rules.predicate
def in_owning_department(user, inquiry) -> bool:
    # §2(二)3: the business department that took the inquiry works it.
    return works_in(user, inquiry.department_id)


@rules.predicate
def in_handover_department(user, inquiry) -> bool:
    # §3.1(3): the department it was handed to acknowledges it and takes it further.
    return works_in(user, inquiry.handover_department_id)


is_discussion_participant = takes_part_in_discussion  # invited in person or with the department (core)


can_create_inquiry = in_business_department & (is_staff_role | is_manager)
can_work_inquiry = in_owning_department | is_administrator
can_take_over_inquiry = in_handover_department | is_administrator
can_discuss_inquiry = can_work_inquiry | is_discussion_participant
# The hand-over department keeps the customer contact going once it has the inquiry: one rule
# for the service and the page (it was written inline three times).
can_log_inquiry = can_discuss_inquiry | can_take_over_inquiry
can_attach_inquiry = can_discuss_inquiry | can_take_over_inquiry

rules.add_perm("presales.view_inquiry", can_view_inquiry)
rules.add_perm("presales.add_inquiry", can_create_inquiry | is_administrator)
rules.add_perm("presales.change_inquiry", can_work_inquiry)
rules.add_perm("presales.discuss_inquiry", can_discuss_inquiry)
