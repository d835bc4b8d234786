"""DATA-1: one command loads a realistic data set a new user can log in to."""
from __future__ import annotations

import datetime as dt
import io
import re
import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from aftersales.models import Case, PhoneAttempt, PlanStep, SpecialPlan, Visit
from assessment.management.commands.load_demo_data import LOGINS_FILE, logins_text
from orders.models import Delivery, Installation, Order, OrderLine, ReviewFinding
from orders.workflows import price_range
from presales.models import Channel, Discussion, Inquiry, Solution
from qsm.contacts.models import ContactEntry
from qsm.followup.models import FollowUp
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
            "orders": Order.objects.count(), "cases": Case.objects.count(), "visits": Visit.objects.count(),
            "events": Event.objects.count(), "notifications": Notification.objects.count()}


def _assert_orders_in_every_state(now: dt.datetime) -> None:
    """Orders, deliveries and installations in every state, written through the services."""
    today = timezone.localdate(now)
    orders = Order.objects.all()
    assert set(orders.values_list("status", flat=True)) == set(Order.Status.values)
    assert set(Delivery.objects.values_list("status", flat=True)) == set(Delivery.Status.values)
    assert set(Installation.objects.values_list("status", flat=True)) == set(Installation.Status.values)
    # converted from inquiries and entered directly, every one with lines
    assert orders.filter(source_inquiry__isnull=False).exists() and orders.filter(source_inquiry__isnull=True).exists()
    assert not orders.annotate(n=Count("lines")).filter(n=0).exists()
    assert not orders.filter(received_at__gt=now).exists()
    # ORD-1: prices around the list price, or the price check waived with a reason
    waived = set(ReviewFinding.objects.filter(item="prices", result="waived").exclude(note="")
                 .values_list("round__order", flat=True))
    assert waived
    for line in OrderLine.objects.filter(order__status__in=[Order.Status.APPROVED, Order.Status.ACCEPTED]).select_related(
            "product"):
        low, high = price_range(line.product)
        assert low <= line.unit_price <= high or line.order_id in waived, line.order_id
    # returned to the customer, amended and approved in a second round
    assert orders.filter(review_rounds__number=1, review_rounds__outcome="returned").filter(
        review_rounds__number=2, review_rounds__outcome="approved").exists()
    # four-eyes (ORG-1): no review was decided by the person who entered the order
    from orders.models import ReviewRound

    decided = ReviewRound.objects.exclude(outcome="open")
    assert decided.exists() and not decided.filter(reviewer=F("order__owner")).exists()
    # ORD-2: partial deliveries, a rejected shipment, progress told, questions answered
    assert orders.annotate(n=Count("deliveries", filter=Q(deliveries__status="delivered"))).filter(n__gte=2).exists()
    assert ContactEntry.objects.filter(order__isnull=False, kind="update").exists()
    assert ContactEntry.objects.filter(order__isnull=False, kind="question", answered_at__isnull=False).exists()
    # some late (promised date passed, undelivered), each flagged by the late-risk sweep
    late = orders.filter(status__in=Order.UNDELIVERED_STATES, promised_date__lt=today)
    assert late.exists()
    assert not late.filter(risk_flagged_at__isnull=True).exists()
    assert not orders.filter(status__in=["delivered", "accepted"], delivered_at__isnull=True).exists()
    # ORD-3: some rejected at acceptance, then accepted after rework
    assert Installation.objects.filter(status="accepted", acceptance_rounds__result="rejected").exists()
    # ORD-4: accepted orders, and delivered ones without installation, are due a follow-up visit
    assert not orders.filter(status="accepted", follow_up_due_at__isnull=True).exists()
    assert orders.filter(status="delivered", installation_required=False, follow_up_due_at__isnull=False).exists()
    assert orders.filter(status="delivered", installation_required=True, follow_up_due_at__isnull=True).exists()
    # every order, delivery and installation went through the services: its timeline ends in its state
    for model, records in (("order", orders), ("delivery", Delivery.objects.all()),
                           ("installation", Installation.objects.all())):
        for record in records:
            last = Event.objects.filter(object_id=record.pk, content_type__model=model, kind__in=[
                Event.Kind.CREATED, Event.Kind.TRANSITION]).order_by("-created_at", "-id").first()
            if model == "installation" and last is None:
                assert record.status == Installation.Status.SCHEDULED  # created by the order's transition
                continue
            assert last.to_state == record.status, (model, record.pk)


def _last_state_event(model: str, pk: int) -> Event | None:
    return Event.objects.filter(object_id=pk, content_type__model=model, kind__in=[
        Event.Kind.CREATED, Event.Kind.TRANSITION]).order_by("-created_at", "-id").first()


def _assert_aftersales_in_every_state(now: dt.datetime) -> None:
    """DATA-1, after-sales: cases, special plans and visits in every state, written through the engine
    and the services: routed, reopened, overdue, waiting with the clock paused; visits by phone and by
    link with a spread of scores, re-checks and low scores that opened cases."""
    from qsm.sla.models import Deadline

    today = timezone.localdate(now)
    cases = Case.objects.all()
    assert set(cases.values_list("status", flat=True)) == set(Case.Status.values)
    assert set(SpecialPlan.objects.values_list("status", flat=True)) == set(SpecialPlan.Status.values)
    assert {"open", "done"} <= set(PlanStep.objects.values_list("status", flat=True))
    assert set(Visit.objects.values_list("status", flat=True)) == set(Visit.Status.values)
    assert not cases.filter(received_at__gt=now).exists()
    # AFS-1: routed by the demo rules to more than one department, most about a delivered order
    assert cases.values("department").distinct().count() >= 2
    assert cases.filter(order__isnull=False, delivery__isnull=False).exists()
    assert Event.objects.filter(content_type__model="case", action="reroute").exclude(comment="").exists()
    # AFS-2: general and complex problems resolved; complex ones with a plan of steps done
    resolved = cases.filter(status__in=["resolved", "closed"])
    assert resolved.filter(is_complex=True, plan__status="done").exists() and resolved.filter(is_complex=False).exists()
    assert not resolved.exclude(cause__isnull=False, diagnosis__gt="", solution__gt="").exists()
    assert ContactEntry.objects.filter(aftersales_case__isnull=False, kind="update").exists()
    # reopened within the window, counted, with the reopening on the timeline
    reopened = cases.filter(reopen_count__gt=0)
    assert reopened.exists()
    for case in reopened:
        assert Event.objects.filter(object_id=case.pk, content_type__model="case", action="reopen").count() \
            == case.reopen_count
    # some overdue; those waiting for the customer have their resolution clock paused
    assert cases.filter(status__in=Case.OPEN_STATES, due_at__lt=now).exists()
    waiting = cases.filter(status="waiting_customer")
    for case in waiting:
        assert Deadline.objects.get(object_id=case.pk, content_type__model="case", stage="resolution",
                                    state__in=Deadline.OPEN_STATES).state == Deadline.State.PAUSED
    # VIS-1: every visit planned by the scheduler from the follow-up queue, one per row
    visits = Visit.objects.all()
    assert not visits.filter(follow_up__isnull=True).exists()
    assert FollowUp.objects.filter(consumed_at__isnull=False).count() >= visits.count()
    assert set(visits.values_list("reason", flat=True)) >= {"accepted", "case_resolved"}
    done = visits.filter(status="done")
    by_phone, by_link = done.filter(method="phone"), done.filter(method="link")
    assert by_phone.exists() and by_link.exists()
    assert not by_phone.filter(Q(called_at__isnull=True) | Q(call_seconds__isnull=True) | Q(done_by__isnull=True)
                               ).exists()
    # VIS-2: the customer answered through their own link: IP, browser, link used, nobody on staff
    assert not by_link.filter(Q(answer_ip__isnull=True) | Q(answer_user_agent="") | Q(link__isnull=True)
                              | Q(link__used_at__isnull=True) | Q(done_by__isnull=False)).exists()
    assert all(v.link.object_id == v.pk for v in by_link.select_related("link"))
    # answers to the questions of each visit's own version; a spread of scores; suggestions
    assert not done.annotate(n=Count("answers")).filter(n=0).exists()
    assert set(done.values_list("satisfaction", flat=True)) == {1, 2, 3, 4, 5}
    assert done.exclude(suggestions="").exists()
    # failed calls recorded, three of them switching a visit to the link; re-checks with their results
    assert PhoneAttempt.objects.filter(outcome__in=PhoneAttempt.FAILED).exists()
    assert by_link.filter(phone_attempts__gte=3).exists()
    assert {"confirmed", "discrepancy"} <= set(visits.values_list("recheck_status", flat=True))
    assert not visits.filter(recheck_status__in=["confirmed", "discrepancy"], rechecked_by__isnull=True).exists()
    # every low score opened a case linked to its visit
    low = done.filter(satisfaction__lte=2)
    assert low.exists() and all(Case.objects.filter(source_visit=v).count() == 1 for v in low)
    # open visits: due soon, and overdue
    open_visits = visits.filter(status__in=Visit.OPEN_STATES)
    assert open_visits.filter(planned_for__gte=today).exists()
    assert open_visits.filter(due_at__lt=now).exists()
    # through the engine: each case's and visit's timeline ends in its state
    for model, records in (("case", cases), ("visit", visits), ("specialplan", SpecialPlan.objects.all())):
        for record in records:
            assert _last_state_event(model, record.pk).to_state == record.status, (model, record.pk)


# Moments a person or the system stamps while the demo year runs (not "updated at", not the read /
# e-mailed marks the load sets on old notifications, not the deadlines' own computed due times).
_STAMPED = {
    Inquiry: None, Order: None, Delivery: None, Installation: None, Discussion: None, Solution: None,
    ContactEntry: None, Event: None, Notification: ("created_at",), Customer: ("created_at",),
}


def _assert_in_working_hours() -> None:
    """DATA-1, issue 7: nobody ships at 00:56 or approves on National Day: every stamped moment
    falls in working hours on a working day of the company's calendar (public holidays included)."""
    from orders.models import AcceptanceRound, ProductionStep, ReviewRound
    from presales.models import DiscussionNote
    from qsm.sla.calendar import WorkingTime, default_calendar

    working = WorkingTime.load(default_calendar(), timezone.localdate())
    models = {**_STAMPED, AcceptanceRound: None, ReviewRound: None, DiscussionNote: None, ProductionStep: None,
              Case: ("received_at", "replied_at", "resolved_at", "closed_at", "last_reopened_at", "created_at"),
              Visit: ("done_at", "called_at", "recheck_requested_at", "rechecked_at", "created_at"),
              PhoneAttempt: ("attempted_at",), PlanStep: ("done_at",), SpecialPlan: ("created_at",)}
    outside, checked = [], 0
    for model, names in models.items():
        fields = names or [f.name for f in model._meta.concrete_fields
                           if f.get_internal_type() == "DateTimeField" and f.name != "updated_at"]
        for name in fields:
            for pk, moment in model._base_manager.exclude(**{name: None}).values_list("pk", name):
                checked += 1
                local = timezone.localtime(moment)
                if not any(a <= local <= b for a, b in working.intervals(local.date())):
                    outside.append(f"{model.__name__}.{name} #{pk}: {local:%Y-%m-%d %a %H:%M}")
    assert checked > 500
    assert not outside, f"{len(outside)} moments outside working hours, e.g. " + "; ".join(outside[:8])
    for day in Installation.objects.values_list("scheduled_for", flat=True):
        assert working.is_working_day(day), day


def _assert_texts_vary() -> None:
    """DATA-1, issue 7: orders and inquiries do not all say the same thing."""
    def duplicated_share(values) -> float:
        values = [v for v in values if v]
        counts = Counter(values)
        return sum(n for n in counts.values() if n > 1) / len(values)

    assert duplicated_share(Order.objects.values_list("needs", flat=True)) <= 0.05
    assert duplicated_share(Inquiry.objects.values_list("needs_analysis", flat=True)) <= 0.05
    assert duplicated_share(Inquiry.objects.values_list("question", flat=True)) <= 0.25
    assert duplicated_share(Inquiry.objects.values_list("subject", flat=True)) <= 0.3
    assert duplicated_share(Case.objects.values_list("description", flat=True)) <= 0.25


@pytest.mark.serial  # it times the build: alone, not beside another xdist worker
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
    # (a manager is a member with the manager role: ORG-1's one notion of "manager")
    from qsm.org.selectors import department_managers

    assert all(department_managers(department=d).exists() for d in Department.objects.all())
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
    # converted inquiries became orders with lines, and orders in every state (ORD-1..4)
    converted = Order.objects.filter(source_inquiry__isnull=False).select_related("source_inquiry")
    assert converted.count() == inquiries.filter(status=S.CONVERTED).count()
    assert all(o.source_inquiry.status == S.CONVERTED for o in converted)
    _assert_orders_in_every_state(now)
    _assert_aftersales_in_every_state(now)
    assert Case.objects.count() >= 35 and Visit.objects.count() >= 35
    from tests.complaints.test_h5_demo import assert_complaints_in_every_state, assert_complaints_in_working_hours

    assert_complaints_in_every_state(now)  # issue 10: complaints in every state, three plan versions, ...
    assert_complaints_in_working_hours(now)
    assert Case.objects.dates("received_at", "month").count() >= 10
    assert Order.objects.count() >= 60
    assert Order.objects.filter(status=Order.Status.REVIEW, due_at__lt=now).exists()  # a review overdue
    assert Order.objects.dates("received_at", "month").count() >= 10
    # records went through the services: each inquiry's timeline ends in its current state
    for inquiry in inquiries:
        last = Event.objects.filter(object_id=inquiry.pk, content_type__model="inquiry",
                                    kind__in=[Event.Kind.CREATED, Event.Kind.TRANSITION]).order_by("-created_at", "-id")[0]
        assert last.to_state == inquiry.status, inquiry.number
    assert Event.objects.order_by("created_at")[0].created_at < now - dt.timedelta(days=300)
    # §3.2(2): the production department is declared; its people follow the orders in production and report steps
    from orders.models import ProductionStep
    from orders.selectors import order_visible

    producer = User.objects.get(username="sun.hao")
    assert producer.department.is_production
    assert order_visible(user=producer).filter(status=Order.Status.IN_PRODUCTION).exists()
    assert ProductionStep.objects.filter(recorded_by=producer).exists()
    # in working hours on working days, and texts that differ (issue 7)
    _assert_in_working_hours()
    _assert_texts_vary()
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
    _assert_orders_in_every_state(timezone.now())
    assert Order.objects.count() < 25
    _assert_aftersales_in_every_state(timezone.now())
    assert Case.objects.count() < 25
    _assert_in_working_hours()


@pytest.mark.spec("DATA-1")
def test_logins_document_matches_the_command():
    # docs/demo-logins.txt is printed by `make run`; it must say what the command creates
    assert LOGINS_FILE.read_text(encoding="utf-8") == logins_text()


@pytest.mark.spec("DATA-1")
def test_each_app_builds_its_own_demo_data_and_the_command_only_orchestrates():
    from pathlib import Path

    from django.apps import apps

    from assessment.management.commands import load_demo_data
    from qsm.registry import demo_builders

    # every module declares its builder, and they run in dependency order (INSTALLED_APPS)
    labels = [label for label, _build in demo_builders()]
    assert labels == ["org", "sla", "notify", "presales", "orders", "aftersales", "complaints", "assessment"]
    order = [config.label for config in apps.get_app_configs()]
    assert labels == sorted(labels, key=order.index)
    # the command writes no record itself: no service, no model constant, no schedule
    command = Path(load_demo_data.__file__).read_text(encoding="utf-8")
    imports = "\n".join(line for line in command.splitlines() if line.startswith(("from ", "import ")))
    assert "services" not in imports and "time_machine" not in imports and "demo import" in imports
    assert ".objects.create(" not in command
    assert len(command.splitlines()) < 150


@pytest.mark.spec("DATA-1", "NTF-1")
@pytest.mark.django_db(transaction=True)
def test_the_demo_year_hands_no_email_to_the_broker_when_it_commits(monkeypatch):
    """notify() hands e-mails over on commit; the demo's commit must still find that held back
    (a year of history is hundreds of hand-offs, each 0.6 s when the broker is down)."""
    from qsm.notify.services import notify
    from qsm.notify.tasks import send_notification_emails
    from tests.factories import UserFactory

    user = UserFactory(username="old.news", email="old.news@example.com", department=None)
    handed: list = []
    monkeypatch.setattr(send_notification_emails, "delay", lambda ids: handed.append(ids))

    def build(ctx):  # a one-step demo: a notification somewhere in the past year
        ctx.add_steps(0, [(ctx.now - dt.timedelta(days=30),
                           lambda: notify(recipients=[user], kind="sla_reminder", title="Old news"))])

    monkeypatch.setattr("qsm.registry.demo_builders", lambda: [("demo", build)])
    assert not Department.objects.exists()
    call_command("load_demo_data", "--small", stdout=io.StringIO())

    assert Notification.objects.filter(kind="sla_reminder", recipient=user).count() == 1
    assert handed == []


@pytest.mark.spec("DATA-1", "VIS-1")
@pytest.mark.parametrize("at", ["2026-11-30T15:20:00+00:00", "2026-11-30T15:55:00+00:00"])
def test_the_small_demo_built_late_in_the_evening_has_nothing_in_the_future(db, at):
    """Built at 23:20 or 23:55 Beijing time (after hours) the stories were squeezed to end at the
    last working moment, and rounding pushed a case's resolution past it: to the next working
    morning, in the future; its visit was not due yet and the demo had no visit due soon."""
    import time_machine

    with time_machine.travel(dt.datetime.fromisoformat(at), tick=True):
        call_command("load_demo_data", "--small", "--seed", "7", stdout=io.StringIO())
        now = timezone.now()
        assert not Case.objects.filter(Q(resolved_at__gt=now) | Q(replied_at__gt=now) | Q(closed_at__gt=now)).exists()
        assert not FollowUp.objects.filter(due_at__gt=now).filter(reason="case_resolved").exists()
        _assert_aftersales_in_every_state(now)
