"""CMP-4 / REL-1: the customer answers through the link while the caller records the phone answer,
on two database connections: exactly one answer, the complaint moves on once."""
from __future__ import annotations

import pytest
from django.test import Client

from complaints.models import CustomerAnswer
from complaints.services.confirmation import complaint_answer_record, complaint_link_issue
from qsm.followup.models import FollowUp
from tests.complaints.h4_support import C, confirming, fresh
from tests.concurrency.race import at_once

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.spec("CMP-4", "REL-1")
def test_a_link_answer_and_a_phone_answer_at_once_record_one(people):
    complaint = confirming()
    _link, url = complaint_link_issue(complaint=complaint, actor=people.investigator)

    def by_link():
        return Client(REMOTE_ADDR="198.51.100.7").post(url, {"satisfied": "yes"}).status_code

    def by_phone():
        return complaint_answer_record(complaint=fresh(complaint), actor=people.investigator, satisfied=False,
                                       objections="电话：不满意")

    outcomes = at_once(by_link, by_phone)
    answers = list(CustomerAnswer.objects.filter(complaint=complaint))
    assert len(answers) == 1
    done = fresh(complaint)
    if answers[0].method == CustomerAnswer.Method.LINK:
        assert done.status == C.CLOSED and outcomes[1].error is not None
        assert FollowUp.objects.filter(object_id=complaint.pk, reason="complaint_closed").count() == 1
    else:
        assert done.status == C.PLANNING and done.round == 2 and outcomes[0].value in (404, 410)
