"""Complaints, handling plans, measures and preventive measures driven to any state through the
services and the workflow tables (the calls a user's clicks make; never by writing ``status``).

People (``cast()``; the same usernames and departments as the root conftest's fixtures, so a test
may mix both): the complaint is received by ``receiver`` (``staff``, customer service 客户服务部,
whose manager is ``receiving_manager`` = ``manager``); the quality officer ``quality`` assigns it to
``investigator`` (an engineer of the technical department 技术部: the investigator's rights come from
being named, not from a quality role); the quality manager is ``quality_manager``; the
responsible department is sales (销售部): ``responsible`` (``sales``) is the responsible person and
owns the measures, ``approver`` (``sales_manager``) approves the plans; ``outsider`` and
``outside_manager`` work in engineering (工程部), unrelated.

- ``new_complaint(**intake)``: a received complaint (``complaint_create``).
- ``complaint_in(state, **intake)``: received, investigating, planning, executing, confirming,
  closed, closed_unresolved, cancelled. ``round=2`` (planning / executing / confirming / closed) goes
  through one "not satisfied" answer first: planning at round 2 has plan v2 in draft
  (``plan=`` "draft" | "submitted" | "rejected" | None picks the plan of a planning complaint).
- ``plan_in(state, complaint=None, measures=2)``: draft, submitted, approved, rejected, done,
  cancelled (withdrawn), superseded.
- ``measure_in(state)``: planned, open, done, cancelled.
- ``preventive_in(state)``: open, done, cancelled.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from aftersales.models import CauseCategory
from complaints.models import Complaint, HandlingPlan, Measure, PreventiveMeasure
from complaints.services import core
from complaints.services.intake import (
    complaint_assign,
    complaint_cancel,
    complaint_close_unresolved,
    complaint_create,
    complaint_start_planning,
)
from qsm.org.models import Department, Role
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

S = Complaint.Status
P = HandlingPlan.Status
M = Measure.Status
PM = PreventiveMeasure.Status

WHYS = ["主轴异响", "轴承磨损", "润滑不足", "保养周期过长", "保养规程未更新"]
ROOT_CAUSE = "保养规程未随新型号更新，润滑周期过长导致轴承早期磨损"
OBJECTIONS = "更换后仍有轻微异响，要求派工程师现场复测"


def cast() -> SimpleNamespace:
    """The people of a complaint (created once per test, found again by username)."""
    service = DepartmentFactory(code="service", name="客户服务部", kind=Department.Kind.BUSINESS)
    sales = DepartmentFactory(code="sales", name="销售部", kind=Department.Kind.BUSINESS)
    quality = DepartmentFactory(code="quality", name="质量管理部", kind=Department.Kind.QUALITY)
    engineering = DepartmentFactory(code="engineering", name="工程部", kind=Department.Kind.BUSINESS)
    technical = DepartmentFactory(code="technical", name="技术部", kind=Department.Kind.OTHER)
    return SimpleNamespace(
        receiving_department=service, responsible_department=sales, quality_department=quality,
        unrelated_department=engineering, technical_department=technical,
        receiver=UserFactory(username="staff", department=service, roles=[Role.STAFF]),
        receiving_manager=UserFactory(username="manager", department=service, roles=[Role.MANAGER]),
        quality=UserFactory(username="quality", department=quality, roles=[Role.QUALITY_OFFICER]),
        investigator=UserFactory(username="investigator", department=technical, roles=[Role.STAFF]),
        quality_manager=UserFactory(username="quality_manager", department=quality, roles=[Role.MANAGER]),
        responsible=UserFactory(username="sales", department=sales, roles=[Role.STAFF]),
        approver=UserFactory(username="sales_manager", department=sales, roles=[Role.MANAGER]),
        outsider=UserFactory(username="outsider", department=engineering, roles=[Role.STAFF]),
        outside_manager=UserFactory(username="outside_manager", department=engineering, roles=[Role.MANAGER]),
    )


def any_cause() -> CauseCategory:
    return CauseCategory.objects.filter(parent__isnull=False, is_active=True).order_by("position", "pk").first()


def new_complaint(*, actor=None, customer=None, channel="phone", severity="general", subject="设备异响投诉",
                  description="客户投诉新设备主轴异响，影响生产", **intake) -> Complaint:
    people = cast()
    return complaint_create(actor=actor or people.receiver, customer=customer or CustomerFactory(), channel=channel,
                            severity=severity, subject=subject, description=description, **intake)


def investigate(complaint: Complaint, *, actor=None, people=None) -> Complaint:
    """Facts, cause, why-chain, root cause and responsibility recorded (the guard of start_planning)."""
    people = people or cast()
    return core.investigation_record(
        complaint=complaint, actor=actor or complaint.investigator or people.investigator,
        facts="现场确认主轴异响", cause=any_cause(), whys=WHYS[:3], root_cause=ROOT_CAUSE,
        responsible_department=people.responsible_department, responsible_person=people.responsible)


def measures_spec(people, count: int = 2) -> list[dict]:
    today = timezone.localdate()
    return [{"description": f"整改措施 {i}", "owner": people.responsible, "due_date": today + dt.timedelta(days=7 * i)}
            for i in range(1, count + 1)]


def propose(complaint: Complaint, *, people=None, measures: int = 2, actor=None) -> HandlingPlan:
    people = people or cast()
    return core.plan_create(complaint=complaint, actor=actor or people.investigator, summary="更换主轴轴承并更新保养规程",
                            measures=measures_spec(people, measures))


def execute_all(plan: HandlingPlan, *, people=None) -> None:
    people = people or cast()
    for measure in Measure.objects.filter(plan=plan, status=M.OPEN).order_by("position"):
        core.measure_complete(measure=measure, actor=measure.owner, note="已完成：" + measure.description)


def _planning(*, people, round_: int = 1, **intake) -> Complaint:
    complaint = new_complaint(actor=people.receiver, **intake)
    complaint_assign(complaint=complaint, actor=people.quality, investigator=people.investigator)
    investigate(complaint, people=people)
    complaint_start_planning(complaint=complaint, actor=people.investigator)
    for _round in range(1, round_):
        _through_round(complaint, people=people, satisfied=False)
    return complaint


def _through_round(complaint: Complaint, *, people, satisfied: bool, measures: int = 2) -> Complaint:
    """planning -> approved plan -> measures done -> the customer's answer (by phone)."""
    plan = propose(complaint, people=people, measures=measures)
    core.plan_submit(plan=plan, actor=people.investigator)
    core.plan_approve(plan=plan, actor=people.approver)
    execute_all(plan, people=people)
    core.answer_record(complaint=complaint, actor=people.investigator, satisfied=satisfied,
                       objections="" if satisfied else OBJECTIONS)
    complaint.refresh_from_db()
    return complaint


def complaint_in(state: str, *, round: int = 1, plan: str | None = "draft", measures: int = 2,  # noqa: A002
                 **intake) -> Complaint:
    """A fresh complaint moved to ``state`` the way users would."""
    people = cast()
    if state == S.RECEIVED:
        return new_complaint(actor=people.receiver, **intake)
    if state == S.CANCELLED:
        complaint = new_complaint(actor=people.receiver, **intake)
        return complaint_cancel(complaint=complaint, actor=people.quality_manager, reason="重复登记")
    if state == S.INVESTIGATING:
        complaint = new_complaint(actor=people.receiver, **intake)
        complaint_assign(complaint=complaint, actor=people.quality, investigator=people.investigator)
        return complaint
    if state == S.CLOSED_UNRESOLVED:
        complaint = _planning(people=people, round_=round, **intake)
        return complaint_close_unresolved(complaint=complaint, actor=people.quality_manager,
                                          reason="客户诉求超出合同范围，管理层决定终止处理")
    complaint = _planning(people=people, round_=round, **intake)
    if state == S.PLANNING:
        if round > 1 and plan is None:
            return complaint
        if plan is not None:
            p = propose(complaint, people=people, measures=measures)
            if plan in (P.SUBMITTED, P.REJECTED):
                core.plan_submit(plan=p, actor=people.investigator)
            if plan == P.REJECTED:
                core.plan_reject(plan=p, actor=people.approver, reason="措施不具体")
        complaint.refresh_from_db()
        return complaint
    p = propose(complaint, people=people, measures=measures)
    core.plan_submit(plan=p, actor=people.investigator)
    core.plan_approve(plan=p, actor=people.approver)
    if state == S.EXECUTING:
        complaint.refresh_from_db()
        return complaint
    execute_all(p, people=people)
    if state == S.CONFIRMING:
        complaint.refresh_from_db()
        return complaint
    if state == S.CLOSED:
        core.answer_record(complaint=complaint, actor=people.investigator, satisfied=True)
        complaint.refresh_from_db()
        return complaint
    raise ValueError(f"unknown complaint state {state!r}")


def plan_in(state: str, *, complaint: Complaint | None = None, measures: int = 2) -> HandlingPlan:
    """A plan moved to ``state`` (on a fresh complaint in planning unless one is given)."""
    people = cast()
    complaint = complaint or complaint_in(S.PLANNING, plan=None)
    plan = propose(complaint, people=people, measures=measures)
    if state == P.DRAFT:
        return plan
    if state == P.CANCELLED:
        return core.plan_withdraw(plan=plan, actor=people.investigator)
    core.plan_submit(plan=plan, actor=people.investigator)
    if state == P.SUBMITTED:
        return plan
    if state == P.REJECTED:
        return core.plan_reject(plan=plan, actor=people.approver, reason="措施不具体")
    core.plan_approve(plan=plan, actor=people.approver)
    if state == P.APPROVED:
        return plan
    execute_all(plan, people=people)
    plan.refresh_from_db()
    if state == P.DONE:
        return plan
    if state == P.SUPERSEDED:
        core.answer_record(complaint=complaint, actor=people.investigator, satisfied=False, objections=OBJECTIONS)
        plan.refresh_from_db()
        return plan
    raise ValueError(f"unknown plan state {state!r}")


def measure_in(state: str, *, measures: int = 2) -> Measure:
    """The first measure of a fresh plan, moved to ``state`` (the plan's other measures stay open)."""
    people = cast()
    if state == M.PLANNED:
        plan = plan_in(P.SUBMITTED, measures=measures)
        return plan.measures.order_by("position").first()
    if state == M.CANCELLED:
        plan = plan_in(P.DRAFT, measures=measures)
        core.plan_withdraw(plan=plan, actor=people.investigator)
        return plan.measures.order_by("position").first()
    plan = plan_in(P.APPROVED, measures=measures)
    measure = plan.measures.order_by("position").first()
    if state == M.OPEN:
        return measure
    if state == M.DONE:
        return core.measure_complete(measure=measure, actor=measure.owner, note="已更换轴承")
    raise ValueError(f"unknown measure state {state!r}")


def preventive_in(state: str, *, complaint: Complaint | None = None) -> PreventiveMeasure:
    people = cast()
    complaint = complaint or complaint_in(S.CLOSED)
    measure = core.preventive_add(complaint=complaint, actor=people.investigator, description="修订保养规程并培训",
                                  owner=people.responsible, due_date=timezone.localdate() + dt.timedelta(days=30))
    if state == PM.OPEN:
        return measure
    if state == PM.DONE:
        return core.preventive_complete(measure=measure, actor=people.responsible, note="规程已修订并完成培训")
    if state == PM.CANCELLED:
        return core.preventive_cancel(measure=measure, actor=people.investigator, reason="已并入年度改进计划")
    raise ValueError(f"unknown preventive measure state {state!r}")
