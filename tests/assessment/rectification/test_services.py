"""QC-3: the services of rectification notices and their manager-approved plans."""
from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from assessment.rectification import services
from assessment.rectification.models import Notice, RectificationPlan
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.notify.models import Notification
from qsm.workflow.models import Event
from tests.builders.assessment import a_failed_finding, a_notice, a_plan, evidence, fresh, in_days

pytestmark = pytest.mark.django_db
N = Notice.Status
P = RectificationPlan.Status


def _measures(people, n=2):
    return [{"description": f"补充复核步骤{i}", "owner": people.member if i % 2 else people.colleague,
             "due_on": in_days(5)} for i in range(1, n + 1)]


def _issue(people, **kw):
    params = {"department": people.department, "title": "受理记录不完整", "requirement": "补齐客户确认",
              "deadline": in_days(10)}
    params.update(kw)
    return services.issue_notice(people.quality, **params)


@pytest.mark.spec("QC-3")
def test_a_notice_from_a_failed_finding_carries_its_record_and_department(people):
    finding = a_failed_finding(people=people)
    notice = services.issue_notice(people.quality, department=None, title="受理超时", requirement="按标准整改",
                                   deadline=in_days(7), finding=finding)
    assert notice.source == Notice.Source.FINDING and notice.status == N.ISSUED
    assert notice.finding == finding and notice.inspection_id == finding.inspection_id
    assert (notice.content_type_id, notice.object_id) == (finding.sample.content_type_id, finding.sample.object_id)
    assert notice.department_id == finding.sample.department_id
    assert notice.record_number == finding.sample.number and notice.number.startswith("RN")
    # the department is told
    assert Notification.objects.filter(recipient=people.manager, url=notice.get_absolute_url()).exists()
    # one open notice per failed finding
    with pytest.raises(TransitionNotAllowed):
        services.issue_notice(people.quality, department=None, title="再次", requirement="x", deadline=in_days(7),
                              finding=finding)


@pytest.mark.spec("QC-3", "SEC-1")
def test_issuing_is_for_the_quality_department_and_refuses_bad_input(people):
    with pytest.raises(PermissionDenied):
        services.issue_notice(
            people.member, department=people.department, title="t", requirement="r", deadline=in_days(3))
    with pytest.raises(ValidationError) as e:
        _issue(people, title="坏\x00标题", requirement="", deadline=in_days(-1))
    assert {"title", "requirement", "deadline"} <= set(e.value.message_dict)
    with pytest.raises(ValidationError) as e:
        _issue(people, title="x" * 10000)
    assert "title" in e.value.message_dict
    assert not Notice.objects.exists()


@pytest.mark.spec("QC-3", "WF-1")
def test_the_whole_path_rejected_then_revised_approved_reported_verified(people):
    notice = _issue(people)
    plan = services.plan_propose(notice=notice, actor=people.member, cause="缺少复核", measures=_measures(people))
    assert plan.version == 1 and plan.measures.count() == 2 and plan.status == P.DRAFT
    services.plan_submit(plan=plan, actor=people.member)
    assert fresh(plan).status == P.SUBMITTED
    assert Notification.objects.filter(recipient=people.manager, kind="rectification_plan_submitted").exists()
    # the manager rejects, with a reason
    with pytest.raises(ValidationError):
        services.plan_reject(plan=fresh(plan), actor=people.manager, reason="  ")
    services.plan_reject(plan=fresh(plan), actor=people.manager, reason="措施不具体")
    rejected = fresh(plan)
    assert rejected.status == P.REJECTED and rejected.reject_reason == "措施不具体"
    assert rejected.decided_by == people.manager
    # revised as version 2, a copy of the measures
    revised = services.plan_revise(plan=rejected, actor=people.member)
    assert revised.version == 2 and revised.status == P.DRAFT
    assert list(revised.measures.values_list("description", flat=True)) == ["补充复核步骤1", "补充复核步骤2"]
    services.plan_update(plan=revised, actor=people.member, cause="缺少复核和培训",
                         measures=_measures(people, 3))
    assert fresh(revised).measures.count() == 3
    services.plan_submit(plan=revised, actor=people.member)
    services.plan_approve(plan=fresh(revised), actor=people.manager)
    assert fresh(revised).status == P.APPROVED
    assert fresh(notice).status == N.RECTIFYING
    # completion needs evidence
    with pytest.raises(ValidationError) as e:
        services.notice_report(notice=fresh(notice), actor=people.member, note="已整改")
    assert "attachments" in e.value.message_dict
    services.notice_report(notice=fresh(notice), actor=people.member, note="已整改", upload=evidence())
    assert fresh(notice).status == N.REPORTED and fresh(notice).completed_by == people.member
    # reopened with a reason: the next round
    services.notice_reopen(notice=fresh(notice), actor=people.quality, reason="证据不足")
    reopened = fresh(notice)
    assert reopened.status == N.RECTIFYING and reopened.round == 2 and reopened.reopen_reason == "证据不足"
    # the evidence of round 1 does not count for round 2
    with pytest.raises(ValidationError):
        services.notice_report(notice=reopened, actor=people.member, note="再次整改")
    services.notice_attach(notice=reopened, actor=people.member, upload=evidence("第二轮.png"))
    services.notice_report(notice=fresh(notice), actor=people.colleague, note="再次整改")
    services.notice_verify(notice=fresh(notice), actor=people.quality, note="复查合格")
    closed = fresh(notice)
    assert closed.status == N.CLOSED and closed.verified_by == people.quality and closed.closed_at
    ct = ContentType.objects.get_for_model(Notice)
    actions = list(Event.objects.filter(content_type=ct, object_id=notice.pk).values_list("action", flat=True))
    assert actions.count("report") == 2 and "reopen" in actions and "verify" in actions and "start" in actions


@pytest.mark.spec("QC-3", "SEC-2")
def test_the_author_never_decides_and_only_approvers_of_the_department_do(people):
    notice = a_notice(people=people)
    plan = a_plan(notice, state=P.SUBMITTED, author=people.manager, people=people)
    for who in (people.manager, people.member, people.outside_manager, people.service_manager, people.quality):
        with pytest.raises(PermissionDenied):
            services.plan_approve(plan=fresh(plan), actor=who)
    # the quality manager approves for any department
    services.plan_approve(plan=fresh(plan), actor=people.quality_manager)
    assert fresh(plan).status == P.APPROVED and fresh(notice).status == N.RECTIFYING


@pytest.mark.spec("QC-3")
def test_already_decided_is_a_conflict(people):
    notice = a_notice(people=people)
    plan = a_plan(notice, state=P.SUBMITTED, people=people)
    stale = fresh(plan)
    services.plan_approve(plan=fresh(plan), actor=people.manager)
    with pytest.raises(TransitionNotAllowed) as e:
        services.plan_reject(plan=stale, actor=people.quality_manager, reason="晚了")
    assert (e.value.action, e.value.state) == ("decide", P.APPROVED)


@pytest.mark.spec("QC-3")
def test_one_pending_plan_at_a_time_and_outsiders_cannot_propose(people):
    notice = a_notice(people=people)
    services.plan_propose(notice=notice, actor=people.member, cause="c", measures=_measures(people))
    with pytest.raises(TransitionNotAllowed):
        services.plan_propose(notice=fresh(notice), actor=people.colleague, cause="c", measures=_measures(people))
    with pytest.raises(PermissionDenied):
        services.plan_propose(notice=fresh(notice), actor=people.outsider, cause="c", measures=_measures(people))


@pytest.mark.spec("QC-3", "SEC-1")
def test_a_measure_owner_must_be_of_the_department_and_dated(people):
    notice = a_notice(people=people)
    bad = [{"description": "x", "owner": people.outsider, "due_on": in_days(3)},
           {"description": "", "owner": people.member, "due_on": None}]
    with pytest.raises(ValidationError) as e:
        services.plan_propose(notice=notice, actor=people.member, cause="c", measures=bad)
    assert "measures" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.plan_submit(plan=services.plan_propose(notice=notice, actor=people.member, cause="c", measures=[]),
                             actor=people.member)
    assert "measures" in e.value.message_dict


@pytest.mark.spec("QC-3")
def test_verify_reopen_cancel_belong_to_the_quality_department(people):
    notice = a_notice(state=N.REPORTED, people=people)
    for who in (people.member, people.manager):
        with pytest.raises(PermissionDenied):
            services.notice_verify(notice=fresh(notice), actor=who)
    with pytest.raises(ValidationError):
        services.notice_reopen(notice=fresh(notice), actor=people.quality, reason="")
    with pytest.raises(PermissionDenied):
        services.notice_cancel(notice=fresh(notice), actor=people.quality, reason="重复")
    services.notice_cancel(notice=fresh(notice), actor=people.quality_manager, reason="重复下发")
    assert fresh(notice).status == N.CANCELLED


@pytest.mark.spec("QC-3")
def test_cancelling_takes_the_pending_plan_with_it(people):
    notice = a_notice(people=people)
    plan = a_plan(notice, state=P.SUBMITTED, people=people)
    services.notice_cancel(notice=fresh(notice), actor=people.quality_manager, reason="误发")
    assert fresh(plan).status == P.CANCELLED
    with pytest.raises(TransitionNotAllowed):
        services.plan_approve(plan=fresh(plan), actor=people.manager)


@pytest.mark.spec("QC-3", "WF-3")
@pytest.mark.parametrize("state, member_may, quality_may", [
    (N.ISSUED, False, False),  # no approved plan yet: nothing has been rectified
    (N.RECTIFYING, True, True),
    (N.REPORTED, False, True),  # the department reported; the quality department verifies
    (N.CLOSED, False, False),
    (N.CANCELLED, False, False),
])
def test_evidence_is_attached_only_while_rectifying_and_for_verification(people, state, member_may, quality_may):
    from qsm.workflow.models import Attachment

    notice = a_notice(state=state, people=people)
    before = Attachment.objects.count()
    for actor, may in ((people.member, member_may), (people.quality, quality_may)):
        if may:
            services.notice_attach(notice=fresh(notice), actor=actor, upload=evidence())
        else:
            with pytest.raises(TransitionNotAllowed):
                services.notice_attach(notice=fresh(notice), actor=actor, upload=evidence())
    assert Attachment.objects.count() == before + member_may + quality_may
    with pytest.raises(PermissionDenied):
        services.notice_attach(notice=fresh(notice), actor=people.outsider, upload=evidence())
