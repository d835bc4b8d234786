"""VIS-1/VIS-2: phone visits, calls, the switch to the link, re-checks, low scores and overdue
visits, through the services (each locks the visit and decides on the locked row)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from aftersales.models import Case, PhoneAttempt, Question, Visit, VisitAnswer, VisitRule
from aftersales.services import visits as services
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.notify.models import Notification
from qsm.sla.models import Deadline
from qsm.sla.services import deadlines_sweep
from qsm.workflow.models import Event
from tests.builders.aftersales import visit_build

V = Visit.Status


def _script_answers(visit: Visit, score="4") -> dict:
    return {services.answer_key(q): {"scale": score, "choice": (q.choices or [""])[0], "text": "一切正常"}[q.kind]
            for q in visit.questionnaire_version.questions.all()}


def _actions(visit: Visit) -> list[str]:
    return list(Event.objects.filter(content_type=ContentType.objects.get_for_model(Visit), object_id=visit.pk)
                .order_by("pk").values_list("action", flat=True))


@pytest.mark.spec("VIS-1", "VIS-2")
def test_a_phone_visit_records_the_script_answers_score_and_the_call(staff_user):
    visit = visit_build(actor=staff_user)
    called = timezone.now() - dt.timedelta(minutes=30)
    services.visit_record(visit=visit, actor=staff_user, satisfaction=4, answers=_script_answers(visit),
                          comments="满意", suggestions="无", called_at=called, call_seconds=420)
    visit.refresh_from_db()
    assert (visit.status, visit.method, visit.satisfaction, visit.done_by) == (V.DONE, "phone", 4, staff_user)
    assert (visit.called_at, visit.call_seconds) == (called, 420) and visit.done_at is not None
    questions = list(visit.questionnaire_version.questions.order_by("position"))
    answers = {a.question_id: a for a in VisitAnswer.objects.filter(visit=visit)}
    assert set(answers) == {q.pk for q in questions}
    for q in questions:
        a = answers[q.pk]
        assert {"scale": a.score == 4, "choice": a.choice == (q.choices or [""])[0], "text": a.text == "一切正常"}[q.kind]
    assert "record" in _actions(visit)


@pytest.mark.spec("VIS-1")
@pytest.mark.parametrize("bad", ["missing_required", "score_out_of_range", "unknown_choice", "overall_score"])
def test_bad_answers_are_refused_per_question_and_nothing_is_recorded(staff_user, bad):
    visit = visit_build(actor=staff_user)
    answers = _script_answers(visit)
    questions = list(visit.questionnaire_version.questions.order_by("position"))
    scale = next(q for q in questions if q.kind == Question.Kind.SCALE)
    choice = next(q for q in questions if q.kind == Question.Kind.CHOICE)
    satisfaction = 4
    if bad == "missing_required":
        answers.pop(services.answer_key(scale))
    elif bad == "score_out_of_range":
        answers[services.answer_key(scale)] = "6"
    elif bad == "unknown_choice":
        answers[services.answer_key(choice)] = "也许"
    else:
        satisfaction = 0
    with pytest.raises(ValidationError) as raised:
        services.visit_record(visit=visit, actor=staff_user, satisfaction=satisfaction, answers=answers)
    key = {"missing_required": services.answer_key(scale), "score_out_of_range": services.answer_key(scale),
           "unknown_choice": services.answer_key(choice), "overall_score": "satisfaction"}[bad]
    assert key in raised.value.message_dict
    visit.refresh_from_db()
    assert visit.status == V.PLANNED and not VisitAnswer.objects.filter(visit=visit).exists()


@pytest.mark.spec("VIS-1")
def test_only_the_visits_people_record_it_and_only_once(staff_user, other_department_staff, quality_officer):
    visit = visit_build(actor=staff_user)
    with pytest.raises(PermissionDenied):
        services.visit_record(visit=visit, actor=other_department_staff, satisfaction=4,
                              answers=_script_answers(visit))
    services.visit_record(visit=visit, actor=quality_officer, satisfaction=3, answers=_script_answers(visit))
    with pytest.raises(TransitionNotAllowed):
        services.visit_record(visit=visit, actor=staff_user, satisfaction=5, answers=_script_answers(visit))
    visit.refresh_from_db()
    assert (visit.satisfaction, visit.done_by) == (3, quality_officer)


@pytest.mark.spec("VIS-1")
def test_three_failed_calls_offer_the_link_and_the_calls_are_listed(staff_user):
    visit = visit_build(actor=staff_user)
    services.visit_attempt_add(visit=visit, actor=staff_user, outcome="no_answer", note="无人接听")
    services.visit_attempt_add(visit=visit, actor=staff_user, outcome="busy")
    visit.refresh_from_db()
    assert visit.phone_attempts == 2 and not services.link_offered(visit)
    services.visit_attempt_add(visit=visit, actor=staff_user, outcome="wrong_number", note="空号")
    visit.refresh_from_db()
    assert visit.phone_attempts == 3 and services.link_offered(visit) and visit.status == V.PLANNED
    assert [a.outcome for a in PhoneAttempt.objects.filter(visit=visit)] == ["no_answer", "busy", "wrong_number"]
    assert _actions(visit).count("phone_attempt") == 3
    # the switch: the survey link is sent
    visit, url = services.visit_send_link(visit=visit, actor=staff_user)
    assert visit.status == V.LINK_SENT and url.startswith("/l/") and visit.link.purpose == "visit_feedback"
    ttl = dt.timedelta(days=VisitRule.objects.get(reason=visit.reason).link_ttl_days)
    assert abs(visit.link.expires_at - visit.link.created_at - ttl) < dt.timedelta(seconds=1)
    with pytest.raises(ValidationError):
        services.visit_attempt_add(visit=visit, actor=staff_user, outcome="sleeping")


@pytest.mark.spec("VIS-1")
def test_a_reached_call_is_not_counted_as_failed_and_a_done_visit_takes_no_calls(staff_user):
    visit = visit_build(actor=staff_user)
    services.visit_attempt_add(visit=visit, actor=staff_user, outcome="reached")
    visit.refresh_from_db()
    assert visit.phone_attempts == 0
    done = visit_build(actor=staff_user, state="done")
    with pytest.raises(TransitionNotAllowed):
        services.visit_attempt_add(visit=done, actor=staff_user, outcome="busy")


@pytest.mark.spec("VIS-2")
def test_the_quality_department_marks_a_phone_visit_for_re_check_and_records_the_result(
        staff_user, quality_officer, manager):
    visit = visit_build(actor=staff_user, state="done", method="phone")
    for outsider in (staff_user, manager):  # the visit's own department does not re-check itself
        with pytest.raises(PermissionDenied):
            services.visit_recheck_request(visit=visit, actor=outsider)
    with pytest.raises(TransitionNotAllowed):  # nothing requested yet
        services.visit_recheck_record(visit=visit, actor=quality_officer, result="confirmed")
    services.visit_recheck_request(visit=visit, actor=quality_officer, note="抽查")
    visit.refresh_from_db()
    assert (visit.recheck_status, visit.recheck_requested_by) == ("requested", quality_officer)
    with pytest.raises(TransitionNotAllowed):
        services.visit_recheck_request(visit=visit, actor=quality_officer)
    with pytest.raises(ValidationError):  # a discrepancy says what differs
        services.visit_recheck_record(visit=visit, actor=quality_officer, result="discrepancy", note="")
    services.visit_recheck_record(visit=visit, actor=quality_officer, result="discrepancy",
                                  note="客户称未接到回访电话")
    visit.refresh_from_db()
    assert (visit.recheck_status, visit.rechecked_by, visit.recheck_note) == (
        "discrepancy", quality_officer, "客户称未接到回访电话")
    assert visit.rechecked_at is not None
    assert {"recheck_request", "recheck"} <= set(_actions(visit))


@pytest.mark.spec("VIS-2")
def test_only_done_phone_visits_are_re_checked(staff_user, quality_officer):
    planned = visit_build(actor=staff_user)
    with pytest.raises(TransitionNotAllowed):
        services.visit_recheck_request(visit=planned, actor=quality_officer)
    by_link = visit_build(actor=staff_user, state="done", method="link")
    with pytest.raises(TransitionNotAllowed):
        services.visit_recheck_request(visit=by_link, actor=quality_officer)


@pytest.mark.spec("VIS-1")
def test_a_low_score_opens_one_linked_case_in_one_click(staff_user, quality_officer, quality_manager, manager):
    visit = visit_build(actor=staff_user, state="done", satisfaction=2)
    Visit.objects.filter(pk=visit.pk).update(comments="设备又坏了，很不满意")
    visit.refresh_from_db()
    case, created = services.visit_open_case(visit=visit, actor=quality_officer)
    assert created and case.source_visit == visit and list(visit.opened_cases.all()) == [case]
    assert (case.customer, case.severity, case.channel, case.description) == (
        visit.customer, "high", "visit", "设备又坏了，很不满意")
    assert visit.number in case.subject
    assert "case_opened" in _actions(visit)
    # twice: the same case, no duplicate
    again, created_again = services.visit_open_case(visit=visit, actor=staff_user)
    assert (again, created_again) == (case, False) and Case.objects.filter(source_visit=visit).count() == 1


@pytest.mark.spec("VIS-1")
def test_a_good_score_opens_no_case_and_outsiders_cannot(staff_user, other_department_staff):
    good = visit_build(actor=staff_user, state="done", satisfaction=4)
    with pytest.raises(TransitionNotAllowed):
        services.visit_open_case(visit=good, actor=staff_user)
    low = visit_build(actor=staff_user, state="done", satisfaction=1)
    with pytest.raises(PermissionDenied):
        services.visit_open_case(visit=low, actor=other_department_staff)
    assert not Case.objects.filter(source_visit__in=[good, low]).exists()


@pytest.mark.spec("VIS-1")
def test_a_low_score_is_told_to_the_managers_and_the_quality_department(staff_user, manager, quality_officer):
    visit = visit_build(actor=staff_user)
    services.visit_record(visit=visit, actor=staff_user, satisfaction=1, answers=_script_answers(visit, "1"))
    told = set(Notification.objects.filter(kind="visit_low_score").values_list("recipient__username", flat=True))
    assert told == {manager.username, quality_officer.username}


@pytest.mark.spec("VIS-1", "SLA-2")
def test_a_visit_not_done_by_its_date_reminds_and_escalates(staff_user, manager, quality_officer, time_machine):
    visit = visit_build(actor=staff_user, planned_for=timezone.localdate() + dt.timedelta(days=1))
    deadline = Deadline.objects.get(content_type=ContentType.objects.get_for_model(Visit), object_id=visit.pk)
    assert deadline.state == "running" and timezone.localtime(deadline.due_at).date() == visit.planned_for
    # before the date (the lead day): the owner is reminded; after it: owner, managers and quality hear of it
    time_machine.move_to(deadline.remind_at + dt.timedelta(minutes=1))
    deadlines_sweep()
    time_machine.move_to(deadline.due_at + dt.timedelta(minutes=1))
    deadlines_sweep()
    url = visit.get_absolute_url()
    reminded = set(Notification.objects.filter(kind="sla_reminder", url=url).values_list("recipient__username",
                                                                                         flat=True))
    escalated = set(Notification.objects.filter(kind="sla_overdue", url=url).values_list("recipient__username",
                                                                                        flat=True))
    assert reminded == {staff_user.username}
    assert escalated == {staff_user.username, manager.username, quality_officer.username}
    # a visit done in time is not escalated
    done = visit_build(actor=staff_user, state="done", planned_for=timezone.localdate() + dt.timedelta(days=1))
    time_machine.move_to(timezone.now() + dt.timedelta(days=5))
    deadlines_sweep()
    assert not Notification.objects.filter(kind="sla_overdue", url=done.get_absolute_url()).exists()
