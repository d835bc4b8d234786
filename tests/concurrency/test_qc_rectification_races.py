"""REL-1 for QC-3, proven with two database connections: a plan decision locks the notice first, so
two managers deciding the same plan at the same moment make one decision; the other hears it was
already decided (TransitionNotAllowed: HTTP 409). And completion reported while the notice is being
cancelled is refused on the locked row."""
from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from assessment.rectification import services
from assessment.rectification.models import Notice, RectificationPlan
from qsm.errors import TransitionNotAllowed
from qsm.workflow.models import Event
from tests.builders.assessment import a_notice, a_plan, cast, evidence, fresh
from tests.concurrency.race import at_once, while_held

pytestmark = pytest.mark.django_db(transaction=True)
P = RectificationPlan.Status
N = Notice.Status


def _decisions(plan) -> int:
    ct = ContentType.objects.get_for_model(RectificationPlan)
    return Event.objects.filter(content_type=ct, object_id=plan.pk, action__in=("approve", "reject")).count()


@pytest.mark.spec("QC-3", "REL-1")
def test_two_managers_deciding_the_same_plan_at_once_make_one_decision():
    people = cast()
    for round_no in range(3):
        notice = a_notice(people=people, title=f"整改{round_no}")
        plan = a_plan(notice, state=P.SUBMITTED, people=people)
        outcomes = at_once(
            lambda pk=plan.pk: services.plan_approve(plan=RectificationPlan.objects.get(pk=pk), actor=people.manager),
            lambda pk=plan.pk: services.plan_reject(plan=RectificationPlan.objects.get(pk=pk),
                                         actor=people.quality_manager, reason="措施不足"),
        )
        ok = [o for o in outcomes if o.ok]
        refused = [o for o in outcomes if not o.ok]
        assert len(ok) == 1 and len(refused) == 1, [o.error for o in outcomes]
        assert isinstance(refused[0].error, TransitionNotAllowed) and refused[0].error.action == "decide"
        assert _decisions(plan) == 1
        decided = fresh(plan)
        assert decided.status in (P.APPROVED, P.REJECTED)
        assert fresh(notice).status == (N.RECTIFYING if decided.status == P.APPROVED else N.ISSUED)


@pytest.mark.spec("QC-3", "REL-1")
def test_the_second_decision_waiting_on_the_lock_sees_the_first():
    people = cast()
    notice = a_notice(people=people)
    plan = a_plan(notice, state=P.SUBMITTED, people=people)
    stale = RectificationPlan.objects.get(pk=plan.pk)
    one, two = while_held(
        lambda: services.plan_reject(plan=RectificationPlan.objects.get(pk=plan.pk), actor=people.manager,
                                     reason="原因分析不足"),
        lambda: services.plan_approve(plan=stale, actor=people.quality_manager),
    )
    assert one.ok, one.error
    assert isinstance(two.error, TransitionNotAllowed), two.error
    assert (two.error.action, two.error.state) == ("decide", P.REJECTED)  # "already decided: rejected"
    assert fresh(plan).status == P.REJECTED and fresh(notice).status == N.ISSUED


@pytest.mark.spec("QC-3", "REL-1")
def test_completion_reported_while_the_notice_is_cancelled_is_refused():
    people = cast()
    notice = a_notice(state=N.RECTIFYING, people=people)
    services.notice_attach(notice=notice, actor=people.member, upload=evidence())
    one, two = while_held(
        lambda: services.notice_cancel(notice=Notice.objects.get(pk=notice.pk), actor=people.quality_manager,
                                       reason="重复下发"),
        lambda: services.notice_report(notice=Notice.objects.get(pk=notice.pk), actor=people.member, note="已整改"),
    )
    assert one.ok and isinstance(two.error, TransitionNotAllowed), (one.error, two.error)
    assert fresh(notice).status == N.CANCELLED
