"""PERF-1 (issue 11): ``manage.py seed_scale`` seeds quality control with the rows the app writes: standards with
versions (superseded, effective, open revisions), checklists, scheduled inspections from plans and spot checks
sampling real records of the inspected department and period, findings, rectification notices in every state
with versioned plans (rejected then approved) and measures, training plans, sessions and attendance; their
clocks, ``due_at`` and timelines. Run at a tiny scale."""
from __future__ import annotations

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from assessment.inspections.spot_checks import redraw
from assessment.models import (
    Attendance,
    Checklist,
    Finding,
    InspectedRecord,
    Inspection,
    InspectionPlan,
    Notice,
    RectificationMeasure,
    RectificationPlan,
    Standard,
    StandardVersion,
    TrainingPlan,
    TrainingSession,
)
from qsm.scale import ScaleContext
from qsm.sla.models import Deadline
from qsm.workflow.models import Event

SCALE = 0.0003  # 30 notices, 12 standards, with every module seeded before them
pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    out = io.StringIO()
    call_command("seed_scale", scale=SCALE, stdout=out)
    return out.getvalue()


def _running(model) -> dict:
    rows = Deadline.objects.filter(content_type=ContentType.objects.get_for_model(model), state=Deadline.State.RUNNING)
    found: dict = {}
    for object_id, due in rows.values_list("object_id", "due_at"):
        found[object_id] = min(due, found.get(object_id, due))
    return found


def _mirrors_running_clocks(model, queryset) -> None:
    running = _running(model)
    for pk, due_at in queryset.values_list("pk", "due_at"):
        assert due_at == running.get(pk), (model.__name__, pk)


@pytest.mark.spec("PERF-1", "QC-1", "QC-2", "VIS-2")
def test_standards_with_versions_and_inspections_sampling_real_records(seeded):
    ctx = ScaleContext(scale=SCALE)
    assert "Standards:" in seeded
    assert Standard.objects.count() == ctx.count(2_000, minimum=12)
    V = StandardVersion.Status
    assert set(StandardVersion.objects.values_list("status", flat=True)) == set(V.values)
    # the effective version is the standard's current one, with its review date; older ones superseded after it
    for standard in Standard.objects.filter(current_version__isnull=False).select_related("current_version")[:30]:
        assert standard.current_version.status == V.EFFECTIVE
        assert standard.next_review_on == standard.current_version.review_on
        for old in standard.versions.filter(status=V.SUPERSEDED):
            assert old.version < standard.current_version.version and old.superseded_at is not None
    assert not StandardVersion.objects.filter(approved_by=F("author")).exists()
    assert Standard.objects.filter(current_version__isnull=True).exists()  # new ones not yet effective
    assert Standard.objects.filter(retired=True).exists()
    # the review clock runs on the effective version, the approval clock on the one in review
    _mirrors_running_clocks(StandardVersion, StandardVersion.objects.all())
    ct = ContentType.objects.get_for_model(StandardVersion)
    effective = StandardVersion.objects.filter(status=V.EFFECTIVE).count()
    assert Deadline.objects.filter(content_type=ct, stage="standard_review", state="running").count() == effective
    assert Deadline.objects.filter(content_type=ct, stage="standard_approval", state="running").count() == (
        StandardVersion.objects.filter(status=V.REVIEW).count())
    superseded = StandardVersion.objects.filter(status=V.SUPERSEDED).order_by("id").first()
    path = Event.objects.filter(content_type=ct, object_id=superseded.pk).order_by("created_at", "id")
    assert list(path.values_list("to_state", flat=True)) == ["draft", "review", "approved", "effective", "superseded"]

    # QC-2: inspections sample real records of the department and period
    assert Checklist.objects.exists() and InspectionPlan.objects.exists()
    inspections = Inspection.objects.all()
    assert {"scheduled", "spot"} == set(inspections.values_list("kind", flat=True))
    assert {"planned", "in_progress", "completed", "cancelled"} <= set(inspections.values_list("status", flat=True))
    assert not inspections.filter(kind="scheduled", plan__isnull=True).exists()
    # a scheduled one per plan and period
    assert inspections.filter(plan__isnull=False).values("plan", "period_start").annotate(n=Count("id")).filter(
        n__gt=1).count() == 0
    samples = InspectedRecord.objects.select_related("inspection", "content_type")
    assert {s.content_type.model for s in samples} >= {"inquiry", "order", "case"}
    for sample in samples.order_by("?")[:60]:
        record = sample.content_type.get_object_for_this_type(pk=sample.object_id)
        assert sample.number == record.number
        inspection = sample.inspection
        if sample.content_type.model == "complaint":
            department_id = record.responsible_department_id or record.receiving_department_id
            moment = record.received_at
        else:
            department_id = record.department_id
            moment = {"inquiry": "received_at", "order": "created_at", "case": "received_at", "visit": "done_at"}[
                sample.content_type.model]
            moment = getattr(record, moment)
        assert department_id == inspection.department_id == sample.department_id
        assert inspection.period_start <= timezone.localtime(moment).date() <= inspection.period_end
    # drawn as the app draws them: the stored seed redraws every sample, in draw order (re-check samples of
    # visits only among the visits marked for re-check)
    redrawn = 0
    for inspection in inspections.exclude(status="cancelled").order_by("pk"):
        drawn = list(inspection.samples.order_by("position").values_list("object_id", flat=True))
        assert redraw(inspection) == drawn, inspection.number
        redrawn += bool(drawn)
    assert redrawn >= 10
    assert inspections.filter(kind="spot", module="visits", recheck_only=True).exists()
    rechecks = InspectedRecord.objects.filter(inspection__recheck_only=True)
    for sample in rechecks.select_related("content_type"):
        visit = sample.content_type.get_object_for_this_type(pk=sample.object_id)
        assert (visit.method, visit.recheck_status) == ("phone", "requested"), sample.number
    # every active item of the checklist on every sample; completed inspections judged, counts kept
    for inspection in inspections.filter(status="completed").annotate(n=Count("samples"))[:20]:
        items = inspection.checklist.items.filter(active=True).count()
        assert inspection.findings.count() == inspection.n * items
        assert not inspection.findings.filter(result="pending").exists()
        assert inspection.fail_count == inspection.findings.filter(result="fail").count()
    assert not Finding.objects.filter(inspection__status="planned").exclude(result="pending").exists()
    assert Finding.objects.filter(result="fail").exists() and Finding.objects.filter(result="na").exists()
    assert not Finding.objects.exclude(kind=F("item__kind")).exists()
    _mirrors_running_clocks(Inspection, inspections)
    assert inspections.filter(status__in=Inspection.OPEN_STATES, due_at__isnull=False).exists()


@pytest.mark.spec("PERF-1", "QC-3", "QC-5")
def test_notices_in_every_state_with_plans_and_training_with_attendance(seeded):
    now = timezone.now()
    notices = Notice.objects.all()
    assert notices.count() >= ScaleContext(scale=SCALE).count(50_000, minimum=30) * 0.9
    assert set(notices.values_list("status", flat=True)) == set(Notice.Status.values)
    assert {"finding", "manual"} == set(notices.values_list("source", flat=True))
    for notice in notices.filter(source="finding").select_related("finding__sample")[:20]:
        assert notice.finding.result == "fail" and notice.department_id == notice.finding.sample.department_id
        assert (notice.content_type_id, notice.object_id) == (notice.finding.sample.content_type_id,
                                                              notice.finding.sample.object_id)
    # rejected then approved; reopened (round 2); overdue; closed ones verified
    rejected = RectificationPlan.objects.filter(status="rejected")
    assert rejected.exists() and not rejected.filter(reject_reason="").exists()
    assert RectificationPlan.objects.filter(notice__in=rejected.values("notice"), status="approved", version=2).exists()
    assert not RectificationPlan.objects.filter(decided_by=F("author")).exists()
    assert {"draft", "submitted", "approved", "rejected"} <= set(RectificationPlan.objects.values_list("status", flat=True))
    assert notices.filter(round=2).exclude(reopen_reason="").exists()
    assert notices.filter(status__in=["issued", "rectifying"], deadline__lt=timezone.localdate()).exists()
    assert not notices.filter(status="closed", verified_at__isnull=True).exists()
    assert not notices.filter(status__in=["rectifying", "reported", "closed"]).exclude(plans__status="approved").exists()
    # measures: owners of the department, done ones on reported and closed notices
    for measure in RectificationMeasure.objects.select_related("plan", "owner")[:30]:
        assert measure.owner.department_id == measure.plan.department_id
    assert not RectificationMeasure.objects.filter(plan__notice__status="closed", plan__status="approved",
                                                   done=False).exists()
    # clocks mirrored in due_at, overdue ones marked, one timeline line per transition
    _mirrors_running_clocks(Notice, notices)
    _mirrors_running_clocks(RectificationPlan, RectificationPlan.objects.all())
    assert not Deadline.objects.filter(state="running", overdue_at__isnull=True, due_at__lte=now).exists()
    ct = ContentType.objects.get_for_model(Notice)
    events = Event.objects.filter(content_type=ct)
    assert events.filter(kind="created").count() == notices.count()
    for notice in notices.exclude(status="issued")[:20]:
        last = events.filter(object_id=notice.pk).order_by("-created_at", "-id").first()
        assert last.to_state == notice.status, notice.number

    # QC-5: training plans, sessions, attendance
    assert {"closed", "active"} <= set(TrainingPlan.objects.values_list("status", flat=True))
    sessions = TrainingSession.objects.all()
    assert {"held", "scheduled"} <= set(sessions.values_list("status", flat=True))
    assert not sessions.filter(status="scheduled", starts_at__lt=timezone.now() - timezone.timedelta(days=4)).exists()
    assert not sessions.exclude(department=F("plan__department")).exists()
    # attendees are the department's people; held sessions recorded with scores in range
    for attendance in Attendance.objects.select_related("session", "person")[:40]:
        assert attendance.person.department_id == attendance.session.department_id
    assert Attendance.objects.filter(session__status="held", attended=True, score__isnull=False).exists()
    assert not Attendance.objects.filter(session__status="scheduled", attended__isnull=False).exists()
    # sessions number PX- on their own sequence from 1 (complaints own TS-)
    from complaints.models import Complaint

    assert not sessions.filter(number__in=Complaint.objects.values("number")).exists()
    assert not sessions.exclude(number__startswith="PX-").exists()
    first_year = sessions.order_by("created_at", "pk").first()
    assert first_year.number.endswith("-000001"), first_year.number

    # records created after seeding get fresh numbers
    from qsm.workflow.services import next_number

    for prefix, model in (("STD", Standard), ("INS", Inspection), ("RN", Notice), ("PX", TrainingSession)):
        number = next_number(prefix)
        assert not model.objects.filter(number=number).exists(), number
