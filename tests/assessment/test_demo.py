"""DATA-1, issue 11: the quality department's year in the demo (assessment/demo.py), built quickly.

Standards with revisions; a year of monthly scheduled inspections and spot checks over every sampled
module; rectification notices in every state (rejected then approved, reopened, overdue); training plans
with sessions and attendance records; and every inspection redrawable from its stored seed (QC-2: the
same seed draws the same records).
"""
from __future__ import annotations

import io
import time

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from assessment.inspections.spot_checks import redraw
from assessment.models import (
    Attendance,
    Finding,
    InspectedRecord,
    Inspection,
    InspectionPlan,
    Notice,
    RectificationPlan,
    Standard,
    StandardVersion,
    TrainingPlan,
    TrainingSession,
)
from qsm import sampling
from qsm.workflow.models import Event

pytestmark = pytest.mark.spec("DATA-1", "QC-2")


def assert_every_inspection_redraws_its_sample() -> None:
    """QC-2: redrawing an inspection's stored seed over its module, department and period gives its
    samples, in draw order: scheduled and spot ones, re-check samples of visits included."""
    inspections = Inspection.objects.exclude(status="cancelled").order_by("pk")
    assert inspections.exists()
    wrong = []
    for inspection in inspections:
        drawn = list(inspection.samples.order_by("position").values_list("object_id", flat=True))
        again = redraw(inspection)
        if again != drawn:  # (a period without records draws nothing, then and again)
            wrong.append(f"{inspection.number} {inspection.kind} {inspection.module} {inspection.department.code} "
                         f"{inspection.period_start}..{inspection.period_end} recheck={inspection.recheck_only} "
                         f"created {inspection.created_at:%Y-%m-%d}: {drawn} != {again}")
    assert not wrong, "\n".join(wrong)
    assert InspectedRecord.objects.filter(inspection__in=inspections).exists()


def assert_quality_control_year(*, small: bool) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    # QC-1: standards revised during the year, the old versions superseded; revisions open now
    versions = StandardVersion.objects.all()
    assert Standard.objects.annotate(n=Count("versions")).filter(n__gte=2).exists()
    assert {"effective", "superseded", "review", "draft"} <= set(versions.values_list("status", flat=True))
    assert Event.objects.filter(content_type__model="standardversion", action="return").exists()
    # QC-2: a year of monthly scheduled inspections of a few departments, carried out (the last ones open)
    scheduled = Inspection.objects.filter(kind="scheduled")
    assert InspectionPlan.objects.filter(frequency="monthly").values("department").distinct().count() >= 2
    assert scheduled.dates("period_start", "month").count() >= 11
    assert scheduled.filter(status="completed").exists() and scheduled.filter(status__in=Inspection.OPEN_STATES).exists()
    # spot checks over every sampled module, the re-check sample of phone visits (VIS-2) among them
    spots = Inspection.objects.filter(kind="spot")
    assert set(spots.values_list("module", flat=True)) == {p.code for p in sampling.populations()}
    assert spots.count() >= (6 if small else 12) - 1  # (a module without records in a period is not checked)
    # (the small after-sales year may leave no phone visit marked for re-check at the end)
    if not small:
        assert spots.filter(module="visits", recheck_only=True).exists()
    assert spots.filter(status="completed").exists() and spots.filter(status__in=Inspection.OPEN_STATES).exists()
    # completed ones judged every item, a few failed with a comment, the counts stored
    completed = Inspection.objects.filter(status="completed")
    assert not Finding.objects.filter(inspection__status="completed", result="pending").exists()
    assert not Finding.objects.filter(result="fail", comment="").exists()
    assert Finding.objects.filter(result="fail").exists()
    for inspection in completed:
        counts = inspection.findings.aggregate(p=Count("pk", filter=models_q("pass")), f=Count("pk", filter=models_q("fail")),
                                               n=Count("pk", filter=models_q("na")))
        assert (inspection.pass_count, inspection.fail_count, inspection.na_count) == (counts["p"], counts["f"],
                                                                                      counts["n"]), inspection.number
    assert not Inspection.objects.filter(created_at__gt=now).exists()
    # QC-3: notices in every state; a plan rejected then approved; a notice reopened; some overdue; one from a finding
    notices = Notice.objects.all()
    assert set(notices.values_list("status", flat=True)) == set(Notice.Status.values)
    assert RectificationPlan.objects.filter(status="rejected").exists()
    assert notices.filter(plans__status="rejected").filter(plans__status="approved").exists()
    assert notices.filter(round__gte=2).exists()
    assert notices.filter(status__in=Notice.OPEN_STATES, deadline__lt=today).exists()
    assert notices.filter(finding__isnull=False).exists()
    # QC-5: training plans with sessions held (attendance and scores recorded), cancelled, scheduled
    assert TrainingPlan.objects.filter(status="active").count() >= 2
    assert {"held", "scheduled"} <= set(TrainingSession.objects.values_list("status", flat=True))
    assert Attendance.objects.filter(session__status="held", attended=True, score__isnull=False).exists()
    if not small:
        assert TrainingSession.objects.filter(status="cancelled").exists()
    # and every inspection can be redrawn from its seed
    assert_every_inspection_redraws_its_sample()


def models_q(result: str):
    from django.db.models import Q

    return Q(result=result)


@pytest.mark.serial  # it times the build
def test_the_quality_year_is_built_quickly_and_complete(db, monkeypatch):
    """The assessment builder's own steps (its plans and sweeps) take under 20 s of the demo's load."""
    from qsm import registry

    spent = [0.0]
    builders = registry.demo_builders()

    class Timed:
        def __init__(self, ctx):
            self._ctx = ctx

        def __getattr__(self, name):
            return getattr(self._ctx, name)

        def add_steps(self, rank, steps):
            self._ctx.add_steps(rank, [(at, timed(step)) for at, step in steps])

        def every(self, *, rank, times, step, last):
            self._ctx.every(rank=rank, times=times, step=timed(step), last=timed(last))

        def at_end(self, step):
            self._ctx.at_end(timed(step))

    def timed(step):
        def run(*args):
            started = time.perf_counter()
            try:
                return step(*args)
            finally:
                spent[0] += time.perf_counter() - started
        return run

    def assessment_timed(build):
        def run(ctx):
            started = time.perf_counter()
            build(Timed(ctx))
            spent[0] += time.perf_counter() - started
        return run

    wrapped = [(label, assessment_timed(build) if label == "assessment" else build) for label, build in builders]
    assert [label for label, _b in wrapped][-1] == "assessment"
    monkeypatch.setattr(registry, "demo_builders", lambda: wrapped)

    call_command("load_demo_data", "--seed", "3", stdout=io.StringIO())

    assert spent[0] < 20, f"the assessment demo took {spent[0]:.1f} s"
    assert_quality_control_year(small=False)


def test_the_small_demo_has_the_quality_year_too(db):
    call_command("load_demo_data", "--small", "--seed", "5", stdout=io.StringIO())

    assert_quality_control_year(small=True)
