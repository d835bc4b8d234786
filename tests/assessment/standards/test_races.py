"""REL-1 for QC-1, on two database connections: two quality managers approving the same revision at the
same moment make one approval; two revisions started at once make one draft; the activation sweep run
by two schedulers at once makes the version effective once."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from assessment.standards import services
from assessment.standards.models import StandardVersion
from qsm.errors import TransitionNotAllowed
from qsm.org.models import Role
from qsm.workflow.models import Event
from tests.assessment.standards.support import standard_in
from tests.concurrency.race import at_once
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
V = StandardVersion.Status


def _fresh(record):
    return type(record).objects.get(pk=record.pk)


def _lines(version, action: str) -> int:
    return Event.objects.filter(content_type__model="standardversion", object_id=version.pk, action=action).count()


@pytest.mark.spec("REL-1", "QC-1")
def test_two_quality_managers_approving_at_once_make_one_approval(quality_officer, quality_manager,
                                                                  quality_department):
    second = UserFactory(username="quality_manager_2", department=quality_department, roles=[Role.MANAGER])
    _standard, version = standard_in("review", author=quality_officer, approver=quality_manager)
    outcomes = at_once(
        lambda: services.version_fire(version=_fresh(version), actor=quality_manager, action="approve"),
        lambda: services.version_fire(version=_fresh(version), actor=second, action="approve"))
    assert sorted(o.ok for o in outcomes) == [False, True]
    assert isinstance(next(o.error for o in outcomes if not o.ok), TransitionNotAllowed)
    assert _lines(version, "approve") == 1 and _lines(version, "activate") == 1
    assert _fresh(version).status == V.EFFECTIVE


@pytest.mark.spec("REL-1", "QC-1")
def test_two_revisions_started_at_once_make_one_draft(quality_officer, quality_manager):
    standard, _v1 = standard_in("effective", author=quality_officer, approver=quality_manager)
    outcomes = at_once(lambda: services.version_revise(standard=_fresh(standard), actor=quality_officer),
                       lambda: services.version_revise(standard=_fresh(standard), actor=quality_manager))
    assert sorted(o.ok for o in outcomes) == [False, True]
    assert standard.versions.filter(status=V.DRAFT).count() == 1


@pytest.mark.spec("REL-1", "QC-1", "SLA-2")
def test_two_sweeps_at_once_activate_a_version_once(quality_officer, quality_manager):
    standard, _v1 = standard_in("effective", author=quality_officer, approver=quality_manager)
    v2 = services.version_revise(standard=standard, actor=quality_officer)
    start = timezone.localdate() + dt.timedelta(days=3)
    services.version_update(version=v2, actor=quality_officer, effective_on=start,
                            review_on=start + dt.timedelta(days=100))
    services.version_fire(version=v2, actor=quality_officer, action="submit")
    services.version_fire(version=v2, actor=quality_manager, action="approve")
    with time_machine.travel(timezone.now() + dt.timedelta(days=3, hours=2)):
        outcomes = at_once(services.activate_due_versions, services.activate_due_versions)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    assert sum(o.value for o in outcomes) == 1
    assert _lines(v2, "activate") == 1 and _fresh(v2).status == V.EFFECTIVE
    assert StandardVersion.objects.filter(standard=standard, status=V.EFFECTIVE).count() == 1
