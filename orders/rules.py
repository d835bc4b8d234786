"""Who may act on an order (ORG-1). Predicates say who; orders/workflows.py says when."""
import rules

from qsm.org.rules import (
    in_business_department,
    in_production_department,
    is_administrator,
    is_manager,
    is_staff_role,
    passes_four_eyes,
    works_in,
)
from qsm.relations import relation_contains
from qsm.visibility import DepartmentRole, Visibility, register

from .models import Delivery, Installation, Order

# §3.2(2): the states in which the production department follows an order (produces it, ships it).
PRODUCTION_STATES = (Order.Status.IN_PRODUCTION, Order.Status.DELIVERING, Order.Status.DELIVERED)
# ... and in which it records production steps (what is left may still be produced while delivering).
PRODUCTION_STEP_STATES = (Order.Status.IN_PRODUCTION, Order.Status.DELIVERING)

# ORG-1: who sees an order, said once; orders.selectors filters with it, pages and API ask it.
# §3.2 the department that received it and its owner; the engineers named on its installation;
# the quality department sees all (in the core). An installation is seen with its order; a
# delivery by the order's owner and department only (the installing engineers work on site and do
# not get the delivery list: ORD-2 receipt is the department's job).
# §3.2(2) the production department (a declared role: Department.is_production) follows the orders in
# production and delivery; PRE-4 whoever sees the inquiry an order came from reads the order.
ORDER_VISIBILITY = register(Order, Visibility(
    owner="owner", departments=("department",), users=("installation__engineers",),
    department_roles=(DepartmentRole("is_production", states=tuple(str(s) for s in PRODUCTION_STATES)),),
    readers_of=("source_inquiry",),
))
DELIVERY_VISIBILITY = register(Delivery, Visibility(owner="order__owner", departments=("order__department",)))
INSTALLATION_VISIBILITY = register(Installation, Visibility(through="order"))
can_view_order = rules.predicate(ORDER_VISIBILITY.can_view, name="can_view_order")
can_view_delivery = rules.predicate(DELIVERY_VISIBILITY.can_view, name="can_view_delivery")
can_view_installation = rules.predicate(INSTALLATION_VISIBILITY.can_view, name="can_view_installation")


@rules.predicate
def in_order_department(user, order) -> bool:
    # §3.2(1): the business department that received the order reviews and runs it.
    return works_in(user, order.department_id)


@rules.predicate
def is_order_department_manager(user, order) -> bool:
    return works_in(user, order.department_id, roles=("manager",))


@rules.predicate
def is_engineer(user, installation) -> bool:
    # The engineers loaded with the installation when the page did (a record's actions ask this several times).
    return user.is_authenticated and relation_contains(installation, "engineers", user.pk)


def engineer_q():
    """ORD-3 (§3.2(3) 安排专业人员进行现场安装和调试): who may be named engineer on an installation.

    Active users with the installation engineer role (in any department: an administrator gives it
    to a sales engineer who also installs), and the staff and managers of a supporting department
    (kind "other", §2(三): production, technical service), whose people install and commission.
    Not an administrator, the quality department or a business department's staff as such.
    One definition for the page's choices, the API's validation and the service's guard.
    """
    from django.db.models import Q

    from qsm.org.models import Department, Role

    return Q(is_active=True) & (
        Q(groups__name=Role.INSTALLATION_ENGINEER)
        | Q(department__kind=Department.Kind.OTHER, department__is_active=True,
            groups__name__in=[Role.STAFF, Role.MANAGER])
    )


def can_be_engineer(user) -> bool:
    from qsm.org.models import Department, Role

    if not (user.is_authenticated and user.is_active):
        return False
    if Role.INSTALLATION_ENGINEER in user.role_names:
        return True
    department = user.department if user.department_id else None
    return bool(department and department.kind == Department.Kind.OTHER and department.is_active
                and user.role_names & {Role.STAFF, Role.MANAGER})


@rules.predicate
def works_installation(user, installation) -> bool:
    return in_order_department(user, installation.order) or is_engineer(user, installation)


@rules.predicate
def works_delivery(user, delivery) -> bool:
    return in_order_department(user, delivery.order)


@rules.predicate
def is_not_order_author(user, order) -> bool:
    """Four-eyes (ORG-1): who entered the order, amended it or sent it back to review does not
    decide its review. ``QSM_FOUR_EYES=false`` relaxes this."""
    return passes_four_eyes(user, order_authors(order))


def order_authors(order) -> set[int]:
    from django.contrib.contenttypes.models import ContentType

    from qsm.workflow.models import Event

    authors = {order.owner_id}
    # Edits happen only in review or returned (orders.services.order_update): each is an amendment.
    authors.update(
        Event.objects.filter(content_type=ContentType.objects.get_for_model(order), object_id=order.pk)
        .filter(_amendments()).exclude(actor__isnull=True).values_list("actor_id", flat=True)
    )
    return authors


def _amendments():
    from django.db.models import Q

    from qsm.workflow.models import Event

    return Q(kind__in=[Event.Kind.CREATED, Event.Kind.EDIT]) | Q(kind=Event.Kind.TRANSITION, action="resubmit")


can_work_order = in_order_department | is_administrator


@rules.predicate
def is_production_staff(user, order) -> bool:
    # §3.2(2): the production department reports production progress on the orders it produces.
    # (in which states is the service's and the page's business: PRODUCTION_STEP_STATES)
    return in_production_department(user) and (is_staff_role(user) or is_manager(user))


# Production steps are recorded by the production department and by the order's own department.
can_record_production = can_work_order | is_production_staff
# §3.2(1) the review is decided (approved or returned) by someone other than its author.
can_review_order = can_work_order & is_not_order_author
can_cancel_order = is_order_department_manager | is_administrator
can_work_delivery = works_delivery | is_administrator
can_work_installation = works_installation | is_administrator
# §3.2(1): business departments receive orders; one rule for the service and the "new order" button.
can_create_order = (in_business_department & (is_staff_role | is_manager)) | is_administrator
