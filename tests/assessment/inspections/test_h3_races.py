"""REL-1 for QC-2, on two database connections: the inspection is the root of its findings, so a
judgement and the completion at the same moment never leave a completed inspection with an item
unjudged or with counts that differ from its findings; completing and cancelling at once is one
outcome."""
from __future__ import annotations

import pytest

from assessment.inspections import services
from assessment.inspections.models import Finding, Inspection
from qsm.errors import ValidationError
from tests.builders.assessment import an_inspection, cast, fresh, judge
from tests.concurrency.race import at_once

pytestmark = pytest.mark.django_db(transaction=True)
S = Inspection.Status
R = Finding.Result


@pytest.mark.spec("REL-1", "QC-2")
def test_judging_the_last_item_and_completing_at_once_stay_consistent():
    people = cast()
    inspection = an_inspection(people=people, state=S.IN_PROGRESS, sample_size=1)
    first, last = inspection.findings.order_by("item__position")
    judge(inspection, ("pass",), actor=people.quality)
    outcomes = at_once(
        lambda: services.finding_judge(finding=fresh(last), actor=people.quality, result=R.FAIL, comment="缺记录"),
        lambda: services.inspection_complete(inspection=fresh(inspection), actor=people.quality),
    )
    final = fresh(inspection)
    judged = fresh(last).result
    if final.status == S.COMPLETED:  # the judgement came first, then the completion counted it
        assert all(o.ok for o in outcomes) and judged == R.FAIL
        assert (final.pass_count, final.fail_count) == (1, 1)
    else:  # the completion came first and was refused: an item was still pending
        refused = [o.error for o in outcomes if not o.ok]
        assert final.status == S.IN_PROGRESS and judged == R.FAIL
        assert len(refused) == 1 and isinstance(refused[0], ValidationError)
    assert not Finding.objects.filter(inspection=inspection, result=R.PENDING).exists()


@pytest.mark.spec("REL-1", "QC-2")
def test_completing_and_cancelling_at_once_is_one_outcome():
    people = cast()
    inspection = an_inspection(people=people, state=S.IN_PROGRESS, sample_size=1)
    judge(inspection, ("pass", "na"), actor=people.quality)
    outcomes = at_once(
        lambda: services.inspection_complete(inspection=fresh(inspection), actor=people.quality),
        lambda: services.inspection_cancel(inspection=fresh(inspection), actor=people.quality_manager, reason="重复"),
    )
    assert sorted(o.ok for o in outcomes) == [False, True]
    final = fresh(inspection)
    assert final.status in (S.COMPLETED, S.CANCELLED)
    assert (final.completed_at is not None) == (final.status == S.COMPLETED)
