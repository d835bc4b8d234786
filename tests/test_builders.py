"""The lifecycle builders reach every state of their lifecycle tables through the services, and the
order review is always decided by a second person (four-eyes, ORG-1)."""
from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from orders.models import Delivery, Installation, Order
from presales.models import Inquiry
from qsm.workflow.models import Event
from tests.builders.inquiries import inquiry_in
from tests.builders.orders import delivery_in, installation_in, order_in

pytestmark = pytest.mark.django_db


def _transitions(record) -> list[tuple[str, str, str]]:
    """The state changes recorded on ``record``, oldest first: (action, from, to)."""
    events = Event.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
    return [(e.action, e.from_state, e.to_state) for e in events.exclude(to_state="").order_by("pk")]


@pytest.mark.parametrize("state", Inquiry.Status.values)
@pytest.mark.parametrize("complex_need", [False, True])
def test_inquiry_builder_reaches_every_state(state, complex_need, staff_user, sales_user, customer,
                                             production_department, sales_department):
    inquiry = inquiry_in(state, actor=staff_user, customer=customer, complex=complex_need,
                         invited=[production_department], solution=("方案", "内容"),
                         hand_over_to=sales_department, receiver=sales_user)

    assert Inquiry.objects.get(pk=inquiry.pk).status == state
    # walked there one recorded transition after another, never written directly
    steps = _transitions(inquiry)
    assert all(a[2] == b[1] for a, b in zip(steps, steps[1:], strict=False))
    assert (steps[-1][2] if steps else Inquiry.Status.NEW) == state


@pytest.mark.parametrize("state", Order.Status.values)
def test_order_builder_reaches_every_state_with_a_second_person_deciding_the_review(state, sales_user, sales_manager,
                                                                                    customer):
    order = order_in(state, actor=sales_user, manager=sales_manager, customer=customer, installation=True)

    assert Order.objects.get(pk=order.pk).status == state
    steps = _transitions(order)
    assert all(a[2] == b[1] for a, b in zip(steps, steps[1:], strict=False))
    assert (steps[-1][2] if steps else Order.Status.REVIEW) == state
    decisions = Event.objects.filter(content_type=ContentType.objects.get_for_model(Order), object_id=order.pk,
                                     action__in=("approve", "return"))
    assert all(e.actor_id not in (None, order.owner_id) for e in decisions)
    assert decisions.exists() == (state not in (Order.Status.REVIEW, Order.Status.CANCELLED))


@pytest.mark.parametrize("state", Delivery.Status.values)
def test_delivery_builder_reaches_every_state(state, sales_user, customer):
    assert Delivery.objects.get(pk=delivery_in(state, actor=sales_user, customer=customer).pk).status == state


@pytest.mark.parametrize("state", Installation.Status.values)
def test_installation_builder_reaches_every_state(state, sales_user, production_user, customer):
    installation = installation_in(state, actor=sales_user, engineer=production_user, customer=customer)

    assert Installation.objects.get(pk=installation.pk).status == state
    assert list(installation.engineers.all()) == [production_user]
