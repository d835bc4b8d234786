"""PERF-1 (issue 8): ``manage.py seed_scale`` fills a fresh database at a scale with the rows the app
writes, is idempotent per scale, and the app works on what it wrote. Run at a tiny scale."""
from __future__ import annotations

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

from orders.models import Delivery, Installation, Order, OrderLine, ReviewRound
from presales.models import Inquiry
from qsm.discussions.models import Discussion
from qsm.org.models import Customer, Department, Product, User
from qsm.scale import ScaleContext
from qsm.sla.models import Deadline
from qsm.workflow.models import Event

SCALE = 0.0005  # 500 inquiries, 150 orders, 100 customers: a second or two
pytestmark = pytest.mark.django_db


def _seed(scale: float = SCALE, **options) -> str:
    out = io.StringIO()
    call_command("seed_scale", scale=scale, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def seeded():
    return _seed()


def _open_deadlines(model, pks):
    ct = ContentType.objects.get_for_model(model)
    rows = Deadline.objects.filter(content_type=ct, object_id__in=pks, state__in=Deadline.OPEN_STATES)
    return {(object_id, stage): due for object_id, stage, due in rows.values_list("object_id", "stage", "due_at")}


@pytest.mark.spec("PERF-1")
def test_seeded_counts_roles_mix_and_the_rows_the_app_writes_for_each_state(seeded):
    ctx = ScaleContext(scale=SCALE)
    assert Inquiry.objects.count() == ctx.count(1_000_000)
    assert Order.objects.count() == ctx.count(300_000)
    assert Customer.objects.count() == ctx.count(200_000, minimum=30)
    assert Department.objects.count() == ctx.count(50, minimum=5)
    assert User.objects.count() >= ctx.count(2_000, minimum=24)
    assert Product.objects.count() == ctx.count(200, minimum=15)
    # Orders carry their lines, review rounds, deliveries and installations; records their timelines.
    assert OrderLine.objects.count() >= Order.objects.count()
    assert ReviewRound.objects.count() >= Order.objects.count()
    assert Delivery.objects.exists() and Installation.objects.exists()
    assert Event.objects.count() > 3 * Inquiry.objects.count()
    # Customer names are unique under the app's own rule (ORG-2) and read like company names.
    assert Customer.objects.values("name_key").distinct().count() == Customer.objects.count()
    assert all(name.endswith("公司") for name in Customer.objects.values_list("name", flat=True)[:20])
    assert "Rows per table" in seeded and "Seconds per step" in seeded

    # The organisation has the roles the app's rules read (ORG-1).
    quality = Department.objects.get(kind=Department.Kind.QUALITY)
    assert User.objects.filter(department=quality, groups__name="manager").exists()
    assert User.objects.filter(department=quality, groups__name="quality_officer").exists()
    assert Department.objects.filter(is_production=True).exists()
    assert User.objects.filter(groups__name="installation_engineer").exists()
    for department in Department.objects.filter(kind=Department.Kind.BUSINESS):
        assert department.members.filter(groups__name="manager").exists()
        assert department.members.filter(groups__name="staff").exists()
    assert User.objects.get(username="biz01.002").check_password("qsm-scale-2026")

    # The mix: every state, some open, some overdue, five years, old ones finished.
    now = timezone.now()
    S = Inquiry.Status
    statuses = set(Inquiry.objects.values_list("status", flat=True))
    assert {S.NEW, S.ANSWERED, S.HANDED_OVER, S.ACKNOWLEDGED, S.CONVERTED, S.CLOSED, S.CANCELLED} <= statuses
    inquiries = Inquiry.objects.count()
    open_inquiries = Inquiry.objects.filter(status__in=Inquiry.OPEN_STATES)
    assert 0.05 * inquiries < open_inquiries.count() < 0.3 * inquiries
    overdue = open_inquiries.filter(due_at__lt=now).count()
    late_orders = Order.objects.filter(status__in=Order.OPEN_STATES, due_at__lt=now).count()
    assert overdue + late_orders > 0
    assert overdue < 0.05 * inquiries
    # Five years, old ones finished and recent ones open.
    oldest = Inquiry.objects.aggregate(first=Min("received_at"))["first"]
    assert (now - oldest).days > 4 * 365
    old = Inquiry.objects.filter(received_at__lt=now - timezone.timedelta(days=365))
    assert old.exclude(status__in=Inquiry.OPEN_STATES).count() > 0.8 * old.count()

    # Every open inquiry whose stage has a clock has its open deadline, and due_at mirrors it (the engine's
    # sync_due_at); a finished one has none open.
    clocked = {S.NEW: "first_response", S.HANDED_OVER: "handover_ack"}
    deadlines = _open_deadlines(Inquiry, Inquiry.objects.values_list("pk", flat=True))
    for pk, status, due_at in Inquiry.objects.values_list("pk", "status", "due_at"):
        if status in clocked:
            assert deadlines[(pk, clocked[status])] == due_at
        else:
            assert due_at is None and not any(key[0] == pk for key in deadlines)
    ct = ContentType.objects.get_for_model(Inquiry)
    assert Deadline.objects.filter(content_type=ct, stage="first_response").count() == inquiries
    assert Deadline.objects.filter(content_type=ct, state__in=Deadline.DONE_STATES).exists()
    # Nothing old is left for the sweep: levels whose moment passed are claimed.
    assert not Deadline.objects.filter(state="running", reminded_at__isnull=True, remind_at__lte=now).exists()
    assert not Deadline.objects.filter(state="running", overdue_at__isnull=True, due_at__lte=now).exists()

    # Orders: an undelivered order runs its delivery clock; in review also its review clock; due_at is the earliest.
    orders = Order.objects.values_list("pk", "status", "due_at", "promised_date")
    deadlines = _open_deadlines(Order, [o[0] for o in orders])
    for pk, status, due_at, _promised in orders:
        running = [due for (object_id, stage), due in deadlines.items() if object_id == pk and (
            stage != "review" or status == Order.Status.REVIEW)]
        assert due_at == (min(running) if running else None), (pk, status)
        if status in Order.UNDELIVERED_STATES and status != Order.Status.CANCELLED:
            assert (pk, "delivery") in deadlines
    # A converted inquiry became an order; a complex one was discussed with invited departments.
    assert Order.objects.filter(source_inquiry__status=S.CONVERTED).count() == (
        Inquiry.objects.filter(status=S.CONVERTED).count())
    assert Discussion.objects.filter(invited_departments__isnull=False).exists()

    # One timeline event per transition: the created line for every record, a converted inquiry's path.
    events = Event.objects.filter(content_type=ct)
    assert events.filter(kind="created").count() == inquiries
    converted = Inquiry.objects.filter(status=S.CONVERTED).first()
    assert list(events.filter(object_id=converted.pk, kind="transition").order_by("created_at", "id")
                .values_list("action", flat=True))[-3:] == ["hand_over", "acknowledge", "convert"]
    per_order = Event.objects.filter(content_type=ContentType.objects.get_for_model(Order)).values("object_id").annotate(
        n=Count("id"))
    assert {row["object_id"] for row in per_order} == set(Order.objects.values_list("pk", flat=True))


@pytest.mark.spec("PERF-1")
def test_a_second_run_adds_nothing_another_scale_is_refused_unless_reset(seeded):
    ctx = ScaleContext(scale=SCALE)
    before = ctx.summary()
    again = _seed()
    assert "already seeded" in again
    assert ctx.summary() == before
    with pytest.raises(CommandError, match="--reset"):
        _seed(scale=SCALE * 2)
    _seed(scale=SCALE * 2, reset=True)
    assert Inquiry.objects.count() == ScaleContext(scale=SCALE * 2).count(1_000_000)


@pytest.mark.spec("PERF-1")
def test_a_database_with_other_data_is_refused():
    Department.objects.create(name="已有部门", code="existing")
    with pytest.raises(CommandError, match="fresh"):
        _seed()


@pytest.mark.spec("PERF-1")
def test_the_app_works_on_seeded_data(seeded, client):
    from orders.services import order_create
    from presales.services import inquiry_create

    user = User.objects.get(username="biz01.002")
    client.force_login(user)
    assert client.get(reverse("presales:inquiry-list")).status_code == 200
    assert client.get(reverse("orders:order-list")).status_code == 200
    inquiry = Inquiry.objects.filter(owner=user).order_by("-received_at").first()
    assert client.get(inquiry.get_absolute_url()).status_code == 200
    manager = User.objects.get(username="quality.001")
    client.force_login(manager)
    order = Order.objects.filter(installation__isnull=False).first()
    assert client.get(order.get_absolute_url()).status_code == 200
    # A record created through the normal service after seeding gets a fresh number and a new id.
    created = inquiry_create(actor=user, channel="phone", customer=Customer.objects.first(), subject="维修报价咨询",
                             question="主轴异响，请报维修价格。")
    assert Inquiry.objects.filter(number=created.number).count() == 1
    assert created.pk > Inquiry.objects.exclude(pk=created.pk).order_by("-pk").values_list("pk", flat=True)[0]
    assert created.due_at is not None
    order = order_create(actor=user, customer=Customer.objects.first(), promised_date=timezone.localdate()
                         + timezone.timedelta(days=30), lines=[{"product": Product.objects.first(), "quantity": 1,
                                                                "unit_price": Product.objects.first().list_price}])
    assert Order.objects.filter(number=order.number).count() == 1 and order.status == Order.Status.REVIEW
