"""PERF-1 (issue 10): ``manage.py seed_scale`` seeds the complaints module with the rows the app writes:
complaints in every state (closed satisfied, closed unresolved by decision, cancelled, open ones overdue),
their investigation, versioned handling plans (rejected and revised, superseded after an unsatisfied
customer), measures (open, done, overdue), customer answers by phone and by link, case reports and
preventive measures, their deadlines, timelines and follow-up rows. Run at a tiny scale; the app works on
what it wrote."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Count, F, Max
from django.urls import reverse
from django.utils import timezone

from aftersales.models import Visit
from complaints.models import CaseReport, Complaint, CustomerAnswer, HandlingPlan, Measure, PreventiveMeasure
from qsm import registry
from qsm.followup.models import FollowUp
from qsm.links.models import SignedLink
from qsm.org.models import User
from qsm.scale import ScaleContext
from qsm.sla.models import Deadline
from qsm.workflow.models import Event

SCALE = 0.0003  # 30 complaints (the minimum 24 at least), with everything seeded before them
pytestmark = pytest.mark.django_db

CS, PS, MS = Complaint.Status, HandlingPlan.Status, Measure.Status


@pytest.fixture
def seeded():
    out = io.StringIO()
    call_command("seed_scale", scale=SCALE, stdout=out)
    return out.getvalue()


def _running(model) -> dict:
    rows = Deadline.objects.filter(content_type=ContentType.objects.get_for_model(model), state=Deadline.State.RUNNING)
    return {(object_id, stage): due for object_id, stage, due in rows.values_list("object_id", "stage", "due_at")}


@pytest.mark.spec("PERF-1", "CMP-1", "CMP-2", "CMP-4")
def test_complaints_in_every_state_with_investigation_clocks_and_timelines(seeded):
    now = timezone.now()
    complaints = Complaint.objects.all()
    assert complaints.count() == ScaleContext(scale=SCALE).count(100_000, minimum=24)
    assert "Complaints:" in seeded
    assert set(complaints.values_list("status", flat=True)) == set(CS.values)
    assert all(n.startswith("TS-") for n in complaints.values_list("number", flat=True))
    assert complaints.filter(order__isnull=False).exists() and complaints.filter(order__isnull=True).exists()
    for complaint in complaints.filter(order__isnull=False).select_related("order")[:10]:
        assert complaint.customer_id == complaint.order.customer_id and complaint.received_at >= complaint.order.delivered_at
    # the promised reply time is the reply clock's due; investigated ones have cause, whys, responsibility
    ct = ContentType.objects.get_for_model(Complaint)
    replies = dict(Deadline.objects.filter(content_type=ct, stage="reply").values_list("object_id", "due_at"))
    assert all(replies[pk] == promised for pk, promised in complaints.values_list("pk", "promised_reply_at"))
    for complaint in complaints.filter(status__in=[CS.PLANNING, CS.EXECUTING, CS.CONFIRMING, CS.CLOSED]):
        assert complaint.cause_id and complaint.whys and complaint.root_cause and complaint.investigator_id
        assert complaint.responsible_department_id and complaint.responsible_person.department_id == \
            complaint.responsible_department_id
    # closed satisfied / unresolved by the quality manager's decision, counted apart
    assert not complaints.filter(status=CS.CLOSED).exclude(closed_satisfied=True).exists()
    unresolved = complaints.filter(status=CS.CLOSED_UNRESOLVED)
    assert unresolved.exists() and not unresolved.filter(close_decision_reason="").exists()
    assert not unresolved.exclude(closed_satisfied=False).exists()
    # due_at mirrors the earliest running clock; some open ones are overdue; confirming: resolution paused
    running = _running(Complaint)
    for pk, due_at in complaints.values_list("pk", "due_at"):
        dues = [due for (object_id, _stage), due in running.items() if object_id == pk]
        assert due_at == (min(dues) if dues else None), pk
    assert complaints.filter(status__in=Complaint.OPEN_STATES, due_at__lt=now).exists()
    confirming = complaints.filter(status=CS.CONFIRMING).values_list("pk", flat=True)
    assert Deadline.objects.filter(content_type=ct, object_id__in=confirming, stage="resolution",
                                   state=Deadline.State.PAUSED).count() == len(confirming) > 0
    assert not Deadline.objects.filter(state="running", overdue_at__isnull=True, due_at__lte=now).exists()
    # one timeline line per transition; the acknowledgement logged; a follow-up row per closing
    events = Event.objects.filter(content_type=ct)
    assert events.filter(kind="created").count() == complaints.count()
    for complaint in complaints.exclude(status=CS.RECEIVED)[:10]:
        last = events.filter(object_id=complaint.pk).order_by("-created_at", "-id").first()
        assert last.to_state == complaint.status, complaint.number
    acknowledged = complaints.filter(communications__kind="update", communications__summary__contains="已受理")
    assert acknowledged.distinct().count() == complaints.count()
    closed = complaints.filter(status__in=[CS.CLOSED, CS.CLOSED_UNRESOLVED])
    rows = FollowUp.objects.filter(content_type=ct, reason="complaint_closed")
    assert rows.count() == closed.count()
    # VIS-1: the scheduler made the visits of the due rows (within the two years visits exist), numbered on
    due = rows.filter(due_at__lt=now - dt.timedelta(minutes=10), due_at__gte=now - dt.timedelta(days=729))
    assert due.exists() and not due.filter(consumed_at__isnull=True).exists()
    visits = Visit.objects.filter(content_type=ct, reason="complaint_closed")
    assert visits.count() == due.count() and not visits.exclude(object_id__in=closed.values("pk")).exists()
    assert Visit.objects.values("number").distinct().count() == Visit.objects.count()


@pytest.mark.spec("PERF-1", "CMP-3", "CMP-4", "CMP-5")
def test_plans_measures_answers_reports_and_preventive_measures(seeded):
    now = timezone.now()
    plans = HandlingPlan.objects.all()
    assert {PS.DRAFT, PS.SUBMITTED, PS.APPROVED, PS.REJECTED, PS.DONE, PS.SUPERSEDED} <= set(
        plans.values_list("status", flat=True))
    assert not plans.filter(status=PS.REJECTED, decision_reason="").exists()
    assert plans.aggregate(v=Max("version"))["v"] >= 3  # one complaint took three plan versions
    # the plan of the current version is the complaint's; its approver is never its author
    for complaint in Complaint.objects.filter(plan_version__gt=0)[:20]:
        assert complaint.plans.count() == complaint.plan_version
        assert complaint.current_plan() is not None
    assert not plans.filter(decided_by__isnull=False, decided_by=F("author")).exists()
    # submitted plans wait with their approval clock mirrored in due_at
    for plan in plans.filter(status=PS.SUBMITTED):
        assert plan.due_at == _running(HandlingPlan)[(plan.pk, "approval")]
    # measures with owners and dates; open ones have their running date clock; some are overdue
    measures = Measure.objects.all()
    assert {MS.PLANNED, MS.OPEN, MS.DONE} <= set(measures.values_list("status", flat=True))
    assert not measures.filter(status=MS.DONE, done_note="").exists()
    running = _running(Measure)
    for measure in measures.filter(status=MS.OPEN):
        assert measure.due_at == running[(measure.pk, "measure")]
    assert measures.filter(status=MS.OPEN, due_at__lt=now).exists()
    assert not measures.filter(plan__status__in=[PS.DONE, PS.SUPERSEDED]).exclude(status=MS.DONE).exists()
    # answers by phone (recorder) and by link (the link used, IP, browser); unsatisfied rounds with objections
    answers = CustomerAnswer.objects.all()
    assert answers.filter(method="phone", recorded_by__isnull=False).exists()
    for answer in answers.filter(method="link").select_related("link")[:10]:
        assert answer.link.used_at == answer.answered_at and answer.ip and answer.user_agent
        assert answer.link.purpose == "complaint_confirm" and answer.link.object_id == answer.complaint_id
    assert answers.filter(satisfied=False).exclude(objections="").exists()
    assert Complaint.objects.filter(round__gt=1).exists()
    assert SignedLink.objects.filter(purpose="complaint_confirm").count() == answers.filter(method="link").count()
    # closed ones: case reports and preventive measures (open and done)
    assert CaseReport.objects.filter(status="final").exists()
    assert not CaseReport.objects.exclude(complaint__status=CS.CLOSED).exists()
    assert {"open", "done"} <= set(PreventiveMeasure.objects.values_list("status", flat=True))
    running = _running(PreventiveMeasure)
    for measure in PreventiveMeasure.objects.filter(status="open"):
        assert measure.due_at == running[(measure.pk, "preventive")]
    assert not PreventiveMeasure.objects.filter(status="done", due_at__isnull=False).exists()


@pytest.mark.spec("PERF-1", "INBOX-1", "ORG-2")
def test_the_app_works_on_the_seeded_complaints(seeded, client):
    quality = User.objects.get(username="quality.001")
    busy = User.objects.get(pk=Measure.objects.filter(status=MS.OPEN).values("owner").annotate(n=Count("id"))
                            .order_by("-n").values_list("owner", flat=True)[0])
    assert any(i.module_code == "complaints" for i in registry.inbox_items(busy))
    complaint = Complaint.objects.filter(order__isnull=False).order_by("-received_at").first()
    for user in (quality, busy):
        client.force_login(user)
        assert client.get(reverse("inbox")).status_code == 200
        assert client.get(reverse("org:customer-detail", args=[complaint.customer_id])).status_code == 200
    client.force_login(quality)
    assert complaint.number in client.get(complaint.order.get_absolute_url()).content.decode()
    if complaint.get_absolute_url():
        assert client.get(complaint.get_absolute_url()).status_code == 200
