"""What the database itself refuses in quality control, whatever code writes the row (DATA-1):
unknown module and topic codes, a second effective or open version of a standard, a second plan
being proposed for a notice, a sample size or a score out of range, a second open notice for a
failed finding."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from assessment.inspections.models import Inspection
from assessment.rectification.models import Notice, RectificationPlan
from assessment.standards.models import Standard, StandardVersion
from assessment.training.models import Attendance, TrainingPlan
from tests.builders.assessment import (
    a_failed_finding,
    a_notice,
    a_plan,
    a_revision,
    a_session,
    a_standard,
    a_training_plan,
    an_inspection,
)

pytestmark = pytest.mark.django_db


def _refused(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


@pytest.mark.spec("QC-1")
def test_a_standard_applies_only_to_known_modules(people):
    standard = a_standard(people=people)
    _refused(lambda: Standard.objects.filter(pk=standard.pk).update(modules=["cases", "warehouse"]))
    Standard.objects.filter(pk=standard.pk).update(modules=["cases", "visits", "complaints"])


@pytest.mark.spec("QC-1")
def test_one_effective_and_one_open_version_per_standard(people):
    standard = a_standard(people=people)
    revision = a_revision(standard, state="draft", people=people)
    _refused(lambda: StandardVersion.objects.filter(pk=revision.pk).update(status="effective"))
    _refused(lambda: StandardVersion.objects.create(standard=standard, version=3, title="第三版", author=people.quality))


@pytest.mark.spec("QC-3")
def test_one_plan_in_draft_or_awaiting_approval_per_notice(people):
    notice = a_notice(people=people)
    a_plan(notice, state="submitted", people=people)
    _refused(lambda: RectificationPlan.objects.create(notice=notice, version=2, cause="另一方案", author=people.member,
                                                      department=notice.department))


@pytest.mark.spec("QC-3")
def test_one_open_notice_per_failed_finding(people):
    finding = a_failed_finding(people=people)
    first = a_notice(finding=finding, people=people)
    _refused(lambda: a_notice(finding=finding, people=people))
    Notice.objects.filter(pk=first.pk).update(status="cancelled", cancel_reason="重复下发")
    assert a_notice(finding=finding, people=people).finding == finding


@pytest.mark.spec("QC-2")
def test_a_sample_size_stays_between_1_and_200(people):
    inspection = an_inspection(people=people)
    _refused(lambda: Inspection.objects.filter(pk=inspection.pk).update(sample_size=201))
    _refused(lambda: Inspection.objects.filter(pk=inspection.pk).update(sample_size=0))


@pytest.mark.spec("QC-5")
def test_training_topics_and_scores_are_in_range(people):
    plan = a_training_plan(people=people)
    _refused(lambda: TrainingPlan.objects.filter(pk=plan.pk).update(topics=["standards", "golf"]))
    session = a_session(plan=plan, attendees=[people.member], people=people)
    _refused(lambda: Attendance.objects.filter(session=session).update(score=Decimal("100.5")))
    _refused(lambda: Attendance.objects.create(session=session, person=people.member))
