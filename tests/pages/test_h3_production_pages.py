"""§3.2(2) the production department follows the orders it produces and records the production
steps; PRE-4 the people on an inquiry read the order it became (ORG-1, issue 7)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order, ProductionStep
from orders.rules import ORDER_VISIBILITY
from presales.models import Inquiry
from qsm.org.models import Role
from qsm.workflow.models import Event
from tests.builders.inquiries import inquiry_in
from tests.builders.orders import S, new_order, order_in
from tests.factories import CustomerFactory, DepartmentFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

PRODUCTION_VISIBLE = (S.IN_PRODUCTION, S.DELIVERING, S.DELIVERED)
HIDDEN = (S.REVIEW, S.RETURNED, S.APPROVED, S.CANCELLED)


@pytest.fixture
def production(production_department):
    """生产部, declared as the production department (the flag an administrator sets)."""
    production_department.is_production = True
    production_department.save(update_fields=["is_production"])
    return production_department


@pytest.fixture
def producer(production):
    return UserFactory(username="producer", display_name="孙浩", department=production, roles=[Role.STAFF])


@pytest.fixture
def production_manager(production):
    return UserFactory(username="ma.jun", display_name="马军", department=production, roles=[Role.MANAGER])


@pytest.fixture
def priced(db):
    return ProductFactory(code="CNC-300", name="数控机床 CNC-300", list_price=Decimal("100000.00"))


@pytest.fixture
def orders_by_state(sales_user, sales_manager, customer, priced):
    return {state: order_in(state, actor=sales_user, manager=sales_manager,
                            order=new_order(actor=sales_user, customer=customer, lines=[(priced, 3, 100000)]))
            for state in (*PRODUCTION_VISIBLE, *HIDDEN)}


@pytest.mark.spec("ORD-2", "ORG-1")
def test_the_production_department_sees_orders_in_production_and_delivery_only(login, producer, production_manager,
                                                                                 orders_by_state):
    for user in (producer, production_manager):
        client = login(user)
        listed = set(o.number for o in client.get(reverse("orders:order-list"), {"per_page": 100}).context["orders"])
        assert listed == {orders_by_state[s].number for s in PRODUCTION_VISIBLE}
        for state in PRODUCTION_VISIBLE:
            assert client.get(orders_by_state[state].get_absolute_url()).status_code == 200, state
        for state in HIDDEN:
            assert client.get(orders_by_state[state].get_absolute_url()).status_code == 404, state


@pytest.mark.spec("ORG-1")
def test_it_is_the_declared_role_not_the_name(login, production_department, orders_by_state):
    # given a department called 生产部 that is not declared the production department
    unflagged = UserFactory(username="p2", department=production_department, roles=[Role.MANAGER])
    assert not production_department.is_production
    # then it sees none of the orders
    assert login(unflagged).get(orders_by_state[S.IN_PRODUCTION].get_absolute_url()).status_code == 404
    # and a department of another name declared producing does
    workshop = DepartmentFactory(name="总装车间", code="workshop", kind="other", is_production=True)
    worker = UserFactory(username="w1", department=workshop, roles=[Role.STAFF])
    assert login(worker).get(orders_by_state[S.IN_PRODUCTION].get_absolute_url()).status_code == 200


@pytest.mark.spec("ORG-1")
def test_the_filter_and_the_predicate_agree_for_the_production_department(producer, production_manager, sales_user,
                                                                           staff_user, orders_by_state):
    for user in (producer, production_manager, sales_user, staff_user):
        filtered = set(ORDER_VISIBILITY.filter(Order.objects.all(), user).values_list("pk", flat=True))
        for order in Order.objects.all():
            assert ORDER_VISIBILITY.can_view(user, order) == (order.pk in filtered), (user, order.status)


@pytest.mark.spec("ORD-2")
def test_a_production_user_records_a_step_and_nothing_else(login, producer, orders_by_state):
    order = orders_by_state[S.IN_PRODUCTION]
    client = login(producer)
    page = client.get(order.get_absolute_url())
    html = page.content.decode()
    # the production card with its form; none of the department's actions
    assert 'id="production-form"' in html
    assert not page.context["actions"] and 'id="progress-form"' not in html and 'id="ship-form"' not in html

    response = client.post(reverse("orders:production-step-add", args=[order.pk]),
                           {"stage": "assembly", "note": "主轴箱装配完成"})
    assert response.status_code == 302 and response["Location"].endswith("#production")
    step = ProductionStep.objects.get(order=order)
    assert (step.stage, step.note, step.recorded_by) == ("assembly", "主轴箱装配完成", producer)
    page = client.get(order.get_absolute_url())
    assert "主轴箱装配完成" in page.content.decode()
    assert Event.objects.filter(object_id=order.pk, action="production_step", actor=producer).exists()
    assert any("装配" in e.summary or "Assembly" in e.summary for e in page.context["timeline"])

    # production may not cancel, start production, ship or log customer progress
    assert client.post(reverse("orders:order-fire", args=[order.pk]), {"action": "cancel", "comment": "x"}
                       ).status_code == 403
    assert client.post(reverse("orders:progress-add", args=[order.pk]),
                       {"kind": "update", "channel": "phone", "text": "x"}).status_code == 403
    order.refresh_from_db()
    assert order.status == S.IN_PRODUCTION


@pytest.mark.spec("ORD-2")
def test_a_step_is_refused_with_the_form_kept(login, producer, orders_by_state):
    order = orders_by_state[S.IN_PRODUCTION]
    client = login(producer)
    # a delay needs a reason: 400, the form re-rendered, nothing written
    response = client.post(reverse("orders:production-step-add", args=[order.pk]), {"stage": "delayed", "note": ""})
    assert response.status_code == 400
    assert response.context["production_form"].errors or "note" in response.content.decode()
    response = client.post(reverse("orders:production-step-add", args=[order.pk]), {"stage": "bogus"})
    assert response.status_code == 400
    future = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("orders:production-step-add", args=[order.pk]),
                           {"stage": "ready", "occurred_at": future})
    assert response.status_code == 400
    assert not ProductionStep.objects.exists()
    # a delivered order is seen, but its production is over: 409
    delivered = orders_by_state[S.DELIVERED]
    assert client.post(reverse("orders:production-step-add", args=[delivered.pk]), {"stage": "ready"}
                       ).status_code == 409
    assert 'id="production-form"' not in client.get(delivered.get_absolute_url()).content.decode()
    # an order outside its sight is a 404
    assert client.post(reverse("orders:production-step-add", args=[orders_by_state[S.APPROVED].pk]),
                       {"stage": "planned"}).status_code == 404


@pytest.mark.spec("ORD-2")
def test_the_order_department_records_steps_too(login, sales_user, orders_by_state):
    order = orders_by_state[S.DELIVERING]
    response = login(sales_user).post(reverse("orders:production-step-add", args=[order.pk]),
                                      {"stage": "ready", "note": "剩余部分完工"})
    assert response.status_code == 302
    assert ProductionStep.objects.filter(order=order, recorded_by=sales_user).count() == 1


@pytest.mark.spec("SEARCH-1", "PERF-1")
def test_the_production_list_query_count_does_not_grow(login, producer, sales_user, sales_department,
                                                        django_assert_num_queries):
    def bulk(n):
        now = timezone.now()
        Order.objects.bulk_create([
            Order(number=f"ORD-P-{Order.objects.count()}-{i:05d}", customer=CustomerFactory(), department=sales_department,
                  owner=sales_user, received_at=now, status=S.IN_PRODUCTION if i % 2 else S.REVIEW)
            for i in range(n)])

    bulk(20)
    client = login(producer)
    client.get(reverse("orders:order-list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("orders:order-list"), {"per_page": 100})
    assert len(response.context["orders"]) == 10
    bulk(200)
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = client.get(reverse("orders:order-list"), {"per_page": 100})
    assert len(response.context["orders"]) == 100


# --- PRE-4: the people on an inquiry read the order it became -------------------------------------------


@pytest.fixture
def converted(staff_user, sales_user, sales_department, customer, product):
    return inquiry_in(Inquiry.Status.CONVERTED, actor=staff_user, customer=customer, products=[product],
                      hand_over_to=sales_department, receiver=sales_user)


@pytest.mark.spec("PRE-4", "ORG-1")
def test_who_handed_the_inquiry_over_reads_the_order_it_became(login, staff_user, colleague, converted):
    order = converted.order
    for user in (staff_user, colleague):  # its owner, and her department (on the inquiry)
        client = login(user)
        inquiry_page = client.get(converted.get_absolute_url()).content.decode()
        assert f'href="{order.get_absolute_url()}"' in inquiry_page
        page = client.get(order.get_absolute_url())
        assert page.status_code == 200
        # read-only: no action, no form
        html = page.content.decode()
        assert not page.context["actions"] and not page.context["can_work"]
        for form_id in ("progress-form", "amend-form", "checklist-form", "production-form", "attachment-form"):
            assert f'id="{form_id}"' not in html, form_id
        assert client.post(reverse("orders:order-fire", args=[order.pk]), {"action": "cancel", "comment": "x"}
                           ).status_code == 403


@pytest.mark.spec("PRE-4", "ORG-1")
def test_an_invited_participant_reads_the_order_but_an_outsider_does_not(login, staff_user, sales_user,
                                                                          sales_department, other_department_staff,
                                                                          customer, product):
    guest = UserFactory(username="guest", department=None, roles=[Role.STAFF])
    inquiry = inquiry_in(Inquiry.Status.CONVERTED, actor=staff_user, customer=customer, products=[product],
                         complex=True, invited_people=[guest], solution=("方案", "内容"),
                         hand_over_to=sales_department, receiver=sales_user)
    assert login(guest).get(inquiry.order.get_absolute_url()).status_code == 200
    assert login(other_department_staff).get(inquiry.order.get_absolute_url()).status_code == 404
    assert login(other_department_staff).get(inquiry.get_absolute_url()).status_code == 404


@pytest.mark.spec("ORG-1")
def test_the_filter_and_the_predicate_agree_for_the_inquiry_readers(staff_user, colleague, sales_user,
                                                                     other_department_staff, quality_officer,
                                                                     converted, orders_by_state):
    for user in (staff_user, colleague, sales_user, other_department_staff, quality_officer):
        filtered = set(ORDER_VISIBILITY.filter(Order.objects.all(), user).values_list("pk", flat=True))
        for order in Order.objects.select_related("source_inquiry"):
            assert ORDER_VISIBILITY.can_view(user, order) == (order.pk in filtered), (user, order.number)
    assert converted.order.pk in set(ORDER_VISIBILITY.filter(Order.objects.all(), staff_user).values_list("pk", flat=True))


@pytest.mark.spec("INBOX-1", "ORD-2")
def test_orders_in_production_wait_on_the_production_department_in_my_work(login, producer, production_department,
                                                                           orders_by_state):
    from qsm import registry

    mine = {i.number: i for i in registry.inbox_items(producer)}
    assert set(mine) == {orders_by_state[S.IN_PRODUCTION].number}
    assert mine[orders_by_state[S.IN_PRODUCTION].number].waiting_for == "生产并记录生产进度"
    page = login(producer).get(reverse("inbox")).content.decode()
    assert orders_by_state[S.IN_PRODUCTION].number in page
    # not for a department that is not declared producing
    other = UserFactory(username="x1", department=DepartmentFactory(code="other-x", kind="other"), roles=[Role.STAFF])
    assert registry.inbox_items(other) == []
