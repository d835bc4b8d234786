"""ORD-4: a record that becomes due a follow-up visit writes a row in the core queue; the coming
visit scheduler claims due rows exactly once (issue 6 §3)."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from orders.models import Order
from orders.selectors import order_list
from qsm.followup.models import FollowUp
from qsm.followup.services import follow_up_claim_due, follow_up_request
from tests.builders.orders import order_in, priced_product

S = Order.Status


def _rows(order) -> list[FollowUp]:
    return list(FollowUp.objects.filter(content_type=ContentType.objects.get_for_model(order), object_id=order.pk))


@pytest.mark.spec("ORD-4")
def test_an_accepted_order_queues_one_follow_up_visit(sales_user, customer):
    order = order_in(S.ACCEPTED, actor=sales_user, customer=customer, installation=True)
    [row] = _rows(order)
    assert (row.reason, row.customer, row.department, row.consumed_at) == (
        "accepted", order.customer, order.department, None)
    assert row.due_at == order.follow_up_due_at and order.visit_due
    # asking again (a retried action) adds nothing
    assert follow_up_request(order, "accepted", timezone.now()).pk == row.pk and len(_rows(order)) == 1


@pytest.mark.spec("ORD-4")
def test_a_delivered_order_without_installation_queues_its_visit_and_one_with_installation_does_not(
        sales_user, customer):
    plain = order_in(S.DELIVERED, actor=sales_user, customer=customer)
    installing = order_in(S.DELIVERED, actor=sales_user, customer=customer, installation=True,
                          product=priced_product("I-1"))
    assert [r.reason for r in _rows(plain)] == ["delivered"] and plain.visit_due
    assert _rows(installing) == [] and not installing.visit_due


@pytest.mark.spec("ORD-4")
def test_the_scheduler_claims_due_rows_once_and_the_order_shows_the_visit_planned(sales_user, customer):
    order = order_in(S.DELIVERED, actor=sales_user, customer=customer)
    later = order_in(S.DELIVERED, actor=sales_user, customer=customer, product=priced_product("L-1"))
    FollowUp.objects.filter(object_id=later.pk).update(due_at=timezone.now() + dt.timedelta(days=3))
    # a failed planning puts the rows back
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert len(follow_up_claim_due(now=timezone.now())) == 1
        1 / 0  # noqa: B018
    assert FollowUp.objects.get(object_id=order.pk).consumed_at is None
    # when the scheduler claims what is due now
    with transaction.atomic():
        claimed = follow_up_claim_due(now=timezone.now(), limit=10)
    # then only the due one is taken, once
    assert [r.object_id for r in claimed] == [order.pk]
    with transaction.atomic():
        assert follow_up_claim_due(now=timezone.now()) == []
    # and the order no longer shows a visit due, everywhere the same
    assert not Order.objects.get(pk=order.pk).visit_due and Order.objects.get(pk=later.pk).visit_due
    due = {o.pk: o.visit_due for o in order_list(user=sales_user)}
    assert (due[order.pk], due[later.pk]) == (False, True)
    client = Client()
    client.force_login(sales_user)
    page = client.get(order.get_absolute_url())
    assert page.context["order"].visit_scheduled_at == claimed[0].consumed_at
    assert 'id="visit-due-badge"' not in page.content.decode()
    assert 'id="visit-due-badge"' in client.get(later.get_absolute_url()).content.decode()


@pytest.mark.spec("ORD-4")
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_never_claim_the_same_row(sales_user, customer):
    orders = [order_in(S.DELIVERED, actor=sales_user, customer=customer, product=priced_product(f"S-{n}")) for n in range(6)]
    # a claim outside the scheduler's transaction is a programming error (the lock would end at once)
    with pytest.raises(RuntimeError):
        follow_up_claim_due(now=timezone.now())
    barrier = threading.Barrier(2)
    claimed: list[list[int]] = []

    def scheduler():
        try:
            with transaction.atomic():
                rows = follow_up_claim_due(now=timezone.now(), limit=4)
                barrier.wait(timeout=30)  # both hold their claims at the same time
                claimed.append([r.object_id for r in rows])
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    first, second = claimed
    assert not set(first) & set(second) and sorted(first + second) == sorted(o.pk for o in orders)
    assert not FollowUp.objects.filter(consumed_at__isnull=True).exists()


@pytest.mark.spec("ORD-4")
@pytest.mark.django_db(transaction=True)
def test_the_migration_queues_existing_due_orders(sales_user, customer):
    from django.db.migrations.executor import MigrationExecutor

    before = [("orders", "0006_delivery_clocks")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    # given orders as they were before the queue: one due, one already scheduled, one not due
    executor.migrate(before)
    old_apps = MigrationExecutor(connection).loader.project_state(before).apps
    OldOrder = old_apps.get_model("orders", "Order")
    now = timezone.now()
    common = {"customer_id": customer.pk, "department_id": sales_user.department_id, "owner_id": sales_user.pk,
              "status": "accepted"}
    due = OldOrder.objects.create(number="ORD-M-1", follow_up_due_at=now, follow_up_reason="accepted", **common)
    done = OldOrder.objects.create(number="ORD-M-2", follow_up_due_at=now, follow_up_reason="delivered",
                                   follow_up_scheduled_at=now + dt.timedelta(days=1), **common)
    OldOrder.objects.create(number="ORD-M-3", **common)
    # when the migration runs
    MigrationExecutor(connection).migrate(latest)
    # then each due order has its queue row, the scheduled one already consumed
    rows = {r.object_id: r for r in FollowUp.objects.all()}
    assert set(rows) == {due.pk, done.pk}
    assert (rows[due.pk].reason, rows[due.pk].consumed_at) == ("accepted", None)
    assert (rows[done.pk].reason, rows[done.pk].consumed_at) == ("delivered", now + dt.timedelta(days=1))
    assert Order.objects.get(pk=due.pk).visit_due and not Order.objects.get(pk=done.pk).visit_due
