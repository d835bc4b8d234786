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


@rules.predicate
def in_production_department(user):
    """§3.2(2): the user works in a department declared as producing orders (``Department.is_production``)."""
    return user.is_authenticated and user.department_id is not None and user.department.is_production

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


# --- approval (ORG-1) -------------------------------------------------------------------------------
# One notion of "manager": a member of a department who holds the manager role (a Django group).
# The department's named head (``Department.manager``) was a second idea that could disagree with
# the role; it was folded into the role by migration org 0004.


@rules.predicate
def can_approve_for(user, department) -> bool:
    """ORG-1: who approves for ``department`` (plans, rectifications, reviews that need a manager):
    a manager of that department, and the quality department's manager for every department."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or department is None:
        return False
    if not user.has_role(Role.MANAGER):
        return False
    department_id = getattr(department, "pk", department)
    return user.department_id == department_id or user.in_quality_department


def four_eyes_required() -> bool:
    """ORG-1 four-eyes: whoever entered or amended a record does not approve its review.
    ``QSM_FOUR_EYES=false`` relaxes it for a company too small to have a second person."""
    from django.conf import settings

    return getattr(settings, "QSM_FOUR_EYES", True)


def passes_four_eyes(user, authors) -> bool:
    """False when the four-eyes rule is on and ``user`` is one of the record's ``authors`` (ids)."""
    return not four_eyes_required() or user.pk not in set(authors)
