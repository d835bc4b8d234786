"""The builders reach every state of every complaint lifecycle through the services (the other
tests of the module rely on them)."""
from __future__ import annotations

import pytest

from complaints.models import Complaint, CustomerAnswer, HandlingPlan, Measure, PreventiveMeasure
from tests.builders import complaints as b

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("state", Complaint.Status.values)
def test_complaint_in_every_state(people, state):
    complaint = b.complaint_in(state)
    assert Complaint.objects.get(pk=complaint.pk).status == state


def test_planning_at_round_two_has_plan_version_two_in_draft(people):
    complaint = b.complaint_in("planning", round=2)
    assert (complaint.status, complaint.round, complaint.plan_version) == ("planning", 2, 2)
    plans = list(complaint.plans.order_by("version").values_list("version", "round", "status"))
    assert plans == [(1, 1, "superseded"), (2, 2, "draft")]
    assert complaint.plans.get(version=2).customer_objections == b.OBJECTIONS
    answer = CustomerAnswer.objects.get(complaint=complaint)
    assert (answer.round, answer.satisfied, answer.method) == (1, False, "phone")


@pytest.mark.parametrize("state", HandlingPlan.Status.values)
def test_plan_in_every_state(people, state):
    assert HandlingPlan.objects.get(pk=b.plan_in(state).pk).status == state


@pytest.mark.parametrize("state", Measure.Status.values)
def test_measure_in_every_state(people, state):
    assert Measure.objects.get(pk=b.measure_in(state).pk).status == state


@pytest.mark.parametrize("state", PreventiveMeasure.Status.values)
def test_preventive_in_every_state(people, state):
    assert PreventiveMeasure.objects.get(pk=b.preventive_in(state).pk).status == state
