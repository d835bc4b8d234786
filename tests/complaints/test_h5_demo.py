"""DATA-1 (issue 10): the demo data has complaints in every state, written through the services and the
engine: one that took three plan versions, some closed unresolved by decision, overdue measures, answers
by phone and by link, case reports and preventive measures, the closings in the follow-up queue."""
from __future__ import annotations

import datetime as dt
import importlib.util
import io

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone

from complaints.models import CaseReport, Complaint, CustomerAnswer, HandlingPlan, Measure, PreventiveMeasure
from qsm.contacts.models import ContactEntry
from qsm.followup.models import FollowUp
from qsm.links.registry import purpose_for
from qsm.workflow.models import Event

CS, PS, MS = Complaint.Status, HandlingPlan.Status, Measure.Status


def assert_complaints_in_every_state(now: dt.datetime) -> None:
    complaints = Complaint.objects.all()
    assert set(complaints.values_list("status", flat=True)) == set(CS.values)
    assert not complaints.filter(received_at__gt=now).exists()
    assert complaints.filter(source_visit__isnull=False).exists() or complaints.filter(source_case__isnull=False) \
        .exists() or complaints.filter(order__isnull=False).exists()
    # CMP-1: each acknowledged with its promised reply time; replies recorded (met or late)
    assert not complaints.filter(promised_reply_at__isnull=True).exists()
    assert complaints.filter(replied_at__isnull=False).exists()
    acknowledged = ContactEntry.objects.filter(complaint__isnull=False).values_list("object_id", flat=True)
    assert set(complaints.values_list("pk", flat=True)) <= set(acknowledged)
    # CMP-2: investigated ones have their cause, whys and responsibility
    for complaint in complaints.filter(status__in=[CS.PLANNING, CS.EXECUTING, CS.CONFIRMING, CS.CLOSED]):
        assert complaint.cause_id and complaint.responsible_department_id and complaint.responsible_person_id
        assert complaint.whys or complaint.root_cause
    # CMP-3: plans rejected with a reason and revised, one complaint with three versions, approvers not authors
    plans = HandlingPlan.objects.all()
    assert plans.aggregate(v=Max("version"))["v"] >= 3
    assert plans.filter(status=PS.REJECTED).exclude(decision_reason="").exists()
    assert plans.filter(status=PS.SUPERSEDED).exists()
    for plan in plans.filter(decided_by__isnull=False):
        assert plan.decided_by_id != plan.author_id
    # measures done with notes, and open ones past their due date (overdue)
    measures = Measure.objects.all()
    assert not measures.filter(status=MS.DONE, done_note="").exists() and measures.filter(status=MS.DONE).exists()
    assert measures.filter(status=MS.OPEN, due_date__lt=timezone.localdate(now)).exists()
    # CMP-4: answers by phone and by link; an unsatisfied round with objections; closed unresolved by decision
    answers = CustomerAnswer.objects.all()
    assert answers.filter(method="phone").exists()
    if purpose_for("complaint_confirm") is not None:  # the customer's confirmation page is installed
        assert answers.filter(method="link", ip__isnull=False, link__used_at__isnull=False).exists()
    assert answers.filter(satisfied=False).exclude(objections="").exists()
    unresolved = complaints.filter(status=CS.CLOSED_UNRESOLVED)
    assert unresolved.exists() and not unresolved.filter(close_decision_reason="").exists()
    # CMP-5: case reports and preventive measures; closings in the follow-up queue
    if importlib.util.find_spec("complaints.services.reports") is not None:  # the case report's service
        assert CaseReport.objects.filter(status="final").exists()
    assert PreventiveMeasure.objects.filter(status="done").exists()
    assert PreventiveMeasure.objects.filter(status="open").exists()
    closed = complaints.filter(status__in=[CS.CLOSED, CS.CLOSED_UNRESOLVED])
    assert FollowUp.objects.filter(reason="complaint_closed").count() == closed.count()
    # through the engine: each complaint's timeline ends in its current state
    for complaint in complaints:
        last = Event.objects.filter(object_id=complaint.pk, content_type__model="complaint",
                                    kind__in=[Event.Kind.CREATED, Event.Kind.TRANSITION]).order_by("-created_at",
                                                                                                   "-id")[0]
        assert last.to_state == complaint.status, complaint.number


def assert_complaints_in_working_hours(now: dt.datetime) -> None:
    """DATA-1, issue 7: every moment the complaints stamp falls in working hours on a working day, and none
    is in the future."""
    from qsm.sla.calendar import WorkingTime, default_calendar

    working = WorkingTime.load(default_calendar(), timezone.localdate())
    stamped = {Complaint: ("received_at", "replied_at", "investigated_at", "closed_at", "created_at"),
               HandlingPlan: ("submitted_at", "decided_at", "created_at"), Measure: ("done_at",),
               CustomerAnswer: ("answered_at",), PreventiveMeasure: ("done_at", "created_at")}
    outside, checked = [], 0
    for model, names in stamped.items():
        for name in names:
            for pk, moment in model.objects.exclude(**{name: None}).values_list("pk", name):
                checked += 1
                local = timezone.localtime(moment)
                assert moment <= now, f"{model.__name__}.{name} #{pk} in the future"
                if not any(a <= local <= b for a, b in working.intervals(local.date())):
                    outside.append(f"{model.__name__}.{name} #{pk}: {local:%Y-%m-%d %a %H:%M}")
    assert checked > 50
    assert not outside, f"{len(outside)} moments outside working hours, e.g. " + "; ".join(outside[:8])


@pytest.mark.spec("DATA-1", "CMP-1", "CMP-3", "CMP-4", "CMP-5")
def test_the_small_demo_has_complaints_in_every_state(db):
    call_command("load_demo_data", "--small", "--seed", "7", stdout=io.StringIO())

    now = timezone.now()
    assert_complaints_in_every_state(now)
    assert_complaints_in_working_hours(now)
    assert Complaint.objects.count() < 15
    # the subjects differ (issue 7), and the complaints are spread over the year
    subjects = list(Complaint.objects.values_list("subject", flat=True))
    assert len(set(subjects)) >= len(subjects) * 0.6
    assert Complaint.objects.dates("received_at", "month").count() >= 4
