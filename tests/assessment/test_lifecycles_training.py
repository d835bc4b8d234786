"""QC-5 / WF-1: the training-plan and session lifecycle tables, every (state, action, role).

The plan belongs to sales and is owned by ``member``; its sessions are given by ``service_staff``
(a trainer from customer service). A plan is run by its owner, sales' manager and the quality
department; a session is held or cancelled by its trainer, the plan's owner and the quality
department (administrators too).
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qsm.errors import ValidationError
from qsm.workflow.engine import fire as engine_fire
from tests.assessment.lifecycle import check, fire, roles_of
from tests.builders.assessment import a_session, a_training_plan, fresh

pytestmark = pytest.mark.django_db

PLAN_RUNNERS = ("member", "manager", "quality", "quality_manager", "administrator")
SESSION_RUNNERS = ("service_staff", "member", "quality", "quality_manager", "administrator")


@pytest.mark.spec("QC-5", "WF-1")
@pytest.mark.parametrize("state", ["draft", "active", "closed"])
def test_training_plan_lifecycle_table(people, state):
    plan = a_training_plan(state=state, owner=people.member, people=people)
    table = {"activate": (("draft",), "active", PLAN_RUNNERS, fire("activate")),
             "close": (("active",), "closed", PLAN_RUNNERS, fire("close"))}
    assert check(plan, table, roles_of(people)) == []


@pytest.mark.spec("QC-5", "WF-1")
@pytest.mark.parametrize("state", ["scheduled", "held", "cancelled"])
def test_training_session_lifecycle_table(people, state):
    plan = a_training_plan(owner=people.member, people=people)
    started = timezone.now() - dt.timedelta(hours=1)
    session = a_session(plan=plan, state=state, trainer=people.service_staff, starts_at=started, people=people)
    table = {"hold": (("scheduled",), "held", SESSION_RUNNERS, fire("hold")),
             "cancel": (("scheduled",), "cancelled", SESSION_RUNNERS, fire("cancel", comment="改期"))}
    assert check(session, table, roles_of(people)) == []


@pytest.mark.spec("QC-5")
def test_a_session_is_held_only_once_it_has_started(people):
    session = a_session(people=people)  # in three days
    with pytest.raises(ValidationError):
        engine_fire(session, "hold", actor=people.quality)
    assert fresh(session).status == "scheduled"
