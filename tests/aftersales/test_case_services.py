"""AFS-1/AFS-2 services of a case: routing at intake, re-routing with a reason, diagnosis with the
cause taxonomy, waiting for the customer (the clock pauses and the page says so), reopening within
the window (counted) and after it (refused: a new case instead), the contact log."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from aftersales.models import Case, CauseCategory, RoutingRule
from aftersales.services import cases as services
from qsm.contacts.models import ContactEntry
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.notify.models import Notification
from qsm.org.models import Role
from qsm.sla.models import Deadline
from qsm.workflow.models import Event
from tests.aftersales.cases_support import a_cause, case_in, diagnosed, new_case
from tests.factories import ProductFactory, UserFactory

S = Case.Status
pytestmark = pytest.mark.django_db


def events(case: Case) -> list[Event]:
    return list(Event.objects.filter(content_type=ContentType.objects.get_for_model(Case), object_id=case.pk)
                .order_by("pk"))


def deadline(case: Case, stage: str) -> Deadline:
    return Deadline.objects.filter(content_type=ContentType.objects.get_for_model(Case), object_id=case.pk,
                                   stage=stage).order_by("-pk").first()


# --- AFS-1 intake and routing ---------------------------------------------------------------------


@pytest.mark.spec("AFS-1")
def test_intake_routes_the_case_by_the_rules(staff_user, other_department, customer):
    # given a rule: product quality of the machine-tool line goes to engineering, to its engineer
    engineer = UserFactory(username="engineer", department=other_department, roles=[Role.STAFF])
    RoutingRule.objects.create(product_line="机床", case_type="product_quality", department=other_department,
                               default_owner=engineer, position=1)
    machine = ProductFactory(code="CNC-9", name="数控机床", product_line="机床")
    # when a service staff member logs such a case
    case = new_case(actor=staff_user, customer=customer, product=machine)
    # then it is engineering's, owned by the engineer, who is told
    assert (case.department, case.owner) == (other_department, engineer)
    assert Notification.objects.filter(recipient=engineer).exists()
    # and the clocks run for the owner
    assert deadline(case, "reply").owner_id == engineer.pk


@pytest.mark.spec("AFS-1")
def test_intake_without_a_matching_rule_stays_with_the_person_logging_it(staff_user, customer):
    case = new_case(actor=staff_user, customer=customer, case_type="service")
    assert (case.department_id, case.owner_id) == (staff_user.department_id, staff_user.pk)
    assert case.status == S.NEW and case.number.startswith("AS")


@pytest.mark.spec("AFS-1")
def test_intake_of_an_order_takes_the_orders_customer(staff_user, customer):
    from tests.builders.orders import order_in

    order = order_in("delivered", actor=staff_user, customer=customer)
    case = services.case_intake(actor=staff_user, order=order, channel="phone", case_type="product_quality",
                                severity="high", subject="验收后漏油", description="设备底部漏油")
    assert case.customer == customer and case.order == order


# --- AFS-1 re-routing ---------------------------------------------------------------------------------


@pytest.mark.spec("AFS-1", "WF-2")
def test_rerouting_needs_a_reason_and_changes_nothing_without_one(staff_user, other_department_staff, customer):
    case = new_case(actor=staff_user, customer=customer)
    before = len(events(case))
    with pytest.raises(ValidationError) as refused:
        services.case_reroute(case=case, actor=staff_user, department=other_department_staff.department,
                              owner=other_department_staff, reason="  ")
    assert "reason" in refused.value.error_dict
    case.refresh_from_db()
    assert case.owner == staff_user and len(events(case)) == before


@pytest.mark.spec("AFS-1", "WF-2", "SLA-2")
def test_rerouting_moves_the_case_and_its_clocks_and_tells_the_new_owner(staff_user, other_department_staff, customer):
    case = new_case(actor=staff_user, customer=customer)
    case = services.case_reroute(case=case, actor=staff_user, department=other_department_staff.department,
                                 owner=other_department_staff, reason="属于工程部的设备")
    assert (case.department, case.owner) == (other_department_staff.department, other_department_staff)
    line = events(case)[-1]
    assert line.action == "reroute" and line.comment == "属于工程部的设备"
    assert {c["field"] for c in line.changes} == {"department", "owner"}
    for stage in ("reply", "resolution"):
        d = deadline(case, stage)
        assert (d.owner_id, d.department_id) == (other_department_staff.pk, other_department_staff.department_id)
    assert Notification.objects.filter(recipient=other_department_staff, kind="case_rerouted").count() == 1


@pytest.mark.spec("AFS-1")
def test_rerouting_to_someone_outside_the_department_is_refused(staff_user, colleague, other_department, customer):
    case = new_case(actor=staff_user, customer=customer)
    with pytest.raises(ValidationError) as refused:
        services.case_reroute(case=case, actor=staff_user, department=other_department, owner=colleague,
                              reason="转工程部")
    assert "owner" in refused.value.error_dict
    # the owner alone, within the department, is fine
    case = services.case_reroute(case=case, actor=staff_user, owner=colleague, reason="同事负责该客户")
    assert case.owner == colleague


@pytest.mark.spec("AFS-1", "ORG-1")
def test_a_closed_case_is_not_rerouted_and_an_outsider_may_not(staff_user, colleague, other_department_staff,
                                                                customer):
    case = case_in(S.CLOSED, actor=staff_user, customer=customer)
    with pytest.raises(TransitionNotAllowed):
        services.case_reroute(case=case, actor=staff_user, owner=colleague, reason="再分派")
    open_case = new_case(actor=staff_user, customer=customer)
    with pytest.raises(PermissionDenied):
        services.case_reroute(case=open_case, actor=other_department_staff, owner=colleague, reason="抢单")


# --- AFS-2 diagnosis ------------------------------------------------------------------------------------


@pytest.mark.spec("AFS-2", "WF-2")
def test_diagnosis_cause_and_solution_are_one_edit_on_the_timeline(staff_user, customer):
    case = case_in(S.IN_PROGRESS, actor=staff_user, customer=customer)
    cause = a_cause()
    case = diagnosed(case, staff_user, cause=cause)
    assert (case.diagnosis, case.cause, case.solution) == ("主轴轴承磨损", cause, "更换轴承并调整润滑周期")
    line = events(case)[-1]
    assert {c["field"] for c in line.changes} == {"diagnosis", "cause", "cause_detail", "solution"}


@pytest.mark.spec("AFS-2")
def test_a_top_level_cause_is_accepted_and_an_inactive_one_refused(staff_user, customer):
    case = case_in(S.IN_PROGRESS, actor=staff_user, customer=customer)
    top = a_cause().parent
    assert services.case_diagnose(case=case, actor=staff_user, cause=top).cause == top
    retired = CauseCategory.objects.create(name="旧分类", code="t-retired", is_active=False)
    with pytest.raises(ValidationError) as refused:
        services.case_diagnose(case=case, actor=staff_user, cause=retired)
    assert "cause" in refused.value.error_dict
    case.refresh_from_db()
    assert case.cause == top


@pytest.mark.spec("AFS-2")
def test_no_diagnosis_before_the_reply_or_after_resolving(staff_user, customer):
    for state in (S.NEW, S.RESOLVED):
        case = case_in(state, actor=staff_user, customer=customer)
        with pytest.raises(TransitionNotAllowed):
            services.case_diagnose(case=case, actor=staff_user, diagnosis="改了")


# --- SLA-1: waiting for the customer pauses the clock -----------------------------------------------------


@pytest.mark.spec("AFS-2", "SLA-1")
def test_waiting_for_the_customer_pauses_the_resolution_clock_and_resume_restarts_it(staff_user, customer):
    case = case_in(S.WAITING_CUSTOMER, actor=staff_user, customer=customer)
    assert deadline(case, "resolution").state == Deadline.State.PAUSED
    case = services.case_resume(case=case, actor=staff_user)
    assert case.status == S.IN_PROGRESS
    assert deadline(case, "resolution").state == Deadline.State.RUNNING


@pytest.mark.spec("AFS-2")
def test_resume_of_a_complex_case_goes_back_to_the_special_solution(staff_user, customer):
    case = case_in(S.SPECIAL, actor=staff_user, customer=customer)
    case = services.case_wait_customer(case=case, actor=staff_user, comment="等待客户确认方案")
    assert services.case_resume(case=case, actor=staff_user).status == S.SPECIAL


# --- AFS-2 reopening ------------------------------------------------------------------------------------------


@pytest.mark.spec("AFS-2")
def test_reopening_within_the_window_reopens_the_same_case_counted(staff_user, customer):
    case = case_in(S.RESOLVED, actor=staff_user, customer=customer)
    case = services.case_reopen(case=case, actor=staff_user, comment="同样的异响又出现了")
    assert case.status == S.IN_PROGRESS and case.reopen_count == 1 and case.last_reopened_at is not None
    assert deadline(case, "resolution").state == Deadline.State.RUNNING  # a new resolution clock runs
    case = services.case_resolve(case=case, actor=staff_user)
    case = services.case_reopen(case=case, actor=staff_user, comment="第三次")
    assert case.reopen_count == 2 and Case.objects.count() == 1


@pytest.mark.spec("AFS-2")
def test_reopening_after_the_window_is_refused_saying_to_log_a_new_case(staff_user, customer, settings):
    settings.AFTERSALES_REOPEN_DAYS = 30
    case = case_in(S.RESOLVED, actor=staff_user, customer=customer)
    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - dt.timedelta(days=31))
    with pytest.raises(TransitionNotAllowed) as refused:
        services.case_reopen(case=case, actor=staff_user, comment="又坏了")
    assert "30" in refused.value.message
    case.refresh_from_db()
    assert case.status == S.RESOLVED and case.reopen_count == 0


@pytest.mark.spec("AFS-2")
def test_reopening_needs_a_reason(staff_user, customer):
    case = case_in(S.RESOLVED, actor=staff_user, customer=customer)
    with pytest.raises(ValidationError):
        services.case_reopen(case=case, actor=staff_user, comment="")
    case.refresh_from_db()
    assert case.reopen_count == 0


# --- the contact log ---------------------------------------------------------------------------------------


@pytest.mark.spec("AFS-2")
def test_the_contact_log_keeps_calls_and_refuses_an_empty_one(staff_user, manager, customer):
    case = case_in(S.IN_PROGRESS, actor=staff_user, customer=customer)
    entry = services.case_contact_add(case=case, actor=staff_user, channel="phone", direction="out",
                                      summary="告知客户工程师明天上门")
    assert entry.kind == ContactEntry.Kind.COMMUNICATION and entry.object_id == case.pk
    with pytest.raises(ValidationError):
        services.case_contact_add(case=case, actor=staff_user, channel="phone", direction="out", summary=" ")
    cancelled = case_in(S.CANCELLED, actor=staff_user, customer=customer, manager=manager)
    with pytest.raises(TransitionNotAllowed):
        services.case_contact_add(case=cancelled, actor=staff_user, channel="phone", direction="out",
                                  summary="已撤销")
