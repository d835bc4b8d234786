"""ORG-1: who approves for a department (its managers; the quality manager for every department),
one notion of "manager", and four-eyes on the order review."""
from __future__ import annotations

import pytest

from orders import services
from orders.models import Order
from orders.workflows import ORDER_WORKFLOW
from qsm.errors import PermissionDenied
from qsm.org.models import Department, Role
from qsm.org.rules import can_approve_for
from qsm.org.selectors import department_approvers, department_managers
from tests.builders.orders import new_order, pass_all
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.spec("ORG-1")
def test_managers_approve_for_their_department_and_the_quality_manager_for_all(
        business_department, sales_department, quality_department, staff_user, manager, sales_manager,
        quality_officer, quality_manager, administrator, other_department_staff):
    retired = UserFactory(username="retired", department=business_department, roles=[Role.MANAGER], is_active=False)
    people = [staff_user, manager, sales_manager, quality_officer, quality_manager, administrator,
              other_department_staff, retired]
    expected = {
        business_department: {manager, quality_manager},
        sales_department: {sales_manager, quality_manager},
        quality_department: {quality_manager},
    }
    for department, approvers in expected.items():
        # the predicate and the selector say the same
        assert {u for u in people if can_approve_for(u, department)} == approvers, department
        assert set(department_approvers(department=department)) == approvers, department
    assert not can_approve_for(manager, None)
    # the people reminded as the department's managers are its members with the manager role
    assert set(department_managers(department=business_department)) == {manager}


@pytest.mark.spec("ORG-1")
def test_a_department_has_no_second_notion_of_manager():
    # the named head was folded into the manager role (migration org 0004)
    assert "manager" not in {f.name for f in Department._meta.get_fields()}


def _ready(staff_user, customer) -> Order:
    order = new_order(actor=staff_user, customer=customer)
    pass_all(order, staff_user)
    return Order.objects.get(pk=order.pk)


@pytest.mark.spec("ORG-1", "ORD-1")
def test_who_entered_an_order_may_not_approve_or_return_it(staff_user, colleague, customer):
    order = _ready(staff_user, customer)
    assert {t.action for t in ORDER_WORKFLOW.available(order, staff_user)} == set()
    assert {t.action for t in ORDER_WORKFLOW.available(order, colleague)} == {"approve", "return"}
    with pytest.raises(PermissionDenied):
        services.order_approve(order=order, actor=staff_user)
    assert Order.objects.get(pk=order.pk).status == Order.Status.REVIEW
    services.order_approve(order=order, actor=colleague)
    assert Order.objects.get(pk=order.pk).status == Order.Status.APPROVED


@pytest.mark.spec("ORG-1", "ORD-1")
def test_who_amended_an_order_may_not_approve_it(staff_user, colleague, manager, customer):
    # given an order entered by staff and amended by a colleague
    order = _ready(staff_user, customer)
    services.order_update(order=order, actor=colleague, data={"customer_reference": "PO-7"})
    # then neither the author nor the amending colleague decides it; the manager does
    for author in (staff_user, colleague):
        with pytest.raises(PermissionDenied):
            services.order_approve(order=Order.objects.get(pk=order.pk), actor=author)
    services.order_approve(order=Order.objects.get(pk=order.pk), actor=manager)
    assert Order.objects.get(pk=order.pk).status == Order.Status.APPROVED


@pytest.mark.spec("ORG-1", "ORD-1")
def test_who_resubmitted_a_returned_order_may_not_approve_it(staff_user, colleague, manager, customer):
    order = new_order(actor=staff_user, customer=customer)
    pass_all(order, staff_user, prices=("fail", "单价过低"))
    services.order_return(order=order, actor=manager, problems="1. 单价过低")
    services.order_resubmit(order=Order.objects.get(pk=order.pk), actor=colleague)
    pass_all(Order.objects.get(pk=order.pk), staff_user)
    with pytest.raises(PermissionDenied):
        services.order_approve(order=Order.objects.get(pk=order.pk), actor=colleague)
    services.order_approve(order=Order.objects.get(pk=order.pk), actor=manager)


@pytest.mark.spec("ORG-1")
def test_a_small_company_may_relax_four_eyes(settings, staff_user, customer):
    settings.QSM_FOUR_EYES = False
    order = _ready(staff_user, customer)
    assert {t.action for t in ORDER_WORKFLOW.available(order, staff_user)} == {"approve", "return"}
    services.order_approve(order=order, actor=staff_user)
    assert Order.objects.get(pk=order.pk).status == Order.Status.APPROVED
