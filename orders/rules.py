"""Who may act on an order (ORG-1). Predicates say who; orders/workflows.py says when."""
import rules

from qsm.org.rules import in_business_department, is_administrator, is_manager, is_staff_role, sees_everything, works_in


@rules.predicate
def in_order_department(user, order) -> bool:
    # §3.2(1): the business department that received the order reviews and runs it.
    return works_in(user, order.department_id)


@rules.predicate
def is_order_department_manager(user, order) -> bool:
    return works_in(user, order.department_id, roles=("manager",))


@rules.predicate
def is_engineer(user, installation) -> bool:
    return user.is_authenticated and installation.engineers.filter(pk=user.pk).exists()


@rules.predicate
def works_installation(user, installation) -> bool:
    return in_order_department(user, installation.order) or is_engineer(user, installation)


@rules.predicate
def works_delivery(user, delivery) -> bool:
    return in_order_department(user, delivery.order)


can_view_order = in_order_department | sees_everything | is_administrator
can_work_order = in_order_department | is_administrator
can_cancel_order = is_order_department_manager | is_administrator
can_work_delivery = works_delivery | is_administrator
can_work_installation = works_installation | is_administrator
# §3.2(1): business departments receive orders; one rule for the service and the "new order" button.
can_create_order = (in_business_department & (is_staff_role | is_manager)) | is_administrator
