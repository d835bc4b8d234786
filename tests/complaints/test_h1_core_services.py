"""The foundation services of CMP-2..5 (complaints.services.core): the investigation record, plan
versions and their decisions, the cascades (approval opens the measures and executes the complaint;
the last measure done asks the customer), the customer's answer by phone and through the link
(rounds, objections, versions kept), and the hostile input each refuses."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from complaints.models import Complaint, CustomerAnswer, HandlingPlan, Measure
from complaints.rules import CONFIRM_LINK_PURPOSE
from complaints.services import core
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.followup.models import FollowUp
from qsm.links.models import SignedLink
from qsm.notify.models import Notification
from qsm.workflow.actors import CustomerActor
from tests.builders import complaints as b

pytestmark = pytest.mark.django_db


def _fresh(record):
    return type(record).objects.get(pk=record.pk)


# --- investigation ----------------------------------------------------------------------------------

@pytest.mark.spec("CMP-2")
def test_the_investigation_is_recorded_with_a_why_chain_of_at_most_five(people):
    complaint = b.complaint_in("investigating")
    core.investigation_record(complaint=complaint, actor=people.investigator, facts="现场确认", whys=[" 一 ", "", "二"],
                              root_cause="根因", cause=b.any_cause(),
                              responsible_department=people.responsible_department,
                              responsible_person=people.responsible)
    fresh = _fresh(complaint)
    assert fresh.whys == ["一", "二"] and fresh.facts == "现场确认"
    assert (fresh.responsible_department, fresh.responsible_person) == (people.responsible_department,
                                                                        people.responsible)
    for whys in (["why"] * 6, ["x" * 501], ["a\nb"], ["\x00"], "not a list", [1]):
        with pytest.raises(ValidationError) as refused:
            core.investigation_record(complaint=complaint, actor=people.investigator, whys=whys)
        assert "whys" in refused.value.message_dict
    assert _fresh(complaint).whys == ["一", "二"]
    with pytest.raises(ValidationError):
        core.investigation_record(complaint=complaint, actor=people.investigator, root_cause="z" * 5001)
    with pytest.raises(PermissionDenied):
        core.investigation_record(complaint=complaint, actor=people.receiver, facts="我来写")
    with pytest.raises(TransitionNotAllowed):
        core.investigation_record(complaint=b.complaint_in("received"), actor=people.quality, facts="太早")


# --- plans ------------------------------------------------------------------------------------------

@pytest.mark.spec("CMP-3")
def test_a_plan_lists_measures_each_with_a_person_and_a_deadline(people):
    complaint = b.complaint_in("planning", plan=None)
    today = timezone.localdate()
    people.outsider.is_active = False
    people.outsider.save()
    bad = [
        {"description": "", "owner": people.responsible, "due_date": today},
        {"description": "ok", "owner": None, "due_date": today},
        {"description": "ok", "owner": people.outsider, "due_date": today},
        {"description": "ok", "owner": people.responsible, "due_date": today - dt.timedelta(days=1)},
        {"description": "ok", "owner": people.responsible, "due_date": dt.date(9999, 12, 31)},
        {"description": "ok", "owner": people.responsible, "due_date": None},
        {"description": "\x00", "owner": people.responsible, "due_date": today},
    ]
    with pytest.raises(ValidationError) as refused:
        core.plan_create(complaint=complaint, actor=people.investigator, summary="方案", measures=bad)
    errors = refused.value.message_dict
    assert set(errors) == {"measures", "measures-0-description", "measures-1-owner", "measures-2-owner",
                           "measures-3-due_date", "measures-4-due_date", "measures-5-due_date",
                           "measures-6-description"}
    with pytest.raises(ValidationError) as refused:
        core.plan_create(complaint=complaint, actor=people.investigator, summary="方案", measures=[])
    assert "measures" in refused.value.message_dict
    assert not HandlingPlan.objects.filter(complaint=complaint).exists()
    plan = b.propose(complaint, people=people)
    assert (plan.version, plan.round, plan.status) == (1, 1, "draft")
    assert [(m.position, m.department, m.status) for m in plan.measures.all()] == [
        (1, people.responsible_department, "planned"), (2, people.responsible_department, "planned")]
    # one plan at a time
    with pytest.raises(TransitionNotAllowed):
        b.propose(complaint, people=people)


@pytest.mark.spec("CMP-3")
def test_a_rejected_plan_is_revised_as_the_next_version(people):
    plan = b.plan_in("rejected")
    assert (plan.decision_reason, plan.decided_by) == ("措施不具体", people.approver)
    with pytest.raises(TransitionNotAllowed):
        core.plan_revise(plan=b.plan_in("draft"), actor=people.investigator)
    v2 = core.plan_revise(plan=plan, actor=people.investigator, summary="细化措施")
    assert (v2.version, v2.status, v2.summary) == (2, "draft", "细化措施")
    assert [m.description for m in v2.measures.all()] == [m.description for m in plan.measures.all()]
    assert _fresh(plan).status == "rejected" and _fresh(plan.complaint).plan_version == 2
    with pytest.raises(TransitionNotAllowed):  # v1 is no longer the current version
        core.plan_revise(plan=plan, actor=people.investigator)
    core.plan_submit(plan=v2, actor=people.investigator)
    core.plan_approve(plan=v2, actor=people.approver)
    assert _fresh(plan.complaint).status == "executing"


@pytest.mark.spec("CMP-4")
def test_a_plan_the_customer_was_not_satisfied_with_is_revised_in_the_next_round(people):
    superseded = b.plan_in("superseded")
    v2 = core.plan_revise(plan=superseded, actor=people.investigator)
    assert (v2.version, v2.round, v2.status, v2.customer_objections) == (2, 2, "draft", b.OBJECTIONS)
    assert v2.measures.count() == superseded.measures.count()
    assert {m.status for m in v2.measures.all()} == {"planned"}
    with pytest.raises(TransitionNotAllowed):  # v2 is the current version now
        core.plan_revise(plan=superseded, actor=people.investigator)


@pytest.mark.spec("CMP-3")
def test_rejecting_needs_a_reason_and_approving_opens_the_measures(people):
    plan = b.plan_in("submitted")
    with pytest.raises(ValidationError):
        core.plan_reject(plan=plan, actor=people.approver, reason="  ")
    assert Notification.objects.filter(recipient=people.approver, kind="complaint_plan_submitted").exists()
    core.plan_approve(plan=plan, actor=people.approver)
    plan = _fresh(plan)
    assert (plan.status, plan.decided_by) == ("approved", people.approver)
    assert {m.status for m in plan.measures.all()} == {"open"}
    assert _fresh(plan.complaint).status == "executing"
    assert Notification.objects.filter(recipient=people.responsible, kind="complaint_measure_assigned").exists()
    with pytest.raises(TransitionNotAllowed):  # already decided
        core.plan_reject(plan=plan, actor=people.quality_manager, reason="晚了")


# --- measures ---------------------------------------------------------------------------------------

@pytest.mark.spec("CMP-3")
def test_the_last_measure_done_asks_the_customer(people):
    plan = b.plan_in("approved")
    first, second = plan.measures.order_by("position")
    with pytest.raises(ValidationError):
        core.measure_complete(measure=first, actor=people.responsible, note="")
    with pytest.raises(PermissionDenied):
        core.measure_complete(measure=first, actor=people.quality, note="代为完成")
    core.measure_complete(measure=first, actor=people.responsible, note="已更换轴承")
    assert _fresh(plan.complaint).status == "executing"
    first = _fresh(first)
    assert (first.status, first.done_by, first.done_note) == ("done", people.responsible, "已更换轴承")
    core.measure_complete(measure=second, actor=people.approver, note="已更新保养规程")
    assert _fresh(plan).status == "done"
    assert _fresh(plan.complaint).status == "confirming"
    assert Notification.objects.filter(recipient=people.investigator, kind="complaint_confirming").count() == 1


# --- the customer's answer --------------------------------------------------------------------------

@pytest.mark.spec("CMP-4")
def test_not_satisfied_returns_to_planning_with_the_objections_and_a_new_version(people):
    complaint = b.complaint_in("confirming")
    with pytest.raises(ValidationError) as refused:
        core.answer_record(complaint=complaint, actor=people.investigator, satisfied=False, objections="")
    assert "objections" in refused.value.message_dict
    answer = core.answer_record(complaint=complaint, actor=people.investigator, satisfied=False,
                                objections="仍有异响")
    assert (answer.round, answer.method, answer.recorded_by, answer.satisfied) == (1, "phone", people.investigator,
                                                                                  False)
    complaint = _fresh(complaint)
    assert (complaint.status, complaint.round) == ("planning", 2)
    assert complaint.current_plan().status == "superseded"
    v2 = b.propose(complaint, people=people)
    assert (v2.version, v2.round, v2.customer_objections) == (2, 2, "仍有异响")
    core.plan_submit(plan=v2, actor=people.investigator)
    core.plan_approve(plan=v2, actor=people.quality_manager)
    b.execute_all(v2)
    core.answer_record(complaint=complaint, actor=people.quality, satisfied=True)
    complaint = _fresh(complaint)
    assert (complaint.status, complaint.closed_satisfied, complaint.closed_by) == ("closed", True, people.quality)
    assert list(complaint.answers.values_list("round", "satisfied")) == [(1, False), (2, True)]
    assert list(complaint.plans.values_list("version", "status")) == [(1, "superseded"), (2, "done")]
    assert FollowUp.objects.filter(content_type=ContentType.objects.get_for_model(Complaint),
                                   object_id=complaint.pk, reason="complaint_closed").count() == 1


def _link(complaint) -> SignedLink:
    import secrets

    return SignedLink.objects.create(content_type=ContentType.objects.get_for_model(Complaint),
                                     object_id=complaint.pk, purpose=CONFIRM_LINK_PURPOSE,
                                     token_hash=secrets.token_hex(32), contact_name="王经理",
                                     expires_at=timezone.now() + dt.timedelta(days=7))


@pytest.mark.spec("CMP-4")
def test_the_customer_answers_through_the_link_of_this_complaint_only(people):
    complaint = b.complaint_in("confirming")
    other = b.complaint_in("confirming")
    other_link = _link(other)
    stranger = CustomerActor(name="王经理", link_id=other_link.pk, purpose=CONFIRM_LINK_PURPOSE)
    with pytest.raises(PermissionDenied):
        core.answer_record(complaint=complaint, actor=stranger, satisfied=True, link=other_link)
    wrong_purpose = CustomerActor(name="王经理", link_id=_link(complaint).pk, purpose="visit_feedback")
    with pytest.raises(PermissionDenied):
        core.answer_record(complaint=complaint, actor=wrong_purpose, satisfied=True)
    link = _link(complaint)
    customer = CustomerActor(name="王经理", link_id=link.pk, purpose=CONFIRM_LINK_PURPOSE)
    answer = core.answer_record(complaint=complaint, actor=customer, satisfied=True, link=link, ip="203.0.113.9",
                                user_agent="Mobile Safari")
    assert (answer.method, answer.recorded_by, answer.link, answer.ip) == ("link", None, link, "203.0.113.9")
    complaint = _fresh(complaint)
    assert (complaint.status, complaint.closed_by, complaint.closed_satisfied) == ("closed", None, True)
    with pytest.raises(TransitionNotAllowed):
        core.answer_record(complaint=complaint, actor=customer, satisfied=False, objections="再答一次", link=link)
    assert CustomerAnswer.objects.filter(complaint=complaint).count() == 1


@pytest.mark.spec("CMP-4")
def test_the_answer_is_refused_before_the_measures_are_done(people):
    complaint = b.complaint_in("executing")
    with pytest.raises(TransitionNotAllowed):
        core.answer_record(complaint=complaint, actor=people.investigator, satisfied=True)
    with pytest.raises(ValidationError):
        core.answer_record(complaint=complaint, actor=people.investigator, satisfied="yes")
    assert not CustomerAnswer.objects.exists() and _fresh(complaint).status == "executing"


# --- preventive measures ----------------------------------------------------------------------------

@pytest.mark.spec("CMP-5")
def test_preventive_measures_have_an_owner_and_a_deadline(people):
    complaint = b.complaint_in("closed")
    with pytest.raises(ValidationError) as refused:
        core.preventive_add(complaint=complaint, actor=people.investigator, description="", owner=None,
                            due_date=None)
    assert {"description", "owner", "due_date"} <= set(refused.value.message_dict)
    with pytest.raises(PermissionDenied):
        core.preventive_add(complaint=complaint, actor=people.responsible, description="培训", owner=people.responsible,
                            due_date=timezone.localdate())
    with pytest.raises(TransitionNotAllowed):
        core.preventive_add(complaint=b.complaint_in("cancelled"), actor=people.quality, description="培训",
                            owner=people.responsible, due_date=timezone.localdate())
    measure = b.preventive_in("open", complaint=complaint)
    assert (measure.owner, measure.department, measure.created_by) == (people.responsible,
                                                                       people.responsible_department,
                                                                       people.investigator)
    with pytest.raises(ValidationError):
        core.preventive_complete(measure=measure, actor=people.responsible, note="")
    core.preventive_complete(measure=measure, actor=people.responsible, note="已培训")
    assert _fresh(measure).status == "done"


@pytest.mark.spec("CMP-3")
def test_measure_rows_keep_what_was_done(people):
    measure = b.measure_in("done")
    assert Measure.objects.filter(pk=measure.pk, status="done", done_note="已更换轴承").exists()


@pytest.mark.spec("CMP-1", "CMP-3", "WF-2")
def test_the_reply_and_a_revision_read_on_the_timeline(people):
    from django.utils import translation

    from complaints.services.intake import complaint_reply
    from qsm.workflow.selectors import timeline

    complaint = b.new_complaint()
    complaint_reply(complaint=complaint, actor=people.receiver, reply="已电话答复")
    rejected = b.plan_in("rejected")
    v2 = core.plan_revise(plan=rejected, actor=people.investigator)
    with translation.override("zh-hans"):
        reply_line = [e for e in timeline(complaint) if e.event.action == "reply"]
        assert [e.action_label for e in reply_line] == ["已记录答复"]
        assert {c["new"] for c in reply_line[0].changes} >= {"已电话答复"}
        created = timeline(v2)[0]
        assert (created.action_label, created.summary) == ("已修订", "修订自第 1 版")
