"""PRE-4, ORD-2: the inquiry's communications and the order's progress notes are carried over into
the core contact log, with their times, who recorded them and the answers."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.builders.inquiries import new_inquiry

BEFORE = [("presales", "0002_timeline_events_store_raw_values"), ("orders", "0007_follow_up_queue_and_raw_timeline")]
AFTER = [("presales", "0004_remove_communication"), ("orders", "0009_remove_progress_note")]


@pytest.mark.spec("PRE-4", "ORD-2")
@pytest.mark.django_db(transaction=True)
def test_communications_and_progress_notes_become_contact_entries(staff_user, colleague, customer, product):
    from orders.services import order_create

    inquiry = new_inquiry(actor=staff_user, customer=customer)
    order = order_create(actor=staff_user, customer=customer, lines=[{"product": product, "quantity": 2, "unit_price": 10}])
    said = timezone.now().replace(microsecond=0) - dt.timedelta(days=3)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Communication, ProgressNote = old.get_model("presales", "Communication"), old.get_model("orders", "ProgressNote")
    try:
        # given the old rows: one communication each way, an update and an answered question
        inbound = Communication.objects.create(inquiry_id=inquiry.pk, channel="phone", direction="in",
                                               summary="客户来电询问交期", occurred_at=said, recorded_by_id=staff_user.pk)
        Communication.objects.filter(pk=inbound.pk).update(created_at=said + dt.timedelta(hours=1))
        Communication.objects.create(inquiry_id=inquiry.pk, channel="email", direction="out", summary="已邮件回复",
                                     occurred_at=said + dt.timedelta(hours=2), recorded_by_id=colleague.pk)
        ProgressNote.objects.create(order_id=order.pk, kind="update", channel="chat", text="已排产",
                                    occurred_at=said, recorded_by_id=staff_user.pk)
        ProgressNote.objects.create(order_id=order.pk, kind="question", channel="phone", text="能否提前发货？",
                                    occurred_at=said + dt.timedelta(hours=1), recorded_by_id=staff_user.pk,
                                    answer="可以提前两天", answered_at=said + dt.timedelta(hours=5),
                                    answered_by_id=colleague.pk)
        # when the migrations run
        MigrationExecutor(connection).migrate(AFTER)
    finally:
        MigrationExecutor(connection).migrate(latest)  # every app back at its latest state
    # then each row is an entry of the core log on its record, with the same facts
    inquiry.refresh_from_db()
    order.refresh_from_db()
    log = [(e.kind, e.channel, e.direction, e.summary, e.occurred_at, e.recorded_by_id, e.created_at)
           for e in inquiry.communications.order_by("occurred_at")]
    assert log == [
        ("communication", "phone", "in", "客户来电询问交期", said, staff_user.pk, said + dt.timedelta(hours=1)),
        ("communication", "email", "out", "已邮件回复", said + dt.timedelta(hours=2), colleague.pk, log[1][6]),
    ]
    notes = [(e.kind, e.channel, e.direction, e.summary, e.occurred_at, e.recorded_by_id, e.answer, e.answered_at,
              e.answered_by_id) for e in order.progress_notes.order_by("occurred_at")]
    assert notes == [
        ("update", "chat", "out", "已排产", said, staff_user.pk, "", None, None),
        ("question", "phone", "in", "能否提前发货？", said + dt.timedelta(hours=1), staff_user.pk, "可以提前两天",
         said + dt.timedelta(hours=5), colleague.pk),
    ]
    assert "presales_communication" not in connection.introspection.table_names()
    assert "orders_progressnote" not in connection.introspection.table_names()
