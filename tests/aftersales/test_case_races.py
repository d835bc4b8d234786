"""REL-1: two people acting on one case at the same moment, on two database connections: exactly one
wins, one timeline line, one follow-up request, one reopening counted."""
from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from aftersales.models import Case
from aftersales.services import cases as services
from qsm.errors import TransitionNotAllowed
from qsm.followup.models import FollowUp
from qsm.workflow.models import Event
from tests.aftersales.cases_support import case_in, diagnosed
from tests.concurrency.race import at_once, while_held

S = Case.Status
pytestmark = pytest.mark.django_db(transaction=True)


def _fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


def _lines(case, action: str) -> int:
    return Event.objects.filter(content_type=ContentType.objects.get_for_model(Case), object_id=case.pk,
                                action=action).count()


@pytest.mark.spec("REL-1", "AFS-2")
def test_two_resolves_at_once_resolve_once(staff_user, colleague, customer):
    case = diagnosed(case_in(S.IN_PROGRESS, actor=staff_user, customer=customer), staff_user)
    outcomes = at_once(lambda: services.case_resolve(case=_fresh(case), actor=staff_user),
                       lambda: services.case_resolve(case=_fresh(case), actor=colleague))
    assert sorted(o.ok for o in outcomes) == [False, True]
    assert isinstance(next(o.error for o in outcomes if not o.ok), TransitionNotAllowed)
    assert _fresh(case).status == S.RESOLVED and _lines(case, "resolve") == 1
    assert FollowUp.objects.filter(object_id=case.pk, reason="case_resolved").count() == 1


@pytest.mark.spec("REL-1", "AFS-2")
def test_two_reopens_at_once_count_one(staff_user, colleague, customer):
    case = case_in(S.RESOLVED, actor=staff_user, customer=customer)
    outcomes = at_once(lambda: services.case_reopen(case=_fresh(case), actor=staff_user, comment="又响了"),
                       lambda: services.case_reopen(case=_fresh(case), actor=colleague, comment="客户来电"))
    assert sorted(o.ok for o in outcomes) == [False, True]
    fresh = _fresh(case)
    assert fresh.status == S.IN_PROGRESS and fresh.reopen_count == 1 and _lines(case, "reopen") == 1


@pytest.mark.spec("REL-1", "AFS-2")
def test_a_diagnosis_racing_the_resolve_is_refused_not_written_after_it(staff_user, colleague, customer):
    case = diagnosed(case_in(S.IN_PROGRESS, actor=staff_user, customer=customer), staff_user)
    stale = _fresh(case)
    resolved, edited = while_held(
        lambda: services.case_resolve(case=_fresh(case), actor=staff_user),
        lambda: services.case_diagnose(case=stale, actor=colleague, solution="改为整机更换"),
    )
    assert isinstance(edited.error, TransitionNotAllowed), edited.error
    fresh = _fresh(case)
    assert fresh.status == S.RESOLVED and fresh.solution == "更换轴承并调整润滑周期"


@pytest.mark.spec("REL-1", "AFS-1")
def test_a_reroute_racing_the_close_is_refused(staff_user, colleague, customer):
    case = case_in(S.RESOLVED, actor=staff_user, customer=customer)
    case = services.case_reopen(case=case, actor=staff_user, comment="再看看")
    case = services.case_resolve(case=case, actor=staff_user)
    stale = _fresh(case)
    closed, rerouted = while_held(
        lambda: services.case_close(case=_fresh(case), actor=staff_user),
        lambda: services.case_reroute(case=stale, actor=staff_user, owner=colleague, reason="交给同事"),
    )
    assert isinstance(rerouted.error, TransitionNotAllowed), rerouted.error
    assert _fresh(case).owner == staff_user


@pytest.mark.spec("REL-1", "AFS-2")
def test_reopen_and_close_at_once_exactly_one_wins(staff_user, colleague, customer):
    case = case_in(S.RESOLVED, actor=staff_user, customer=customer)
    outcomes = at_once(lambda: services.case_reopen(case=_fresh(case), actor=staff_user, comment="又响了"),
                       lambda: services.case_close(case=_fresh(case), actor=colleague))
    assert sorted(o.ok for o in outcomes) == [False, True]
    fresh = _fresh(case)
    assert (fresh.status, fresh.reopen_count) in ((S.IN_PROGRESS, 1), (S.CLOSED, 0))
    assert _lines(case, "reopen") + _lines(case, "close") == 1
