"""DATA-1: one command loads a realistic data set a new user can log in to."""
from __future__ import annotations

import datetime as dt
import io
import re
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Max
from django.utils import timezone

from assessment.management.commands.load_demo_data import LOGINS_FILE, logins_text
from orders.models import Order
from presales.models import Channel, Discussion, Inquiry, Solution
from qsm.notify.models import Notification
from qsm.org.models import Customer, Department, Role, User
from qsm.sla.models import Deadline
from qsm.workflow.models import Event

S = Inquiry.Status


def _documented_logins() -> tuple[str, list[str]]:
    """The password and usernames as docs/demo-logins.txt tells a newcomer."""
    text = LOGINS_FILE.read_text(encoding="utf-8")
    password = re.search(r"^Password:\s+(\S+)", text, re.M).group(1)
    rows = text.split("department / name", 1)[1].strip().splitlines()
    return password, [row.split()[0] for row in rows]


def _counts() -> dict[str, int]:
    return {"users": User.objects.count(), "customers": Customer.objects.count(), "inquiries": Inquiry.objects.count(),
            "orders": Order.objects.count(), "events": Event.objects.count(),
            "notifications": Notification.objects.count()}


@pytest.mark.spec("DATA-1")
def test_demo_data_populates_every_role_state_and_month(db, client):
    # when
    started = time.monotonic()
    call_command("load_demo_data", "--seed", "1", stdout=io.StringIO())
    elapsed = time.monotonic() - started
    now = timezone.now()

    # then it is quick enough for `make run`
    assert elapsed < 90, f"load_demo_data took {elapsed:.1f} s"
    # every role has a user who logs in with the documented password
    password, usernames = _documented_logins()
    roles_seen = set()
    for username in usernames:
        assert client.login(username=username, password=password), username
        client.logout()
        roles_seen |= User.objects.get(username=username).role_names
    assert roles_seen == set(Role.values)
    assert User.objects.get(username="admin").is_superuser
    # departments of every kind, each with its manager
    assert set(Department.objects.values_list("kind", flat=True)) == set(Department.Kind.values)
    assert not Department.objects.filter(manager__isnull=True).exists()
    assert Customer.objects.count() >= 30
    # inquiries in every state, on every channel, across the year, some overdue
    inquiries = Inquiry.objects.all()
    assert inquiries.count() >= 100
    assert set(inquiries.values_list("status", flat=True)) == set(S.values)
    assert set(inquiries.values_list("channel", flat=True)) == set(Channel.values)
    assert inquiries.dates("received_at", "month").count() >= 10
    assert not inquiries.filter(received_at__gt=now).exists()
    assert inquiries.filter(status__in=Inquiry.OPEN_STATES, due_at__lt=now).exists()
    assert Deadline.objects.filter(overdue_at__isnull=False).exists()
    # complex needs were discussed with production and got versioned solutions
    assert Discussion.objects.filter(invited_departments__code="production").exists()
    assert Solution.objects.aggregate(v=Max("version"))["v"] >= 2
    # converted inquiries became orders with lines
    orders = Order.objects.select_related("source_inquiry")
    assert orders.exists()
    assert all(o.source_inquiry.status == S.CONVERTED for o in orders)
    assert not orders.annotate(n=Count("lines")).filter(n=0).exists()
    # records went through the services: each inquiry's timeline ends in its current state
    for inquiry in inquiries:
        last = Event.objects.filter(object_id=inquiry.pk, content_type__model="inquiry",
                                    kind__in=[Event.Kind.CREATED, Event.Kind.TRANSITION]).order_by("-created_at", "-id")[0]
        assert last.to_state == inquiry.status, inquiry.number
    assert Event.objects.order_by("created_at")[0].created_at < now - dt.timedelta(days=300)
    # the demo year's notifications are not mailed on the first start
    assert not Notification.objects.filter(email_wanted=True, emailed_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=True).count() < Notification.objects.count()

    # when it runs again with --if-empty, then nothing is added
    before = _counts()
    out = io.StringIO()
    call_command("load_demo_data", "--if-empty", stdout=out)
    assert "Nothing loaded" in out.getvalue()
    assert _counts() == before
    # and without the flag it refuses a database that has data
    with pytest.raises(CommandError):
        call_command("load_demo_data", stdout=io.StringIO())
    assert _counts() == before


@pytest.mark.spec("DATA-1")
def test_small_demo_data_still_has_every_state(db):
    call_command("load_demo_data", "--small", "--seed", "7", stdout=io.StringIO())

    assert set(Inquiry.objects.values_list("status", flat=True)) == set(S.values)
    assert Inquiry.objects.count() < 40
    assert Order.objects.exists()


@pytest.mark.spec("DATA-1")
def test_logins_document_matches_the_command():
    # docs/demo-logins.txt is printed by `make run`; it must say what the command creates
    assert LOGINS_FILE.read_text(encoding="utf-8") == logins_text()
