"""ORG-1 for quality control: who sees which standard, inspection, notice, plan and training record.
Both halves of each declaration agree: the selectors' filter (``qsm.visibility.visible``: lists,
exports, the 404 of a record page or endpoint) and the record predicate (``can_view``).

- notices, their plans and measures: the quality department, the responsible department's members,
  the issuer; another department's staff and managers see nothing (404);
- inspections, their samples and findings: the quality department, the inspector, the inspected
  department's MANAGERS (not its staff);
- standards: everyone signed in reads a standard in effect and its effective and superseded
  versions; a draft, a version in review or approved only its author, the owner and quality;
- training: the plan's department, its owner, the trainers; a session's attendees; an attendance
  row its person, the department and the trainer.
"""
from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from assessment.inspections.models import Finding, InspectedRecord, Inspection
from assessment.rectification.models import Notice, RectificationMeasure, RectificationPlan
from assessment.standards.models import Standard, StandardVersion
from assessment.standards.workflows import activate_version
from assessment.training.models import Attendance, TrainingPlan, TrainingSession
from qsm.visibility import visibility_for, visible
from qsm.workflow.engine import fire
from tests.assessment.lifecycle import ROLES
from tests.builders.assessment import (
    a_notice,
    a_plan,
    a_revision,
    a_session,
    a_standard,
    a_training_plan,
    an_inspection,
)

pytestmark = pytest.mark.django_db

EVERYONE = set(ROLES)
QUALITY = {"quality", "quality_manager", "administrator"}
SALES = {"member", "colleague", "manager"}


def _seen(people, model) -> dict[str, set[int]]:
    """For each role, the ids of ``model`` it sees, checking that both halves agree."""
    out = {}
    for role in ROLES:
        user = getattr(people, role)
        listed = set(visible(model, user).values_list("pk", flat=True))
        one_by_one = {r.pk for r in model.objects.all() if visibility_for(model).can_view(user, r)}
        assert listed == one_by_one, f"{model.__name__} / {role}: filter {listed} != can_view {one_by_one}"
        out[role] = listed
    return out


def _who_sees(seen: dict[str, set[int]], pk: int) -> set[str]:
    return {role for role, pks in seen.items() if pk in pks}


@pytest.mark.spec("QC-3")
def test_a_notice_its_plans_and_measures_are_seen_by_the_department_and_quality_only(people):
    notice = a_notice(state="rectifying", rejected_first=True, people=people)
    other = a_notice(department=people.service_department, people=people)
    expected = QUALITY | SALES
    assert _who_sees(_seen(people, Notice), notice.pk) == expected
    assert _who_sees(_seen(people, Notice), other.pk) == QUALITY | {"service_staff", "service_manager"}
    plans = _seen(people, RectificationPlan)
    for plan in notice.plans.all():
        assert _who_sees(plans, plan.pk) == expected
    measures = _seen(people, RectificationMeasure)
    for measure in RectificationMeasure.objects.filter(plan__notice=notice):
        assert _who_sees(measures, measure.pk) == expected


@pytest.mark.spec("QC-3")
def test_a_measure_owner_from_another_department_sees_the_notice(people):
    notice = a_notice(people=people)
    plan = a_plan(notice, people=people)
    plan.measures.filter(position=1).update(owner=people.outsider)
    assert _who_sees(_seen(people, Notice), notice.pk) == QUALITY | SALES | {"outsider"}


@pytest.mark.spec("QC-2")
def test_an_inspection_is_seen_by_quality_the_inspector_and_the_inspected_departments_managers(people):
    inspection = an_inspection(state="in_progress", inspector=people.service_staff, results=("fail",), people=people)
    expected = QUALITY | {"service_staff", "manager"}  # sales' manager; not sales' staff
    assert _who_sees(_seen(people, Inspection), inspection.pk) == expected
    samples = _seen(people, InspectedRecord)
    for sample in inspection.samples.all():
        assert _who_sees(samples, sample.pk) == expected
    findings = _seen(people, Finding)
    for finding in Finding.objects.filter(inspection=inspection):
        assert _who_sees(findings, finding.pk) == expected


@pytest.mark.spec("QC-1")
def test_standards_in_effect_are_read_by_everyone_drafts_by_their_people(people):
    effective = a_standard(owner=people.manager, people=people)
    revision = a_revision(effective, state="review", author=people.member, people=people)
    draft_only = a_standard(owner=people.service_manager, effective=False, people=people)
    standards = _seen(people, Standard)
    assert _who_sees(standards, effective.pk) == EVERYONE
    assert _who_sees(standards, draft_only.pk) == QUALITY | {"service_manager"}
    versions = _seen(people, StandardVersion)
    assert _who_sees(versions, effective.current_version_id) == EVERYONE
    assert _who_sees(versions, revision.pk) == QUALITY | {"member", "manager"}  # author, owner
    superseded = effective.current_version
    fire(revision, "approve", actor=people.quality_manager)
    activate_version(StandardVersion.objects.get(pk=revision.pk))
    assert _who_sees(_seen(people, StandardVersion), revision.pk) == EVERYONE
    assert _who_sees(_seen(people, StandardVersion), superseded.pk) == EVERYONE  # the old version stays readable


@pytest.mark.spec("QC-5")
def test_training_is_seen_by_the_department_the_trainer_and_the_attendees(people):
    plan = a_training_plan(owner=people.manager, people=people)
    session = a_session(plan=plan, trainer=people.service_staff, attendees=[people.member, people.outsider],
                        people=people)
    assert _who_sees(_seen(people, TrainingPlan), plan.pk) == QUALITY | SALES | {"service_staff"}
    assert _who_sees(_seen(people, TrainingSession), session.pk) == QUALITY | SALES | {"service_staff", "outsider"}
    attendances = _seen(people, Attendance)
    mine = Attendance.objects.get(session=session, person=people.outsider)
    theirs = Attendance.objects.get(session=session, person=people.member)
    assert _who_sees(attendances, mine.pk) == QUALITY | SALES | {"service_staff", "outsider"}
    assert _who_sees(attendances, theirs.pk) == QUALITY | SALES | {"service_staff"}  # not the other attendee


@pytest.mark.spec("QC-1", "QC-3")
def test_nobody_signed_out_sees_anything(people):
    a_notice(people=people)
    a_standard(people=people)
    for model in (Notice, Standard, StandardVersion):
        assert not visible(model, AnonymousUser()).exists()
