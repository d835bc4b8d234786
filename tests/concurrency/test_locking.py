"""REL-1: the root-lock helper refuses from inside the lock and writes nothing when it refuses."""
from __future__ import annotations

import pytest
from django.db import transaction

from orders.models import Order
from orders.rules import can_work_order
from qsm.errors import PermissionDenied, TransitionNotAllowed
from qsm.workflow.locking import lock, locked
from tests.builders.orders import new_order

pytestmark = pytest.mark.django_db


@pytest.mark.spec("REL-1")
@pytest.mark.django_db(transaction=True)  # a normal test runs inside one transaction already
def test_a_row_lock_outside_a_transaction_is_refused(staff_user, customer):
    order = new_order(actor=staff_user, customer=customer)
    with pytest.raises(RuntimeError):
        lock(order)


@pytest.mark.spec("REL-1")
def test_locked_rechecks_right_and_state_on_the_locked_row(staff_user, other_department_staff, customer):
    order = new_order(actor=staff_user, customer=customer)
    stale = Order.objects.get(pk=order.pk)
    Order.objects.filter(pk=order.pk).update(customer_reference="changed elsewhere")
    # the right is checked on the locked row: an outsider is refused and nothing is written
    with pytest.raises(PermissionDenied), locked(stale, actor=other_department_staff, allowed=can_work_order):
        raise AssertionError("the block must not run")  # pragma: no cover
    # the state is checked on the locked row, not on the caller's stale copy
    Order.objects.filter(pk=order.pk).update(status=Order.Status.APPROVED)
    assert stale.status == Order.Status.REVIEW
    with pytest.raises(TransitionNotAllowed) as refused, locked(stale, actor=staff_user, allowed=can_work_order,
                                                                states=(Order.Status.REVIEW,)):
        raise AssertionError("the block must not run")  # pragma: no cover
    assert refused.value.state == Order.Status.APPROVED
    # and when it lets the write through, the caller's copy is brought up to date
    with locked(stale, actor=staff_user, allowed=can_work_order, states=(Order.Status.APPROVED,)) as root:
        assert transaction.get_connection().in_atomic_block
        root.needs = "写入"
        root.save(update_fields=["needs"])
    assert (stale.needs, stale.customer_reference, stale.status) == ("写入", "changed elsewhere", "approved")
