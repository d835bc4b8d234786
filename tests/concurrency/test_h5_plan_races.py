"""REL-1 for the special plan, proven with two database connections: every write of the plan and its
steps locks the case first, so the last two steps completed at the same moment complete the plan
exactly once (without the case lock each saw the other's step open and the plan stayed running for
ever), and a step reported done while the plan is being cancelled is refused.

(In tests/concurrency with the other two-connection tests: a transactional test without serialized
rollback that runs before the browser tests in one process breaks their restore of the content types.)"""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from aftersales.models import Case, PlanStep, SpecialPlan
from aftersales.services import plans
from qsm.errors import TransitionNotAllowed
from qsm.workflow.models import Event
from tests.builders.aftersales import case_build
from tests.concurrency.race import at_once, while_held

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 3


def _plan_events(plan: SpecialPlan, action: str) -> int:
    return Event.objects.filter(content_type=ContentType.objects.get_for_model(SpecialPlan), object_id=plan.pk,
                                action=action).count()


def _running_plan(*, owner, engineer, customer) -> SpecialPlan:
    case = case_build(actor=owner, state=Case.Status.SPECIAL, complex=True, customer=customer)
    plans.case_discussion_open(case=case, actor=owner, topic="研讨", users=[engineer])
    plan = plans.plan_create(case=case, actor=owner, title="专项方案", content="更换主轴")
    day = timezone.localdate() + dt.timedelta(days=3)
    plans.plan_step_add(plan=plan, actor=owner, description="拆检", owner=engineer, due_date=day)
    plans.plan_step_add(plan=plan, actor=owner, description="更换并复测", owner=owner, due_date=day)
    return plans.plan_start(plan=plan, actor=owner)


@pytest.mark.spec("REL-1", "AFS-2", "WF-1")
def test_the_last_two_steps_done_at_once_complete_the_plan_once(staff_user, production_user, customer):
    for round_no in range(ROUNDS):
        # given a running plan of two steps, each owned by another person
        plan = _running_plan(owner=staff_user, engineer=production_user, customer=customer)
        first, second = plan.steps.order_by("position")
        # when both owners report their step done at the same moment
        outcomes = at_once(
            lambda s=first: plans.plan_step_complete(step=PlanStep.objects.get(pk=s.pk), actor=production_user,
                                                     note="已拆检"),
            lambda s=second: plans.plan_step_complete(step=PlanStep.objects.get(pk=s.pk), actor=staff_user,
                                                      note="已更换并复测"),
        )
        # then both hold, and the plan is done exactly once (one timeline line, one notice)
        assert all(o.ok for o in outcomes), [o.error for o in outcomes]
        assert set(plan.steps.values_list("status", flat=True)) == {"done"}
        plan.refresh_from_db()
        assert plan.status == SpecialPlan.Status.DONE, f"round {round_no}: every step done, plan still {plan.status}"
        assert _plan_events(plan, "complete") == 1


@pytest.mark.spec("REL-1", "AFS-2", "WF-1")
def test_the_last_step_done_while_the_other_is_being_done_completes_the_plan(staff_user, production_user, customer):
    # the deterministic interleaving: the first "done" holds its locks, uncommitted, while the second
    # arrives; decided before the case's lock, the second saw the first step still open
    plan = _running_plan(owner=staff_user, engineer=production_user, customer=customer)
    first, second = plan.steps.order_by("position")

    one, two = while_held(
        lambda: plans.plan_step_complete(step=PlanStep.objects.get(pk=first.pk), actor=production_user, note="已拆检"),
        lambda: plans.plan_step_complete(step=PlanStep.objects.get(pk=second.pk), actor=staff_user, note="已更换"),
    )

    assert one.ok and two.ok, (one.error, two.error)
    plan.refresh_from_db()
    assert plan.status == SpecialPlan.Status.DONE and _plan_events(plan, "complete") == 1


@pytest.mark.spec("REL-1", "AFS-2")
def test_a_step_done_while_the_plan_is_cancelled_is_refused(staff_user, production_user, customer):
    # given a running plan whose engineer has the step open on the page
    plan = _running_plan(owner=staff_user, engineer=production_user, customer=customer)
    step = plan.steps.get(position=1)
    stale = PlanStep.objects.select_related("plan__case").get(pk=step.pk)

    # when the case owner cancels the plan while the engineer's "done" is on its way
    cancelled, done = while_held(
        lambda: plans.plan_cancel(plan=SpecialPlan.objects.get(pk=plan.pk), actor=staff_user, comment="客户改为退货"),
        lambda: plans.plan_step_complete(step=stale, actor=production_user, note="已拆检"),
    )

    # then the step is refused (409) and stays cancelled with the plan
    assert isinstance(done.error, TransitionNotAllowed), done.error
    step.refresh_from_db()
    assert step.status == PlanStep.Status.CANCELLED and step.done_note == ""
    assert _plan_events(plan, "cancel") == 1
