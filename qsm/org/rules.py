"""ORG-1 role predicates, shared by pages, API and the workflow tables."""
import rules

from .models import Department, Role


@rules.predicate
def is_staff_role(user):
    return user.is_authenticated and user.has_role(Role.STAFF)


@rules.predicate
def is_manager(user):
    return user.is_authenticated and user.has_role(Role.MANAGER)


@rules.predicate
def is_quality_officer(user):
    return user.is_authenticated and user.has_role(Role.QUALITY_OFFICER)


@rules.predicate
def is_administrator(user):
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMINISTRATOR))


@rules.predicate
def in_quality_department(user):
    return user.is_authenticated and user.department_id is not None and user.department.kind == Department.Kind.QUALITY


@rules.predicate
def in_business_department(user):
    return user.is_authenticated and user.department_id is not None and user.department.kind == Department.Kind.BUSINESS


sees_everything = in_quality_department | is_administrator

rules.add_perm("org.view_customer", rules.is_authenticated)
rules.add_perm("org.add_customer", is_staff_role | is_manager | is_quality_officer | is_administrator)


def works_in(user, department_id, *, roles=("staff", "manager")) -> bool:
    """The user belongs to ``department_id`` and holds one of ``roles`` there (ORG-1)."""
    return (
        user.is_authenticated
        and department_id is not None
        and user.department_id == department_id
        and any(user.has_role(role) for role in roles)
    )
