"""CMP-4/CMP-5 on the record page: the confirmation section shows every round, plan version and
answer; the phone form and the link only to those who may ask; the report section once closed."""
from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from complaints.models import Complaint
from complaints.sections import page_sections
from tests.builders.complaints import complaint_in

C = Complaint.Status


def _render(complaint, user) -> dict[str, str]:
    request = RequestFactory().get("/")
    request.user = user
    shown = page_sections(complaint, user)
    context = {"complaint": complaint}
    for section in shown:  # as the record page does: one context for all sections
        context.update(section["context"])
    return {s["key"]: render_to_string(s["template"], context, request=request) for s in shown}


@pytest.mark.spec("CMP-4")
def test_every_round_version_and_answer_is_shown(people):
    complaint = complaint_in(C.CLOSED, round=2)
    html = _render(complaint, people.investigator)["confirmation"]
    assert html.count('data-round="') == 2
    assert 'data-plan-version="1"' in html and 'data-plan-version="2"' in html
    assert html.count("answer-badge") == 2 and "answer-objections" in html  # round 1: not satisfied, why
    assert 'id="answer-form"' not in html  # closed: nothing to ask


@pytest.mark.spec("CMP-4")
def test_the_phone_answer_and_the_link_are_offered_to_those_who_may_ask(people):
    complaint = complaint_in(C.CONFIRMING)
    asking = _render(complaint, people.investigator)["confirmation"]
    assert 'id="answer-form"' in asking and 'id="confirm-link-form"' in asking
    responsible = _render(complaint, people.responsible)
    assert 'id="answer-form"' not in responsible.get("confirmation", "")


@pytest.mark.spec("CMP-5")
def test_the_report_section_appears_once_closed_and_costs_the_same_with_more_rows(people,
                                                                                  django_assert_num_queries):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from complaints.services.core import preventive_add

    assert "report" not in _render(complaint_in(C.CONFIRMING), people.investigator)
    complaint = complaint_in(C.CLOSED)

    def add(n):
        for i in range(n):
            preventive_add(complaint=complaint, actor=people.investigator, description=f"预防措施 {i}",
                           owner=people.responsible, due_date=timezone.localdate() + dt.timedelta(days=10 + i))

    add(1)
    with CaptureQueriesContext(connection) as one:
        html = _render(complaint, people.investigator)["report"]
    assert 'id="preventive-form"' in html and html.count("data-preventive=") == 1
    add(5)
    with django_assert_num_queries(len(one.captured_queries)):
        html = _render(complaint, people.investigator)["report"]
    assert html.count("data-preventive=") == 6
