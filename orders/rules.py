import rules

from qsm.org.rules import is_administrator, sees_everything


@rules.predicate
def in_order_department(user, order) -> bool:
    return user.is_authenticated and user.department_id is not None and user.department_id == order.department_id


can_view_order = in_order_department | sees_everything | is_administrator
