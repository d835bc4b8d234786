"""QC-3 / WF-1: the rectification-notice and rectification-plan lifecycle tables, every (state,
action, role), with the notice locked first as h5's services do.

The responsible department is sales: ``member`` and ``colleague`` (staff), ``manager``. A plan's
author is ``member``; it is approved or rejected by who approves for sales (its manager, the quality
manager), never by its author. Reports come from sales' members; the quality department verifies
or reopens; the quality manager cancels; the system starts the rectification when a plan is approved.
"""
from __future__ import annotations

import pytest
from django.db import transaction

from assessment.rectification.models import Notice, RectificationPlan
from qsm.errors import PermissionDenied, ValidationError
from qsm.workflow import engine
from qsm.workflow.services import attachment_add
from tests.assessment.lifecycle import check, roles_of
from tests.builders.assessment import a_notice, a_plan, evidence, fresh, report_completion

pytestmark = pytest.mark.django_db

DEPARTMENT = ("member", "colleague", "manager")
QUALITY = ("quality", "quality_manager")
DECIDERS = ("manager", "quality_manager")


def locked(action, **params):
    """Fire ``action`` with the notice locked first (REL-1: the notice is the root)."""
    def run(record, actor):
        notice_id = record.pk if isinstance(record, Notice) else record.notice_id
        with transaction.atomic():
            Notice.objects.select_for_update().get(pk=notice_id)
            engine.fire(record, action, actor=actor, **params)
    return run


def _notice_table() -> dict:
    return {
        "start": (("issued",), "rectifying", ("system",), locked("start")),
        "report": (("rectifying",), "reported", DEPARTMENT, locked("report", note="已整改")),
        "verify": (("reported",), "closed", QUALITY, locked("verify", note="复查合格")),
        "reopen": (("reported",), "rectifying", QUALITY, locked("reopen", comment="证据不足")),
        "cancel": (("issued", "rectifying", "reported"), "cancelled", ("quality_manager",),
                   locked("cancel", comment="重复下发")),
    }


def _plan_table() -> dict:
    return {
        "submit": (("draft",), "submitted", DEPARTMENT, locked("submit")),
        "approve": (("submitted",), "approved", DECIDERS, locked("approve")),
        "reject": (("submitted",), "rejected", DECIDERS, locked("reject", comment="原因分析不充分")),
        "withdraw": (("draft",), "cancelled", DEPARTMENT, locked("withdraw")),
        "cancel": (("draft", "submitted"), "cancelled", ("system",), locked("cancel")),
    }


def _notice_in(people, state: str) -> Notice:
    notice = a_notice(state=state, people=people)
    if state == "issued":
        # a plan approved behind the notice's back would let the system start it: the guard reads it
        a_plan(notice, state="submitted", people=people)
        RectificationPlan.objects.filter(notice=notice).update(status="approved")
    if state in ("issued", "rectifying"):
        attachment_add(record=notice, upload=evidence(), actor=people.member)
    return fresh(notice)


@pytest.mark.spec("QC-3", "WF-1")
@pytest.mark.parametrize("state", ["issued", "rectifying", "reported", "closed", "cancelled"])
def test_notice_lifecycle_table(people, state):
    notice = _notice_in(people, state)
    assert notice.status == state
    assert check(notice, _notice_table(), roles_of(people)) == []


@pytest.mark.spec("QC-3", "WF-1")
@pytest.mark.parametrize("state", ["draft", "submitted", "approved", "rejected", "cancelled"])
def test_rectification_plan_lifecycle_table(people, state):
    plan = a_plan(a_notice(people=people), state=state, author=people.member, people=people)
    assert plan.status == state
    assert check(plan, _plan_table(), roles_of(people)) == []


@pytest.mark.spec("QC-3")
def test_a_manager_never_approves_the_plan_he_wrote_but_the_quality_manager_may(people):
    notice = a_notice(people=people)
    plan = a_plan(notice, state="submitted", author=people.manager, people=people)
    with pytest.raises(PermissionDenied):
        locked("approve")(plan, people.manager)
    locked("approve")(fresh(plan), people.quality_manager)
    assert fresh(plan).status == "approved" and fresh(plan).decided_by == people.quality_manager
    assert fresh(notice).status == "rectifying"


@pytest.mark.spec("QC-3")
def test_another_departments_manager_does_not_decide(people):
    plan = a_plan(a_notice(people=people), state="submitted", people=people)
    for outsider in (people.outside_manager, people.service_manager):
        with pytest.raises(PermissionDenied):
            locked("approve")(plan, outsider)


@pytest.mark.spec("QC-3")
def test_a_rejection_needs_a_reason_and_keeps_it(people):
    plan = a_plan(a_notice(people=people), state="submitted", people=people)
    with pytest.raises(ValidationError):
        locked("reject")(plan, people.manager)
    locked("reject", comment="措施不具体")(fresh(plan), people.manager)
    assert fresh(plan).reject_reason == "措施不具体" and fresh(plan).status == "rejected"
    # the revision is the next version, and it can be approved
    revised = a_plan(fresh(plan.notice), state="approved", people=people)
    assert revised.version == 2 and fresh(plan.notice).status == "rectifying"


@pytest.mark.spec("QC-3")
def test_a_plan_is_submitted_with_a_cause_and_complete_measures(people):
    notice = a_notice(people=people)
    plan = a_plan(notice, state="draft", measures=0, people=people)
    with pytest.raises(ValidationError) as refused:
        locked("submit")(plan, people.member)
    assert "measures" in refused.value.message_dict
    RectificationPlan.objects.filter(pk=plan.pk).update(cause="  ")
    with pytest.raises(ValidationError) as refused:
        locked("submit")(fresh(plan), people.member)
    assert {"cause", "measures"} <= set(refused.value.message_dict)


@pytest.mark.spec("QC-3")
def test_completion_needs_a_note_and_evidence_of_this_round(people):
    notice = a_notice(state="rectifying", people=people)
    with pytest.raises(ValidationError) as refused:
        locked("report", note="已整改")(notice, people.member)
    assert "attachments" in refused.value.message_dict
    attachment_add(record=notice, upload=evidence(), actor=people.member)
    with pytest.raises(ValidationError) as refused:
        locked("report", note="")(fresh(notice), people.member)
    assert "note" in refused.value.message_dict
    locked("report", note="已整改")(fresh(notice), people.member)
    reported = fresh(notice)
    assert (reported.status, reported.completion_note, reported.completed_by) == ("reported", "已整改", people.member)
    # reopened: the evidence of the first round does not count for the second
    locked("reopen", comment="证据不足")(reported, people.quality)
    again = fresh(notice)
    assert (again.status, again.round, again.reopen_reason) == ("rectifying", 2, "证据不足")
    with pytest.raises(ValidationError):
        locked("report", note="再次整改")(again, people.member)
    report_completion(again, actor=people.colleague)
    assert fresh(notice).status == "reported"


@pytest.mark.spec("QC-3")
def test_verifying_closes_with_who_and_when(people):
    notice = a_notice(state="reported", people=people)
    locked("verify", note="复查合格")(notice, people.quality)
    closed = fresh(notice)
    assert (closed.status, closed.verified_by, closed.verification_note) == ("closed", people.quality, "复查合格")
    assert closed.closed_at is not None


@pytest.mark.spec("QC-3")
def test_cancelling_a_notice_withdraws_the_plan_being_proposed(people):
    notice = a_notice(people=people)
    plan = a_plan(notice, state="submitted", people=people)
    locked("cancel", comment="重复下发")(notice, people.quality_manager)
    assert fresh(plan).status == "cancelled"
    assert fresh(notice).cancel_reason == "重复下发"
