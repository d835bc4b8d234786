"""SEC-1 / API-2 for the quality-control API: the length a text field publishes in the schema is the
one the API enforces, and a text one character longer, or with a NUL or another control character,
is a 400 naming that field with nothing stored (a notice, a plan, a completion report, a judgement).
"""
from __future__ import annotations

import pytest

from assessment.inspections.models import Finding, Inspection
from assessment.rectification.models import Notice, RectificationPlan
from qsm.workflow.models import Attachment
from tests.api.openapi import ContractClient, schema
from tests.builders.assessment import a_notice, an_inspection, evidence, fresh, in_days

pytestmark = pytest.mark.django_db
BASE = "/api/quality/"
HOSTILE_CHARACTERS = ["a\x00b", "a\x01b", "a\x1bb"]


def api(user) -> ContractClient:
    client = ContractClient()
    client.force_login(user)
    return client


def max_length(component: str, field: str) -> int:
    return schema()["components"]["schemas"][component]["properties"][field]["maxLength"]


def hostile(component: str, field: str) -> list[str]:
    """One character past the published limit, and text with control characters."""
    return ["长" * (max_length(component, field) + 1), *HOSTILE_CHARACTERS]


@pytest.mark.spec("SEC-1", "API-2")
def test_the_published_limits_are_the_services():
    # the notice's title is one line (the service: 200); the rest is multi-line text (5,000)
    assert max_length("RectificationNoticeCreateRequest", "title") == 200
    for component, field in [("RectificationNoticeCreateRequest", "requirement"),
                             ("RectificationPlanCreateRequest", "cause"),
                             ("RectificationMeasureInputRequest", "description"),
                             ("RectificationReportRequest", "note"), ("JudgeRequest", "comment")]:
        assert max_length(component, field) == 5000, (component, field)


@pytest.mark.spec("SEC-1", "API-2")
@pytest.mark.parametrize("field", ["title", "requirement"])
def test_a_notice_with_hostile_text_is_a_400_and_not_issued(people, field):
    client = api(people.quality)
    good = {"department": people.department.pk, "title": "受理记录缺项", "requirement": "补录",
            "deadline": str(in_days(7))}
    before = Notice.objects.count()
    for value in hostile("RectificationNoticeCreateRequest", field):
        r = client.post(f"{BASE}notices/", {**good, field: value}, format="json")
        assert r.status_code == 400 and field in r.json(), (value[:5], r.content[:300])
    if field == "title":  # one line: a line break is refused too
        r = client.post(f"{BASE}notices/", {**good, "title": "第一行\n第二行"}, format="json")
        assert r.status_code == 400 and "title" in r.json()
    assert Notice.objects.count() == before
    # the limit itself is accepted
    r = client.post(f"{BASE}notices/", {**good, field: "长" * max_length("RectificationNoticeCreateRequest", field)},
                    format="json")
    assert r.status_code == 201, r.content[:300]


@pytest.mark.spec("SEC-1", "API-2")
def test_a_plan_with_hostile_text_is_a_400_and_not_proposed(people):
    notice = a_notice(people=people)
    client = api(people.member)
    measure = {"description": "增加复核", "owner": people.member.pk, "due_on": str(in_days(3))}
    for value in hostile("RectificationPlanCreateRequest", "cause"):
        r = client.post(f"{BASE}notices/{notice.pk}/plans/", {"cause": value, "measures": [measure]}, format="json")
        assert r.status_code == 400 and "cause" in r.json(), (value[:5], r.content[:300])
    for value in hostile("RectificationMeasureInputRequest", "description"):
        r = client.post(f"{BASE}notices/{notice.pk}/plans/",
                        {"cause": "缺少复核", "measures": [{**measure, "description": value}]}, format="json")
        assert r.status_code == 400 and "measures" in r.json(), (value[:5], r.content[:300])
    assert not RectificationPlan.objects.filter(notice=notice).exists()


@pytest.mark.spec("SEC-1", "API-2")
def test_a_completion_report_with_hostile_text_is_a_400_and_not_reported(people):
    notice = a_notice(state=Notice.Status.RECTIFYING, people=people)
    client = api(people.member)
    attachments = Attachment.objects.count()
    for value in hostile("RectificationReportRequest", "note"):
        r = client.post(f"{BASE}notices/{notice.pk}/report/", {"note": value, "evidence": evidence()},
                        format="multipart")
        assert r.status_code == 400 and "note" in r.json(), (value[:5], r.content[:300])
    notice = fresh(notice)
    assert notice.status == Notice.Status.RECTIFYING and notice.completion_note == ""
    assert Attachment.objects.count() == attachments


@pytest.mark.spec("SEC-1", "API-2")
def test_a_judgement_with_hostile_text_is_a_400_and_not_judged(people):
    inspection = an_inspection(people=people, sample_size=1, state=Inspection.Status.IN_PROGRESS)
    finding = inspection.findings.first()
    client = api(people.quality)
    for value in hostile("JudgeRequest", "comment"):
        r = client.post(f"{BASE}findings/{finding.pk}/judge/", {"result": "fail", "comment": value}, format="json")
        assert r.status_code == 400 and "comment" in r.json(), (value[:5], r.content[:300])
    finding = fresh(finding)
    assert finding.result == Finding.Result.PENDING and finding.comment == ""
