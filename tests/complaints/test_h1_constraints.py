"""The database holds the complaint's rules even against a write that skips the services (a data
fix, a bug): at most five whys, a closed complaint has its time, closing unresolved has its reason,
one live plan per complaint, unique versions and rounds, done measures say what was done, an
unsatisfied answer has objections, a phone answer has its caller."""
from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from complaints.models import Complaint, CustomerAnswer, HandlingPlan, Measure
from tests.builders import complaints as b

pytestmark = [pytest.mark.django_db, pytest.mark.spec("CMP-2", "CMP-3", "CMP-4")]


def _refused(queryset, **values) -> bool:
    try:
        with transaction.atomic():
            queryset.update(**values)
    except IntegrityError:
        return True
    except Exception as e:  # noqa: BLE001 - a scalar why-chain is a DataError: refused all the same
        return type(e).__name__ == "DataError"
    return False


def test_complaint_rows_refuse_what_the_services_refuse(people):
    complaint = b.complaint_in("planning", plan="draft")
    rows = Complaint.objects.filter(pk=complaint.pk)
    assert _refused(rows, whys=["1", "2", "3", "4", "5", "6"])
    assert _refused(rows, whys="not a list")
    assert not _refused(rows, whys=["1", "2", "3", "4", "5"])
    assert _refused(rows, status="closed", closed_at=None)
    assert _refused(rows, status="closed_unresolved", closed_at=timezone.now(), close_decision_reason="")
    assert _refused(rows, round=0)
    assert _refused(rows, replied_at=timezone.now(), reply="")


def test_plan_measure_and_answer_rows_refuse_what_the_services_refuse(people):
    complaint = b.complaint_in("confirming")
    plan = complaint.current_plan()
    assert _refused(HandlingPlan.objects.filter(pk=plan.pk), version=0)
    assert _refused(HandlingPlan.objects.filter(pk=plan.pk), status="rejected", decision_reason="")
    measure = plan.measures.first()
    assert _refused(Measure.objects.filter(pk=measure.pk), done_note="")
    assert _refused(Measure.objects.filter(pk=measure.pk), position=plan.measures.last().position)
    with pytest.raises(IntegrityError), transaction.atomic():  # a second live plan
        HandlingPlan.objects.create(complaint=complaint, version=2, round=1, summary="x", author=people.investigator,
                                    status="draft")
        HandlingPlan.objects.create(complaint=complaint, version=3, round=1, summary="y", author=people.investigator,
                                    status="submitted")
    answer = dict(complaint=complaint, round=1, plan=plan, answered_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerAnswer.objects.create(method="link", satisfied=False, objections="", **answer)
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerAnswer.objects.create(method="phone", satisfied=True, recorded_by=None, **answer)
    CustomerAnswer.objects.create(method="phone", satisfied=True, recorded_by=people.investigator, **answer)
    with pytest.raises(IntegrityError), transaction.atomic():  # one answer per round
        CustomerAnswer.objects.create(method="phone", satisfied=True, recorded_by=people.quality, **answer)
