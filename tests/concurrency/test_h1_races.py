"""REL-1 (issue 7, h1): two conversions of one inquiry at once make one order; two quick-creates of
one customer at once make one customer, and the second creator gets the first one's row."""
from __future__ import annotations

import pytest
from django.db import transaction

from orders.models import Order
from presales.models import Inquiry
from qsm.errors import TransitionNotAllowed
from qsm.org.models import Customer, Role
from qsm.org.services import customer_create
from tests.builders.inquiries import inquiry_in
from tests.builders.orders import conversion_body
from tests.concurrency.race import at_once, while_held
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 5


@pytest.mark.spec("REL-1", "PRE-4")
def test_two_conversions_of_one_inquiry_at_once_make_one_order(staff_user, sales_user, sales_department):
    from orders.services import order_create_from_inquiry

    second_receiver = UserFactory(username="sales-2", department=sales_department, roles=[Role.STAFF])
    for round_no in range(ROUNDS):
        inquiry = inquiry_in(Inquiry.Status.ACKNOWLEDGED, actor=staff_user, answer="已答复",
                             hand_over_to=sales_department, receiver=sales_user, subject=f"第 {round_no} 轮")
        body = conversion_body(inquiry)
        # when two people of the receiving department save the conversion form at the same moment
        outcomes = at_once(
            lambda i=inquiry, b=body: order_create_from_inquiry(inquiry=Inquiry.objects.get(pk=i.pk),
                                                                actor=sales_user, **b),
            lambda i=inquiry, b=body: order_create_from_inquiry(inquiry=Inquiry.objects.get(pk=i.pk),
                                                                actor=second_receiver, **b),
        )
        # then one order, and the other is refused as converted already
        assert sorted(o.ok for o in outcomes) == [False, True], [o.error for o in outcomes]
        assert isinstance(next(o.error for o in outcomes if not o.ok), TransitionNotAllowed)
        assert Order.objects.filter(source_inquiry=inquiry).count() == 1
        assert Inquiry.objects.get(pk=inquiry.pk).status == Inquiry.Status.CONVERTED


@pytest.mark.spec("REL-1", "ORG-2")
def test_two_quick_creates_of_one_customer_at_once_make_one(staff_user, colleague):
    for round_no in range(ROUNDS):
        name = f"江南精密制造{round_no}"

        def create(actor, typed):
            with transaction.atomic():  # as in an intake: the customer is created inside the record's transaction
                return customer_create(actor=actor, name=typed, phone="0512-88886666")

        # when two people quick-create the same customer (typed a little differently) at the same moment
        outcomes = at_once(lambda n=name: create(staff_user, n), lambda n=name: create(colleague, f" {n}　"))
        # then both succeed with one and the same customer
        assert all(o.ok for o in outcomes), [o.error for o in outcomes]
        assert outcomes[0].value.pk == outcomes[1].value.pk
        assert Customer.objects.filter(name_key=name.casefold()).count() == 1


@pytest.mark.spec("REL-1", "ORG-2")
def test_the_second_creator_waits_for_the_first_and_gets_its_customer(staff_user, colleague):
    # the deterministic interleaving: the first insert holds the unique key while the second arrives
    holder, contender = while_held(
        lambda: customer_create(actor=staff_user, name="ＡＢＣ 机械（苏州）", credit_code="91320500MA1ABCDE2X"),
        lambda: customer_create(actor=colleague, name="abc  机械(苏州)"),
    )
    assert contender.ok, contender.error
    assert contender.value.pk == holder.value.pk and contender.value.already_on_file
    assert Customer.objects.count() == 1
