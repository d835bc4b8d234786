"""Reads of the organisation: who is whose manager, who is in the quality department."""
from __future__ import annotations

from django.db.models import Q, QuerySet

from qsm import search
from qsm.parsing import clean_search_term

from .models import Customer, Department, Product, Role, User

# The customer list's search box: name, phone or e-mail as substrings, each served by a grams index.
CUSTOMER_SEARCH = search.register(Customer, search.Text("name"), search.Text("phone", "email"))
# The intake forms' type-ahead: the name, the customer's phone or any of its contacts' phones.
CUSTOMER_LOOKUP = search.declare(Customer, search.Text("name"), search.Text("phone", index=("phone", "email")),
                                 search.Related("contacts", search.Text("phone")))


def department_managers(*, department: Department | None) -> QuerySet[User]:
    """The managers of a department (the people reminded and escalated to): its members with the
    manager role. The one notion of "manager" (ORG-1); ``rules.can_approve_for`` adds the quality
    manager for every department."""
    if department is None:
        return User.objects.none()
    return managers_of(department_ids=[department.pk])


def managers_of(*, department_ids) -> QuerySet[User]:
    """The managers of several departments at once (a sweep's batch): one query, whatever their number."""
    return User.objects.filter(department_id__in=department_ids, groups__name=Role.MANAGER, is_active=True).distinct()


def department_approvers(*, department: Department | None) -> QuerySet[User]:
    """Everyone ``can_approve_for(user, department)`` accepts, as a queryset (ORG-1)."""
    if department is None:
        return User.objects.none()
    return User.objects.filter(
        Q(department=department) | Q(department__kind=Department.Kind.QUALITY),
        groups__name=Role.MANAGER, is_active=True,
    ).distinct()


def quality_department_users() -> QuerySet[User]:
    """Quality officers and managers of the quality department (SLA-2 escalations go to them)."""
    return User.objects.filter(
        is_active=True,
        department__kind=Department.Kind.QUALITY,
        groups__name__in=[Role.QUALITY_OFFICER, Role.MANAGER],
    ).distinct()


def customer_search(*, term: str, limit: int = 10) -> QuerySet[Customer]:
    term = clean_search_term(term)
    if not term:
        return Customer.objects.none()
    # No DISTINCT: the contacts are a sub-select, not a join, so no customer comes twice.
    return search.apply(Customer.objects.order_by("name", "id"), term, CUSTOMER_LOOKUP)[:limit]


def customer_list(*, user, term: str = "") -> QuerySet[Customer]:
    qs = Customer.objects.all().order_by("name", "id")
    return search.apply(qs, clean_search_term(term))


def product_list(*, active_only: bool = True) -> QuerySet[Product]:
    qs = Product.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def business_departments() -> QuerySet[Department]:
    return Department.objects.filter(kind=Department.Kind.BUSINESS, is_active=True)



def user_directory() -> QuerySet[User]:
    """API-1: the active people a client may name (invitees, engineers), with their department and
    roles loaded (one query each per page, whatever its size). Every signed-in QSM user may read it:
    names are shown on every record anyway; e-mail addresses and phones are not in it."""
    return (User.objects.filter(is_active=True).select_related("department").prefetch_related("groups")
            .only("id", "username", "display_name", "first_name", "last_name", "is_superuser", "department__id",
                  "department__name"))


def user_search(*, term: str, limit: int = 10, among: QuerySet[User] | None = None) -> QuerySet[User]:
    """The people filters' type-ahead: active people whose display name, name or login contains
    ``term`` (the user table is the company's staff: thousands of rows at most), with department;
    ``among`` narrows it to a record's own people (a queryset of users)."""
    q = (Q(display_name__icontains=term) | Q(username__icontains=term) | Q(first_name__icontains=term)
         | Q(last_name__icontains=term))
    people = User.objects.filter(q, is_active=True)
    if among is not None:
        people = people.filter(pk__in=among.order_by().values("pk"))
    return people.select_related("department").order_by("display_name", "username")[:limit]
