"""QC-2 / WF-1: the inspection lifecycle table, every (state, action, role).

The inspector named on the inspection is ``service_manager`` (customer service's manager doing a
peer inspection: his rights come from being named, not from a quality role). Start / complete:
the inspector and the quality department (and administrators); cancel: the quality manager.
"""
from __future__ import annotations

import pytest

from assessment.inspections.models import Finding
from qsm.errors import ValidationError
from qsm.workflow.engine import fire as engine_fire
from tests.assessment.lifecycle import check, fire, roles_of
from tests.builders.assessment import an_inspection, fresh

pytestmark = pytest.mark.django_db

WORKERS = ("service_manager", "quality", "quality_manager", "administrator")


def _table() -> dict:
    return {
        "start": (("planned",), "in_progress", WORKERS, fire("start")),
        "complete": (("in_progress",), "completed", WORKERS, fire("complete")),
        "cancel": (("planned", "in_progress"), "cancelled", ("quality_manager",), fire("cancel", comment="重复")),
    }


@pytest.mark.spec("QC-2", "WF-1")
@pytest.mark.parametrize("state", ["planned", "in_progress", "completed", "cancelled"])
def test_inspection_lifecycle_table(people, state):
    # in progress: every item judged, so that completing it is possible for whoever may
    inspection = an_inspection(state=state, inspector=people.service_manager, results=("pass", "fail", "na", "pass"),
                               people=people)
    assert inspection.status == state
    assert check(inspection, _table(), roles_of(people)) == []


@pytest.mark.spec("QC-2")
def test_an_inspection_completes_only_when_every_item_is_judged(people):
    inspection = an_inspection(state="in_progress", results=("pass", "fail"), people=people)
    with pytest.raises(ValidationError) as refused:
        engine_fire(inspection, "complete", actor=people.quality)
    assert "findings" in refused.value.message_dict
    assert fresh(inspection).status == "in_progress"
    Finding.objects.filter(inspection=inspection, result="pending").update(result="na", judged_at=inspection.created_at)
    done = engine_fire(fresh(inspection), "complete", actor=people.quality)
    assert (done.pass_count, done.fail_count, done.na_count) == (1, 1, 2)
    assert done.completed_at is not None


@pytest.mark.spec("QC-2")
def test_an_inspection_with_nothing_sampled_cannot_complete(people):
    inspection = an_inspection(state="in_progress", records=[], people=people)
    with pytest.raises(ValidationError) as refused:
        engine_fire(inspection, "complete", actor=people.quality)
    assert "samples" in refused.value.message_dict


@pytest.mark.spec("QC-2")
def test_cancelling_keeps_the_reason(people):
    inspection = an_inspection(people=people)
    cancelled = engine_fire(inspection, "cancel", actor=people.quality_manager, comment="样本期间有误")
    assert cancelled.cancel_reason == "样本期间有误"
