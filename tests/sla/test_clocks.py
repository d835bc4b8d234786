"""WF-1/SLA-1/SLA-2: the clocks each workflow declares are run by the engine.

Entering a declared state starts the clock, leaving it completes (met on time or late) or cancels
it, a waiting-for-the-customer state pauses it, the record's ``due_at`` follows its earliest
running deadline, and no service starts or stops one by hand. Monday 2 March 2026 is a plain
working Monday (09:00-12:00, 13:00-18:00).
"""
from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.urls import reverse

from aftersales.models import Case as AftersalesCase
from complaints.services import core as complaints_core
from complaints.services import intake as complaint_intake
from orders import services as orders
from orders.models import Order, ReviewRound
from presales import services as presales
from qsm.sla import services as sla
from qsm.sla import tasks as sla_tasks
from qsm.sla.models import CalendarDay, Deadline, SlaPolicy
from qsm.sla.selectors import sla_met_rate
from qsm.workflow import engine
from qsm.workflow.checks import clock_policies
from qsm.workflow.models import Event
from tests.builders import aftersales as afs
from tests.builders import assessment as qc
from tests.builders import complaints as cmp
from tests.builders.inquiries import new_inquiry
from tests.builders.orders import order_in, pass_all, priced_product

from .conftest import sh

S = Order.Status


def _order(u, *, promised: dt.date | None = None) -> Order:
    product = priced_product()
    return orders.order_create(actor=u.sales, customer=u.customer, promised_date=promised,
                               lines=[{"product": product, "quantity": "1", "unit_price": product.list_price}])


def _running_due(record):
    """The earliest running deadline of ``record``, read independently of the engine."""
    ct = ContentType.objects.get_for_model(record)
    return (Deadline.objects.filter(content_type=ct, object_id=record.pk, state="running")
            .order_by("due_at").values_list("due_at", flat=True).first())


def _deadlines(record, stage):
    ct = ContentType.objects.get_for_model(record)
    return Deadline.objects.filter(content_type=ct, object_id=record.pk, stage=stage).order_by("pk")


def _fresh(record):
    return type(record).objects.get(pk=record.pk)


# (record type, stage) -> how to enter the clock's state, leave it as done, leave it as cancelled
CLOCK_TABLE = {
    ("presales.inquiry", "first_response"): SimpleNamespace(
        enter=lambda u: new_inquiry(actor=u.staff, channel="email", customer=u.customer),
        done=lambda r, u: presales.inquiry_respond(inquiry=r, actor=u.staff, answer="已回复参数"),
        cancel=lambda r, u: presales.inquiry_cancel(inquiry=r, actor=u.staff, comment="重复登记"),
    ),
    ("presales.inquiry", "handover_ack"): SimpleNamespace(
        enter=lambda u: presales.inquiry_hand_over(
            inquiry=new_inquiry(actor=u.staff, channel="phone", customer=u.customer, answer="已报价"),
            actor=u.staff, department=u.sales.department),
        done=lambda r, u: presales.inquiry_acknowledge(inquiry=r, actor=u.sales),
        cancel=lambda r, u: presales.inquiry_return(inquiry=r, actor=u.sales, comment="不属于本部门"),
    ),
    ("orders.order", "review"): SimpleNamespace(
        enter=lambda u: _order(u),
        done=lambda r, u: (pass_all(r, u.sales), orders.order_approve(order=r, actor=u.manager))[-1],
        cancel=lambda r, u: orders.order_cancel(order=r, actor=u.manager, comment="客户撤单"),
    ),
    ("orders.order", "delivery"): SimpleNamespace(
        enter=lambda u: _order(u, promised=dt.date(2026, 3, 31)),
        done=lambda r, u: order_in(S.DELIVERED, order=r, actor=u.sales),
        cancel=lambda r, u: orders.order_cancel(order=r, actor=u.manager, comment="客户撤单"),
    ),
    ("aftersales.case", "reply"): SimpleNamespace(
        enter=lambda u: afs.new_case(actor=u.sales, customer=u.customer),
        done=lambda r, u: engine.fire(r, "reply", actor=u.sales, reply="已回复"),
        cancel=lambda r, u: engine.fire(r, "cancel", actor=u.manager, comment="重复登记"),
    ),
    ("aftersales.case", "resolution"): SimpleNamespace(
        enter=lambda u: afs.new_case(actor=u.sales, customer=u.customer),
        done=lambda r, u: engine.fire(afs.diagnose(engine.fire(r, "reply", actor=u.sales, reply="已回复")), "resolve",
                                      actor=u.sales),
        cancel=lambda r, u: engine.fire(r, "cancel", actor=u.manager, comment="重复登记"),
    ),
    ("aftersales.planstep", "step"): SimpleNamespace(
        enter=lambda u: afs.plan_build(afs.case_build(actor=u.sales, customer=u.customer, state=AftersalesCase.Status.SPECIAL,
                                                      complex=True), actor=u.sales, steps=1,
                                       state="in_progress").steps.get(),
        done=lambda r, u: engine.fire(r, "complete", actor=u.sales, comment="已更换"),
        cancel=lambda r, u: engine.fire(r.plan, "cancel", actor=u.sales, comment="方案作废") and r,
    ),
    ("aftersales.visit", "visit"): SimpleNamespace(
        enter=lambda u: afs.visit_build(actor=u.sales, customer=u.customer),
        done=lambda r, u: engine.fire(r, "record", actor=u.sales, method="phone", **afs.visit_answers(r)),
        cancel=lambda r, u: engine.fire(r, "cancel", actor=u.sales, comment="客户已注销"),
    ),
    # complaints (the people are the complaint builder's cast: receiver, quality, investigator ...)
    ("complaints.complaint", "reply"): SimpleNamespace(
        enter=lambda u: cmp.new_complaint(customer=u.customer),
        done=lambda r, u: complaint_intake.complaint_reply(complaint=r, actor=cmp.cast().receiver, reply="已电话答复客户"),
        cancel=lambda r, u: complaint_intake.complaint_cancel(complaint=r, actor=cmp.cast().quality_manager,
                                                              reason="重复登记"),
    ),
    ("complaints.complaint", "investigation"): SimpleNamespace(
        enter=lambda u: cmp.complaint_in("investigating", customer=u.customer),
        done=lambda r, u: complaint_intake.complaint_start_planning(complaint=cmp.investigate(r),
                                                                    actor=cmp.cast().investigator),
        cancel=lambda r, u: complaint_intake.complaint_close_unresolved(complaint=r, actor=cmp.cast().quality_manager,
                                                                        reason="管理层决定终止处理"),
    ),
    ("complaints.complaint", "resolution"): SimpleNamespace(
        enter=lambda u: cmp.new_complaint(customer=u.customer),
        done=lambda r, u: _complaint_closed(r),
        cancel=lambda r, u: complaint_intake.complaint_cancel(complaint=r, actor=cmp.cast().quality_manager,
                                                              reason="重复登记"),
    ),
    ("complaints.handlingplan", "approval"): SimpleNamespace(
        enter=lambda u: cmp.plan_in("submitted"),
        done=lambda r, u: complaints_core.plan_approve(plan=r, actor=cmp.cast().approver),
        cancel=lambda r, u: complaint_intake.complaint_close_unresolved(
            complaint=r.complaint, actor=cmp.cast().quality_manager, reason="管理层决定终止处理") and r,
    ),
    ("complaints.measure", "measure"): SimpleNamespace(
        enter=lambda u: cmp.measure_in("open"),
        done=lambda r, u: complaints_core.measure_complete(measure=r, actor=r.owner, note="已更换主轴轴承"),
        cancel=lambda r, u: complaint_intake.complaint_close_unresolved(
            complaint=r.plan.complaint, actor=cmp.cast().quality_manager, reason="管理层决定终止处理") and r,
    ),
    ("complaints.preventivemeasure", "preventive"): SimpleNamespace(
        enter=lambda u: cmp.preventive_in("open"),
        done=lambda r, u: complaints_core.preventive_complete(measure=r, actor=r.owner, note="已修订保养规程"),
        cancel=lambda r, u: complaints_core.preventive_cancel(measure=r, actor=cmp.cast().quality_manager,
                                                              reason="已由其他措施覆盖"),
    ),
    # Quality control (assessment, tests.builders.assessment): the tables' own transitions.
    ("assessment.standardversion", "standard_approval"): SimpleNamespace(
        enter=lambda u: qc.a_revision(state="review"),
        done=lambda r, u: engine.fire(r, "approve", actor=qc.cast().quality_manager),
        cancel=lambda r, u: engine.fire(r, "return", actor=qc.cast().quality_manager, comment="请补充量化指标"),
    ),
    ("assessment.standardversion", "standard_review"): SimpleNamespace(
        enter=lambda u: qc.a_standard().current_version,
        done=lambda r, u: qc.a_revision(r.standard, state="effective") and r,
        cancel=lambda r, u: engine.fire(r, "retire", actor=qc.cast().quality_manager, comment="业务已停止"),
    ),
    ("assessment.inspection", "inspection"): SimpleNamespace(
        enter=lambda u: qc.an_inspection(state="in_progress", results=("pass",) * 4),
        done=lambda r, u: engine.fire(r, "complete", actor=r.inspector),
        cancel=lambda r, u: engine.fire(r, "cancel", actor=qc.cast().quality_manager, comment="重复"),
    ),
    ("assessment.notice", "rectification"): SimpleNamespace(
        enter=lambda u: qc.a_notice(state="rectifying"),
        done=lambda r, u: qc.report_completion(r, actor=qc.cast().member),
        cancel=lambda r, u: engine.fire(r, "cancel", actor=qc.cast().quality_manager, comment="重复下发"),
    ),
    ("assessment.notice", "verification"): SimpleNamespace(
        enter=lambda u: qc.a_notice(state="reported"),
        done=lambda r, u: engine.fire(r, "verify", actor=qc.cast().quality, note="复查合格"),
        cancel=lambda r, u: engine.fire(r, "cancel", actor=qc.cast().quality_manager, comment="重复下发"),
    ),
    ("assessment.rectificationplan", "rectification_approval"): SimpleNamespace(
        enter=lambda u: qc.a_plan(qc.a_notice(), state="submitted"),
        done=lambda r, u: engine.fire(r, "approve", actor=qc.cast().manager),
        cancel=lambda r, u: engine.fire(r.notice, "cancel", actor=qc.cast().quality_manager, comment="重复下发") and r,
    ),
}


def _complaint_closed(complaint):
    """A received complaint investigated, planned, executed and confirmed by a satisfied customer."""
    people = cmp.cast()
    complaint_intake.complaint_assign(complaint=complaint, actor=people.quality, investigator=people.investigator)
    complaint_intake.complaint_start_planning(complaint=cmp.investigate(complaint, people=people),
                                              actor=people.investigator)
    return cmp._through_round(complaint, people=people, satisfied=True)


@pytest.fixture
def people(calendar_2026, staff_user, sales_user, sales_manager, customer, time_machine):
    time_machine.move_to(sh(2026, 3, 2, 9, 0), tick=False)
    return SimpleNamespace(staff=staff_user, sales=sales_user, manager=sales_manager, customer=customer)


@pytest.mark.spec("WF-1")
def test_the_table_covers_every_declared_clock():
    declared = {(wf.record_type, c.stage) for wf in engine.workflows() for c in wf.clocks}
    assert declared == set(CLOCK_TABLE)


@pytest.mark.spec("WF-1", "SLA-1")
@pytest.mark.parametrize("leave", ["done", "cancel"])
@pytest.mark.parametrize("clock", list(CLOCK_TABLE), ids=lambda k: "/".join(k) if isinstance(k, tuple) else k)
def test_entering_a_state_starts_its_clock_and_leaving_stops_it(people, clock, leave):
    record_type, stage = clock
    case = CLOCK_TABLE[clock]

    # when the record enters the clock's state
    record = _fresh(case.enter(people))
    # then the clock runs, and the record shows its earliest running deadline
    running = _deadlines(record, stage).get()
    assert running.state == Deadline.State.RUNNING and running.due_at > sh(2026, 3, 2, 9, 0)
    assert running.url == record.get_absolute_url() and running.title.startswith(record.number)
    assert record.due_at == _running_due(record) is not None

    # when it leaves the state (an hour later: in time)
    record = _fresh(case.done(record, people) if leave == "done" else case.cancel(record, people))

    # then that clock stopped: met on time, or cancelled; nothing of the stage is open any more
    assert _deadlines(record, stage).get().state == ("met" if leave == "done" else "cancelled")
    assert sla.deadline_for(record=record, stage=stage) is None
    # and the record's due time follows what still runs (None when nothing does)
    assert record.due_at == _running_due(record)


@pytest.mark.spec("WF-1", "SLA-1")
def test_a_date_clock_does_not_run_without_a_date_and_starts_when_one_is_agreed(people):
    order = _order(people)
    assert not _deadlines(order, "delivery").exists()
    assert order.due_at == sla.deadline_for(record=order, stage="review").due_at == sh(2026, 3, 2, 18, 0)

    orders.order_update(order=order, actor=people.sales, data={"promised_date": dt.date(2026, 3, 2)})
    delivery = sla.deadline_for(record=order, stage="delivery")
    assert (delivery.source, delivery.due_at) == ("date", sh(2026, 3, 2, 18, 0))
    assert _fresh(order).due_at == sh(2026, 3, 2, 18, 0)


@pytest.mark.spec("SLA-1", "ORD-1", "WF-1")
def test_returning_an_order_pauses_its_review_clock_and_resubmitting_resumes_it(people, time_machine):
    # given an order received on Monday at 09:00: 480 working minutes of review, due at 18:00
    order = _order(people)
    assert _fresh(order).due_at == sh(2026, 3, 2, 18, 0)

    # when it is returned to the customer at 11:00 (120 minutes used)
    time_machine.move_to(sh(2026, 3, 2, 11, 0), tick=False)
    order = order_in(S.RETURNED, order=order, actor=people.sales)
    # then the clock is paused, not completed, and the order shows no running due time
    review = _deadlines(order, "review").get()
    assert (review.state, review.paused_at) == ("paused", sh(2026, 3, 2, 11, 0))
    assert order.due_at is None
    # and the record page says since when it is paused
    client = Client()
    client.force_login(people.sales)
    html = client.get(order.get_absolute_url()).content.decode()
    assert 'id="paused-review"' in html and "2026-03-02 11:00" in html
    # and the sweep leaves it alone long after its old due time
    time_machine.move_to(sh(2026, 3, 3, 18, 0), tick=False)
    assert sla.deadlines_sweep() == {"reminded": 0, "overdue": 0}

    # when the amended order comes back on Wednesday at 10:00
    time_machine.move_to(sh(2026, 3, 4, 10, 0), tick=False)
    order = orders.order_resubmit(order=order, actor=people.sales)
    # then the same clock resumes with its 360 minutes left (due Wednesday 17:00), and a second
    # review round is kept
    review = _deadlines(order, "review").get()
    assert (review.state, review.due_at, review.paused_at) == ("running", sh(2026, 3, 4, 17, 0), None)
    assert review.paused_minutes == 60 + 300 + 480 + 60  # Mon 11-12, 13-18, all Tuesday, Wed 9-10
    assert order.due_at == sh(2026, 3, 4, 17, 0)
    assert list(order.review_rounds.values_list("number", "outcome")) == [(1, ReviewRound.Outcome.RETURNED),
                                                                        (2, ReviewRound.Outcome.OPEN)]
    html = client.get(order.get_absolute_url()).content.decode()
    assert "paused-badge" not in html

    # when it is approved at 16:30: within the review time left
    time_machine.move_to(sh(2026, 3, 4, 16, 30), tick=False)
    pass_all(order, people.sales)
    order = orders.order_approve(order=order, actor=people.manager)
    # then the review was met on time, although two days passed on the wall clock
    assert _deadlines(order, "review").get().state == Deadline.State.MET


@pytest.mark.spec("SLA-1", "WF-1")
def test_cancelling_a_returned_order_cancels_its_paused_clock(people):
    order = order_in(S.RETURNED, order=_order(people), actor=people.sales)
    orders.order_cancel(order=order, actor=people.manager, comment="客户不再修改")
    assert _deadlines(order, "review").get().state == Deadline.State.CANCELLED


@pytest.mark.spec("SLA-1", "SLA-2")
def test_a_completed_deadline_says_met_on_time_or_late_and_the_met_rate_counts_it(people, time_machine):
    # given four e-mail inquiries (240 minutes) received Monday 09:00: due 14:00
    in_time, late, withdrawn, still_open = (new_inquiry(actor=people.staff, channel="email") for _ in range(4))
    assert sla_met_rate(Deadline.objects.filter(stage="first_response")) is None  # nothing completed yet

    # when one is answered at 13:59, one at 14:01 and one is withdrawn
    time_machine.move_to(sh(2026, 3, 2, 13, 59), tick=False)
    presales.inquiry_respond(inquiry=in_time, actor=people.staff, answer="参数已发")
    time_machine.move_to(sh(2026, 3, 2, 14, 1), tick=False)
    presales.inquiry_respond(inquiry=late, actor=people.staff, answer="参数已发")
    presales.inquiry_cancel(inquiry=withdrawn, actor=people.staff, comment="重复")

    # then each says how it ended, and the met rate counts only the completed ones
    state = {i.pk: _deadlines(i, "first_response").get().state for i in (in_time, late, withdrawn, still_open)}
    assert state == {in_time.pk: "met", late.pk: "late", withdrawn.pk: "cancelled", still_open.pk: "running"}
    assert sla_met_rate(Deadline.objects.filter(stage="first_response")) == 0.5


@pytest.mark.spec("SLA-1")
def test_the_migration_splits_completed_deadlines_into_met_and_late(people):
    # given two deadlines completed under the old single "met" state, one before and one after its due time
    a, b = new_inquiry(actor=people.staff), new_inquiry(actor=people.staff)
    for inquiry, minutes in ((a, -1), (b, +1)):
        d = _deadlines(inquiry, "first_response").get()
        Deadline.objects.filter(pk=d.pk).update(state="met", completed_at=d.due_at + dt.timedelta(minutes=minutes))
    # when the data migration runs
    importlib.import_module("qsm.sla.migrations.0005_deadline_outcome_and_date_clocks").split_met(django_apps, None)
    # then the late one says so
    assert _deadlines(a, "first_response").get().state == "met"
    assert _deadlines(b, "first_response").get().state == "late"


@pytest.mark.spec("SLA-1", "WF-1")
def test_a_declared_clock_without_an_active_policy_is_a_system_check_error(people):
    # given the policies as migrated, the check is clean
    assert [e for e in clock_policies() if e.id == "qsm.E001"] == []
    assert not [e for e in checks.run_checks() if e.id == "qsm.E001"]

    # when the order review policy is deactivated
    SlaPolicy.objects.filter(record_type="orders.order", stage="review").update(is_active=False)

    # then the system check reports it, with the record type and stage
    errors = [e for e in checks.run_checks() if e.id == "qsm.E001"]
    assert len(errors) == 1 and errors[0].level == checks.ERROR
    assert "orders.order" in errors[0].msg and "review" in errors[0].msg and errors[0].obj is Order
    with pytest.raises(SystemCheckError):
        call_command("check")
    # and a new order is refused rather than created without its review deadline
    with pytest.raises(sla.SlaPolicyMissing):
        _order(people)
    assert not Order.objects.exists()


@pytest.mark.spec("SLA-1")
def test_a_calendar_change_recomputes_running_and_paused_deadlines(people, time_machine, calendar_2026):
    # given on Monday 2 March: an order in review from 14:00 (480 minutes: due Tuesday 14:00), an
    # e-mail inquiry from 17:00 (240 minutes: due Tuesday 12:00), one from 09:00 (due Monday 14:00),
    # and an order returned to the customer at 15:00 after 60 minutes of review
    time_machine.move_to(sh(2026, 3, 2, 9, 0), tick=False)
    early = new_inquiry(actor=people.staff, channel="email")
    time_machine.move_to(sh(2026, 3, 2, 14, 0), tick=False)
    order = _order(people)
    paused = _order(people)
    time_machine.move_to(sh(2026, 3, 2, 15, 0), tick=False)
    paused = order_in(S.RETURNED, order=paused, actor=people.sales)
    time_machine.move_to(sh(2026, 3, 2, 17, 0), tick=False)
    inquiry = new_inquiry(actor=people.staff, channel="email")
    assert _fresh(order).due_at == sh(2026, 3, 3, 14, 0) and _fresh(inquiry).due_at == sh(2026, 3, 3, 12, 0)

    # when Tuesday 3 March is announced as a holiday (late, at 17:30 on Monday)
    time_machine.move_to(sh(2026, 3, 2, 17, 30), tick=False)
    sla.calendar_day_set(calendar=calendar_2026, date=dt.date(2026, 3, 3), kind=CalendarDay.Kind.HOLIDAY,
                         name="临时放假", actor=people.manager)

    # then the running clocks skip it, and each record's due time follows
    assert _fresh(order).due_at == sh(2026, 3, 4, 14, 0)
    assert _fresh(inquiry).due_at == sh(2026, 3, 4, 12, 0)
    # and a clock due before that day is untouched
    assert _fresh(early).due_at == sh(2026, 3, 2, 14, 0)
    assert not Event.objects.filter(object_id=early.pk, content_type__model="inquiry", action="due_recomputed").exists()
    # and each affected record's timeline says so, old -> new
    note = Event.objects.get(object_id=order.pk, content_type__model="order", action="due_recomputed")
    assert note.actor == people.manager
    assert (note.changes[0]["old"], note.changes[0]["new"]) == ("2026-03-03 14:00", "2026-03-04 14:00")

    # and the paused clock keeps its 420 minutes left: resumed on Wednesday at 09:00 it is due at 17:00
    assert _deadlines(paused, "review").get().due_at == sh(2026, 3, 4, 14, 0)
    time_machine.move_to(sh(2026, 3, 4, 9, 0), tick=False)
    paused = orders.order_resubmit(order=paused, actor=people.sales)
    assert paused.due_at == sh(2026, 3, 4, 17, 0)

    # when the holiday is withdrawn again, the running clocks go back
    sla.calendar_day_delete(day=CalendarDay.objects.get(calendar=calendar_2026, date=dt.date(2026, 3, 3)),
                            actor=people.manager)
    assert _fresh(order).due_at == sh(2026, 3, 3, 14, 0)
    assert Event.objects.filter(object_id=order.pk, content_type__model="order", action="due_recomputed").count() == 2


@pytest.mark.spec("SLA-1", "ADMIN-1")
def test_a_holiday_added_in_the_admin_moves_the_running_clocks(people, admin_client, calendar_2026):
    # given an order in review from Monday 09:00 (due Monday 18:00)
    order = _order(people)
    # when the administrator makes Monday 2 March a holiday in the admin
    response = admin_client.post(reverse("admin:sla_calendarday_add"), {
        "calendar": calendar_2026.pk, "date": "2026-03-02", "kind": "holiday", "name": "临时放假"})
    assert response.status_code == 302, response.content.decode()[:2000]
    # then the review clock starts counting on Tuesday, and the order's timeline says so
    assert _fresh(order).due_at == sh(2026, 3, 3, 18, 0)
    assert Event.objects.filter(object_id=order.pk, content_type__model="order", action="due_recomputed").exists()


@pytest.mark.spec("SLA-1")
@pytest.mark.parametrize(("utc", "years"), [
    (dt.datetime(2026, 12, 31, 15, 59, tzinfo=dt.UTC), [2026, 2027]),  # 23:59 on 31 December in Shanghai
    (dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC), [2027, 2028]),  # 00:30 on 1 January in Shanghai
])
def test_the_calendar_preload_uses_the_local_year(db, time_machine, monkeypatch, utc, years):
    loaded = []
    monkeypatch.setattr("qsm.sla.calendar.load_cn_public_holidays", lambda calendar, ys: loaded.append(ys) or 0)
    time_machine.move_to(utc, tick=False)
    sla_tasks.preload_calendar()
    assert loaded == [years]


@pytest.mark.spec("SLA-1", "ADMIN-1")
def test_a_make_up_workday_added_inline_on_the_calendar_moves_the_running_clocks(people, admin_client,
                                                                                   calendar_2026, time_machine):
    # given an order in review from Friday 6 March 17:00 (480 minutes: due Monday 9 March 17:00)
    time_machine.move_to(sh(2026, 3, 6, 17, 0), tick=False)
    order = _order(people)
    assert _fresh(order).due_at == sh(2026, 3, 9, 17, 0)
    # when the administrator adds Saturday 7 March as a make-up workday on the calendar's page
    c = calendar_2026
    days = list(c.days.order_by("pk"))
    data = {"name": c.name, "is_default": "on", "work_start": "09:00", "lunch_start": "12:00", "lunch_end": "13:00",
            "work_end": "18:00", "weekdays": c.weekdays, "days-TOTAL_FORMS": len(days) + 1,
            "days-INITIAL_FORMS": len(days), "days-MIN_NUM_FORMS": 0, "days-MAX_NUM_FORMS": 1000}
    for n, day in enumerate(days):
        data.update({f"days-{n}-id": day.pk, f"days-{n}-calendar": c.pk, f"days-{n}-date": day.date.isoformat(),
                     f"days-{n}-kind": day.kind, f"days-{n}-name": day.name})
    n = len(days)
    data.update({f"days-{n}-calendar": c.pk, f"days-{n}-date": "2026-03-07", f"days-{n}-kind": "workday",
                 f"days-{n}-name": "调休上班"})
    response = admin_client.post(reverse("admin:sla_workcalendar_change", args=[c.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    # then the review clock counts Saturday, and the order's timeline says so
    assert _fresh(order).due_at == sh(2026, 3, 7, 17, 0)
    assert Event.objects.filter(object_id=order.pk, content_type__model="order", action="due_recomputed").exists()
