"""The builders reach every state they promise, through the workflow tables (DATA-1's tools)."""
from __future__ import annotations

import pytest

from assessment.inspections.models import Finding, Inspection
from assessment.rectification.models import Notice, RectificationPlan
from assessment.standards.models import StandardVersion
from assessment.training.models import TrainingSession
from qsm.workflow.models import Event
from tests.builders.assessment import (
    a_failed_finding,
    a_notice,
    a_plan,
    a_revision,
    a_session,
    a_standard,
    an_inspection,
    an_inspection_plan,
    fresh,
)

pytestmark = pytest.mark.django_db


def test_standard_effective_points_at_its_version(people):
    standard = a_standard(people=people)
    assert standard.current_version.status == StandardVersion.Status.EFFECTIVE
    assert standard.next_review_on == standard.current_version.review_on


@pytest.mark.parametrize("state", ["draft", "review", "approved", "effective", "withdrawn"])
def test_revision_states(people, state):
    version = a_revision(state=state, people=people)
    assert version.status == state
    assert version.version == 2


def test_revision_effective_supersedes_the_previous(people):
    standard = a_standard(people=people)
    first = standard.current_version
    second = a_revision(standard, state="effective", people=people)
    assert fresh(first).status == StandardVersion.Status.SUPERSEDED
    assert fresh(standard).current_version == second


@pytest.mark.parametrize("state", ["planned", "in_progress", "completed", "cancelled"])
def test_inspection_states(people, state):
    inspection = an_inspection(state=state, people=people)
    assert inspection.status == state
    assert inspection.samples.count() == 2
    assert Finding.objects.filter(inspection=inspection).count() == 4


def test_completed_inspection_counts(people):
    inspection = an_inspection(state="completed", results=("fail", "na"), people=people)
    assert (inspection.pass_count, inspection.fail_count, inspection.na_count) == (2, 1, 1)


def test_failed_finding(people):
    finding = a_failed_finding(people=people)
    assert finding.result == Finding.Result.FAIL
    assert finding.inspection.status == Inspection.Status.IN_PROGRESS


@pytest.mark.parametrize("state", ["issued", "rectifying", "reported", "closed", "cancelled"])
def test_notice_states(people, state):
    notice = a_notice(state=state, people=people)
    assert notice.status == state


def test_notice_rejected_then_approved_and_reopened(people):
    notice = a_notice(state="closed", rejected_first=True, reopened=True, people=people)
    assert list(notice.plans.order_by("version").values_list("status", flat=True)) == ["rejected", "approved"]
    assert notice.round == 2
    actions = list(Event.objects.filter(object_id=notice.pk, content_type__model="notice", kind="transition")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["start", "report", "reopen", "report", "verify"]


def test_notice_from_finding_links_the_record(people):
    finding = a_failed_finding(people=people)
    notice = a_notice(finding=finding, people=people)
    assert notice.source == Notice.Source.FINDING
    assert (notice.content_type_id, notice.object_id) == (finding.sample.content_type_id, finding.sample.object_id)


@pytest.mark.parametrize("state", ["draft", "submitted", "approved", "rejected", "cancelled"])
def test_plan_states(people, state):
    plan = a_plan(a_notice(people=people), state=state, people=people)
    assert plan.status == state
    assert plan.measures.count() == 2
    if state == RectificationPlan.Status.APPROVED:
        assert fresh(plan.notice).status == Notice.Status.RECTIFYING


@pytest.mark.parametrize("state", ["scheduled", "held", "cancelled"])
def test_session_states(people, state):
    session = a_session(state=state, attendees=[people.member, people.colleague], scores=[90, 75], people=people)
    assert session.status == state
    if state == TrainingSession.Status.HELD:
        assert sorted(session.attendances.values_list("score", flat=True)) == [75, 90]


def test_scheduled_inspection_of_a_plan(people):
    plan = an_inspection_plan(people=people)
    inspection = an_inspection(plan=plan, state="completed", people=people)
    assert (inspection.kind, inspection.plan, inspection.department, inspection.checklist) == (
        Inspection.Kind.SCHEDULED, plan, plan.department, plan.checklist)
