"""AFS-1 intake: case_create validates what it links, routes by the rules (fallback: the actor),
starts the clocks, writes the first timeline line and tells a routed owner."""
from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from aftersales.models import Case, RoutingRule
from aftersales.services.cases import case_create
from qsm.errors import PermissionDenied, ValidationError
from qsm.notify.models import Notification
from qsm.sla.models import Deadline
from qsm.workflow.models import Event
from tests.builders.orders import order_in
from tests.factories import CustomerFactory, DepartmentFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

INTAKE = {"channel": "phone", "case_type": "product_quality", "severity": "high", "subject": "主轴异响",
          "description": "开机后主轴有异响"}


@pytest.mark.spec("AFS-1")
def test_a_case_without_a_rule_stays_with_the_actor_and_starts_its_clocks(people):
    case = case_create(actor=people.owner, customer=people.customer, contact_name=" 王工 ", **INTAKE)
    assert case.number.startswith("AS-") and case.status == Case.Status.NEW
    assert (case.department, case.owner, case.contact_name) == (people.owner.department, people.owner, "王工")
    ct = ContentType.objects.get_for_model(Case)
    assert set(Deadline.objects.filter(content_type=ct, object_id=case.pk).values_list("stage", "state")) == {
        ("reply", "running"), ("resolution", "running")}
    assert Event.objects.filter(content_type=ct, object_id=case.pk, kind="created").count() == 1
    assert not Notification.objects.filter(kind="case_assigned").exists()  # the actor owns it


@pytest.mark.spec("AFS-1")
def test_a_routed_case_goes_to_the_rule_s_department_and_owner_who_is_told(people):
    robots = DepartmentFactory(code="robots", name="机器人服务部")
    lead = UserFactory(username="lead", department=robots)
    RoutingRule.objects.create(product_line="机器人", department=robots, default_owner=lead)
    robot = ProductFactory(code="RB-1", product_line="机器人")
    case = case_create(actor=people.owner, customer=people.customer, product=robot, **INTAKE)
    assert (case.department, case.owner) == (robots, lead)
    assert Notification.objects.filter(kind="case_assigned", recipient=lead).count() == 1


@pytest.mark.spec("AFS-1")
def test_the_order_delivery_and_product_must_belong_together(people):
    order = order_in("delivered", actor=people.owner, customer=people.customer)
    delivery = order.deliveries.get()
    product = order.lines.get().product
    case = case_create(actor=people.owner, customer=people.customer, delivery=delivery, product=product, **INTAKE)
    assert (case.order, case.delivery, case.product) == (order, delivery, product)  # the order from the delivery

    other = order_in("review", actor=people.owner, customer=people.customer)
    before = Case.objects.count()
    with pytest.raises(ValidationError) as refused:
        case_create(actor=people.owner, customer=CustomerFactory(), order=other, delivery=delivery,
                    product=ProductFactory(code="X-1"), **INTAKE)
    assert set(refused.value.message_dict) == {"delivery", "order", "product"}
    with pytest.raises(ValidationError) as refused:
        case_create(actor=people.owner, customer=people.customer, **{**INTAKE, "case_type": "x", "severity": "",
                                                                     "subject": " ", "channel": "fax"})
    assert set(refused.value.message_dict) == {"case_type", "severity", "subject", "channel"}
    assert Case.objects.count() == before


@pytest.mark.spec("AFS-1", "ORG-1")
def test_only_staff_of_business_departments_and_quality_log_cases(people):
    with pytest.raises(PermissionDenied):
        case_create(actor=people.step_owner, customer=people.customer, **INTAKE)  # production department
    assert case_create(actor=people.quality, customer=people.customer, **INTAKE).owner == people.quality
