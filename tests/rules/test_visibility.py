"""ORG-1: each model declares who sees it once; the selectors' queryset filter and the object
predicate both come from that declaration and agree for every user and record."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from orders.models import Delivery, Installation, Order
from orders.rules import can_view_delivery, can_view_installation, can_view_order
from orders.selectors import delivery_list, installation_list, order_visible
from presales.models import Inquiry
from presales.rules import can_view_inquiry
from presales.selectors import inquiry_visible
from qsm import visibility
from qsm.org.models import Role
from tests.builders.inquiries import inquiry_in, new_inquiry
from tests.builders.orders import delivery_in, new_order, order_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = Order.Status


@pytest.fixture
def everyone(staff_user, colleague, manager, sales_user, sales_manager, quality_officer, quality_manager,
             administrator, other_department_staff, production_user, db):
    invited = UserFactory(username="invited", department=other_department_staff.department, roles=[Role.STAFF])
    homeless = UserFactory(username="homeless", department=None, roles=[Role.STAFF])
    return {"owner": staff_user, "colleague": colleague, "manager": manager, "sales": sales_user,
            "sales_manager": sales_manager, "quality_officer": quality_officer, "quality_manager": quality_manager,
            "administrator": administrator, "outsider": other_department_staff, "production": production_user,
            "invited": invited, "homeless": homeless, "anonymous": AnonymousUser()}


@pytest.fixture
def records(everyone, customer, sales_department, production_department):
    owner, sales = everyone["owner"], everyone["sales"]
    plain = new_inquiry(actor=owner, customer=customer, subject="普通咨询")
    handed = inquiry_in("handed_over", actor=owner, customer=customer, subject="移交咨询",
                        hand_over_to=sales_department)
    discussed = inquiry_in("discussion", actor=owner, customer=customer, subject="复杂需求", topic="非标方案",
                           invited=[production_department], invited_people=[everyone["invited"]])
    in_review = new_order(actor=sales, customer=customer)
    installing = order_in(S.INSTALLING, actor=sales, approver=everyone["sales_manager"],
                          engineer=everyone["production"], customer=customer, installation=True)
    delivering = order_in(S.APPROVED, actor=sales, approver=everyone["sales_manager"], customer=customer)
    delivery_in("shipped", order=delivering, actor=sales)
    return {
        Inquiry: [plain, handed, discussed],
        Order: [in_review, installing, delivering],
        Delivery: list(Delivery.objects.all()),
        Installation: list(Installation.objects.all()),
    }


SELECTORS = {
    Inquiry: (lambda user: inquiry_visible(user=user), can_view_inquiry),
    Order: (lambda user: order_visible(user=user), can_view_order),
    Delivery: (lambda user: delivery_list(user=user), can_view_delivery),
    Installation: (lambda user: installation_list(user=user), can_view_installation),
}


@pytest.mark.spec("ORG-1")
def test_queryset_filter_and_object_predicate_agree_for_every_user_and_record(everyone, records):
    checked = 0
    for model, (selector, predicate) in SELECTORS.items():
        assert records[model], model
        for name, user in everyone.items():
            listed = set(selector(user).values_list("pk", flat=True))
            for record in records[model]:
                fresh = type(record).objects.get(pk=record.pk)
                assert (record.pk in listed) == predicate(user, fresh) == visibility.can_view(user, fresh), (
                    f"{model.__name__} {record.pk} for {name}: listed={record.pk in listed}")
                checked += 1
            # a list never shows a row twice (participants are reached through sub-selects)
            assert selector(user).count() == len(listed), (model.__name__, name)
    assert checked == len(everyone) * sum(len(r) for r in records.values())


def _seen(everyone, records, model) -> dict[str, set[int]]:
    selector = SELECTORS[model][0]
    return {name: set(selector(user).values_list("pk", flat=True)) & {r.pk for r in records[model]}
            for name, user in everyone.items()}


@pytest.mark.spec("ORG-1")
def test_who_sees_an_inquiry(everyone, records):
    plain, handed, discussed = (r.pk for r in records[Inquiry])
    seen = _seen(everyone, records, Inquiry)
    every = {plain, handed, discussed}
    assert seen["owner"] == seen["colleague"] == seen["manager"] == every  # §2(二) the owning department
    assert seen["quality_officer"] == seen["quality_manager"] == seen["administrator"] == every  # §2(一)
    assert seen["sales"] == seen["sales_manager"] == {handed}  # §3.1(3) the department it was handed to
    assert seen["invited"] == {discussed}  # invited by name to the discussion
    assert seen["production"] == {discussed}  # their department was invited
    assert seen["outsider"] == seen["homeless"] == seen["anonymous"] == set()


@pytest.mark.spec("ORG-1")
def test_who_sees_an_order_its_deliveries_and_its_installation(everyone, records):
    in_review, installing, delivering = (r.pk for r in records[Order])
    seen = _seen(everyone, records, Order)
    assert seen["sales"] == seen["sales_manager"] == seen["quality_officer"] == seen["administrator"] == {
        in_review, installing, delivering}
    assert seen["production"] == {installing}  # the engineer named on its installation
    for name in ("owner", "colleague", "manager", "outsider", "invited", "homeless", "anonymous"):
        assert seen[name] == set(), name
    deliveries = _seen(everyone, records, Delivery)
    installations = _seen(everyone, records, Installation)
    # the installing engineer sees the installation, not the deliveries (the department's job)
    assert Delivery.objects.filter(order_id=installing).exists() and deliveries["production"] == set()
    assert installations["production"] == set(Installation.objects.values_list("pk", flat=True))
    assert deliveries["sales"] == set(Delivery.objects.values_list("pk", flat=True))
    assert deliveries["outsider"] == installations["outsider"] == set()


@pytest.mark.spec("ORG-1", "API-1")
def test_another_departments_record_is_404_on_page_and_api(everyone, records, client):
    outsider = everyone["outsider"]
    client.force_login(outsider)
    for order in records[Order]:
        assert client.get(order.get_absolute_url()).status_code == 404
        assert client.get(f"/api/orders/orders/{order.pk}/").status_code == 404
    for inquiry in records[Inquiry]:
        assert client.get(inquiry.get_absolute_url()).status_code == 404
        assert client.get(f"/api/presales/inquiries/{inquiry.pk}/").status_code == 404
    # and the insider of the receiving department gets them
    client.force_login(everyone["sales"])
    assert all(client.get(o.get_absolute_url()).status_code == 200 for o in records[Order])


@pytest.mark.spec("ORG-1")
def test_a_declaration_with_a_typo_fails_at_start_up():
    with pytest.raises(Exception):  # noqa: B017 - FieldDoesNotExist, raised by Django
        visibility.register(Order, visibility.Visibility(owner="ownr"))
