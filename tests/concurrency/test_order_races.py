"""REL-1: order writes decided under the order's lock, proven with two database connections.

Each test fails on the code before the root lock: the confirmations of two deliveries left the
order "delivering" for ever, and the services below checked the order's state before locking it.
"""
from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from orders import services
from orders.models import AcceptanceRound, Delivery, Installation, Order, ReviewFinding
from qsm.contacts.models import ContactEntry
from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.workflow.models import Event
from tests.builders.orders import installation_in, new_order, order_in, pass_all, priced_product
from tests.concurrency.race import at_once, while_held

S = Order.Status
ROUNDS = 5

pytestmark = pytest.mark.django_db(transaction=True)


def _events(order, action: str) -> int:
    return Event.objects.filter(content_type=ContentType.objects.get_for_model(Order), object_id=order.pk,
                                action=action).count()


def _two_line_order(*, actor, approver, customer, tag: str) -> Order:
    a, b = priced_product(f"A-{tag}"), priced_product(f"B-{tag}")
    order = services.order_create(actor=actor, customer=customer, lines=[
        {"product": a, "quantity": "1", "unit_price": a.list_price},
        {"product": b, "quantity": "1", "unit_price": b.list_price}])
    pass_all(order, actor)
    services.order_approve(order=order, actor=approver)
    return Order.objects.get(pk=order.pk)


@pytest.mark.spec("REL-1", "ORD-2", "WF-1")
def test_two_deliveries_confirmed_at_once_complete_the_order(staff_user, colleague, customer):
    for round_no in range(ROUNDS):
        # given an approved order of two lines, each shipped in its own delivery
        order = _two_line_order(actor=staff_user, approver=colleague, customer=customer, tag=str(round_no))
        first, second = order.lines.order_by("pk")
        one = services.delivery_ship(order=order, actor=staff_user, quantities={first.pk: "1"})
        two = services.delivery_ship(order=order, actor=staff_user, quantities={second.pk: "1"})
        # when the receipt of both is confirmed at the same moment by two people
        outcomes = at_once(
            lambda d=one: services.delivery_confirm(delivery=Delivery.objects.get(pk=d.pk), actor=staff_user,
                                                    quality_note="无误"),
            lambda d=two: services.delivery_confirm(delivery=Delivery.objects.get(pk=d.pk), actor=colleague,
                                                    quality_note="无误"),
        )
        # then both confirmations hold and the order is delivered, once
        assert all(o.ok for o in outcomes), [o.error for o in outcomes]
        order.refresh_from_db()
        assert not order.lines.filter(delivered_quantity__lt=1).exists()
        assert order.status == S.DELIVERED, f"round {round_no}: every line delivered, order still {order.status}"
        assert _events(order, "complete_delivery") == 1


@pytest.mark.spec("REL-1", "ORD-1")
def test_amendment_racing_the_approval_is_refused(staff_user, colleague, customer):
    # given an order in review that the owner has open in the edit form
    order = new_order(actor=staff_user, customer=customer)
    pass_all(order, staff_user)
    stale = Order.objects.get(pk=order.pk)
    # when a colleague approves it while the owner's amendment is on its way
    approved, amended = while_held(
        lambda: services.order_approve(order=Order.objects.get(pk=order.pk), actor=colleague),
        lambda: services.order_update(order=stale, actor=staff_user, data={"needs": "改为三台"}),
    )
    # then the amendment is refused (409) and the approved order is unchanged
    assert isinstance(amended.error, TransitionNotAllowed), amended.error
    order.refresh_from_db()
    assert order.status == S.APPROVED and order.needs != "改为三台"
    assert not Event.objects.filter(object_id=order.pk, kind=Event.Kind.EDIT,
                                    content_type=ContentType.objects.get_for_model(Order)).exists()


@pytest.mark.spec("REL-1", "ORD-1")
def test_findings_racing_the_approval_are_refused_not_a_server_error(staff_user, colleague, customer):
    order = new_order(actor=staff_user, customer=customer)
    pass_all(order, staff_user)
    stale = Order.objects.get(pk=order.pk)
    approved, checked = while_held(
        lambda: services.order_approve(order=Order.objects.get(pk=order.pk), actor=colleague),
        lambda: services.review_record_findings(order=stale, actor=staff_user,
                                                findings={"prices": ("fail", "单价低于允许范围")}),
    )
    # before the fix this was ReviewRound.DoesNotExist: a 500
    assert isinstance(checked.error, TransitionNotAllowed), checked.error
    assert not ReviewFinding.objects.filter(round__order=order, result="fail").exists()


@pytest.mark.spec("REL-1", "ORD-2")
def test_progress_note_racing_the_cancellation_is_refused(staff_user, manager, customer):
    order = new_order(actor=staff_user, customer=customer)
    stale = Order.objects.get(pk=order.pk)
    cancelled, logged = while_held(
        lambda: services.order_cancel(order=Order.objects.get(pk=order.pk), actor=manager, comment="客户撤单"),
        lambda: services.progress_note_add(order=stale, actor=staff_user, kind="update", channel="phone",
                                           text="已告知客户排产计划"),
    )
    assert isinstance(logged.error, TransitionNotAllowed), logged.error
    assert not ContactEntry.objects.filter(order=order).exists()


@pytest.mark.spec("REL-1", "ORD-2")
def test_shipment_racing_the_cancellation_is_refused(staff_user, colleague, manager, customer):
    order = order_in(S.APPROVED, actor=staff_user, approver=colleague, customer=customer)
    stale = Order.objects.get(pk=order.pk)
    line = order.lines.get()
    cancelled, shipped = while_held(
        lambda: services.order_cancel(order=Order.objects.get(pk=order.pk), actor=manager, comment="客户撤单"),
        lambda: services.delivery_ship(order=stale, actor=staff_user, quantities={line.pk: "1"}),
    )
    assert isinstance(shipped.error, TransitionNotAllowed), shipped.error
    assert not Delivery.objects.filter(order=order).exists()


@pytest.mark.spec("REL-1", "ORD-2")
def test_two_shipments_of_the_last_units_at_once_ship_them_once(staff_user, colleague, customer):
    for round_no in range(ROUNDS):
        order = order_in(S.APPROVED, actor=staff_user, approver=colleague, customer=customer,
                         product=priced_product(f"S-{round_no}"))
        line = order.lines.get()
        outcomes = at_once(*[
            lambda who=who, pk=order.pk, wanted={line.pk: line.quantity}: services.delivery_ship(
                order=Order.objects.get(pk=pk), actor=who, quantities=wanted)
            for who in (staff_user, colleague)])
        assert sorted(o.ok for o in outcomes) == [False, True]
        assert isinstance(next(o.error for o in outcomes if not o.ok), ValidationError)
        assert Delivery.objects.filter(order=order).count() == 1


@pytest.mark.spec("REL-1", "ORD-2")
def test_a_question_answered_twice_at_once_keeps_one_answer(staff_user, colleague, customer):
    order = new_order(actor=staff_user, customer=customer)
    for round_no in range(ROUNDS):
        question = services.progress_note_add(order=order, actor=staff_user, kind="question", channel="phone",
                                              text=f"什么时候发货？({round_no})")
        outcomes = at_once(*[
            lambda who=who, text=text, pk=question.pk: services.progress_question_answer(
                note=ContactEntry.objects.get(pk=pk), actor=who, answer=text)
            for who, text in ((staff_user, "下周一"), (colleague, "下周二"))])
        assert sorted(o.ok for o in outcomes) == [False, True]
        assert isinstance(next(o.error for o in outcomes if not o.ok), TransitionNotAllowed)
        winner = next(o.value for o in outcomes if o.ok)
        question.refresh_from_db()
        assert question.answer == winner.answer and question.answered_by_id == winner.answered_by_id


@pytest.mark.spec("REL-1", "ORD-3")
def test_two_acceptances_at_once_record_one_round_and_accept_the_order_once(staff_user, colleague, customer):
    for round_no in range(ROUNDS):
        order = order_in(S.INSTALLING, actor=staff_user, approver=colleague, engineer=colleague, customer=customer,
                         installation=True, product=priced_product(f"I-{round_no}"))
        installation = installation_in("commissioned", installation=order.installation, actor=colleague)
        outcomes = at_once(*[
            lambda who=who, result=result, pk=installation.pk: services.acceptance_record(
                installation=Installation.objects.get(pk=pk), actor=who, result=result,
                remarks="" if result == "accepted" else "噪音偏大", signatory="陈工")
            for who, result in ((staff_user, "accepted"), (colleague, "rejected"))])
        assert sorted(o.ok for o in outcomes) == [False, True], [o.error for o in outcomes]
        assert isinstance(next(o.error for o in outcomes if not o.ok), TransitionNotAllowed)
        assert AcceptanceRound.objects.filter(installation=installation).count() == 1
        order.refresh_from_db()
        accepted = AcceptanceRound.objects.get(installation=installation).result == "accepted"
        assert order.status == (S.ACCEPTED if accepted else S.INSTALLING)
        assert _events(order, "accept") == (1 if accepted else 0)


@pytest.mark.spec("REL-1", "ORD-3")
def test_a_reschedule_waiting_while_the_engineer_starts_on_site_is_refused(sales_user, production_user, customer):
    import datetime as dt

    from django.utils import timezone

    # given a scheduled installation, read by the office before the engineer starts on site
    order = order_in(S.INSTALLING, actor=sales_user, engineer=production_user, customer=customer, installation=True)
    stale = Installation.objects.get(order=order)
    new_date = timezone.localdate() + dt.timedelta(days=5)
    # when the engineer starts while the reschedule is on its way
    started, moved = while_held(
        lambda: services.installation_start(installation=Installation.objects.get(pk=stale.pk), actor=production_user),
        lambda: services.installation_reschedule(installation=stale, actor=sales_user, scheduled_for=new_date,
                                                 reason="客户要求"),
    )
    # then the reschedule is refused (decided on the locked, started installation) and nothing moved
    assert isinstance(moved.error, TransitionNotAllowed), moved.error
    installation = Installation.objects.get(pk=stale.pk)
    assert installation.status == "on_site" and installation.scheduled_for == stale.scheduled_for
    assert not Event.objects.filter(action="reschedule").exists()


@pytest.mark.spec("REL-1", "ORD-3")
def test_two_engineer_changes_at_once_leave_one_consistent_team(sales_user, sales_manager, production_user,
                                                                production_department, customer):
    from tests.factories import UserFactory

    order = order_in(S.INSTALLING, actor=sales_user, engineer=production_user, customer=customer, installation=True)
    a = UserFactory(username="eng-a", department=production_department, roles=["staff"])
    b = UserFactory(username="eng-b", department=production_department, roles=["staff"])
    pk = order.installation.pk

    outcomes = at_once(
        lambda: services.installation_change_engineers(installation=Installation.objects.get(pk=pk),
                                                       actor=sales_user, engineers=[a], reason="换人"),
        lambda: services.installation_change_engineers(installation=Installation.objects.get(pk=pk),
                                                       actor=sales_manager, engineers=[b], reason="换人"),
    )

    # both were decided one after the other under the order's lock: each timeline line says what it found
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    changes = [e.changes[0] for e in Event.objects.filter(action="change_engineers").order_by("id")]
    assert changes[0]["old"] == [production_user.pk] and changes[1]["old"] == changes[0]["new"]
    assert list(Installation.objects.get(pk=pk).engineers.values_list("pk", flat=True)) == changes[1]["new"]
