"""VIS-1 API: questionnaires and versions under /api/aftersales/questionnaires/ (quality department)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from aftersales.models import Question, Questionnaire, QuestionnaireVersion, Visit
from aftersales.services import questionnaires as services
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
BASE = "/api/aftersales/questionnaires/"
QUESTIONS = [{"position": 1, "text": "总体满意度", "kind": "scale"},
             {"position": 2, "text": "问题是否已解决？", "kind": "choice", "choices": ["是", "否"]},
             {"position": 3, "text": "建议", "kind": "text", "required": False}]


@pytest.fixture
def questionnaire():
    return Questionnaire.objects.get(code="case-resolved")


@pytest.mark.spec("VIS-1", "API-1")
def test_list_and_detail(api, quality_officer, questionnaire):
    client = api(quality_officer)
    listing = client.get(BASE)
    assert listing.status_code == 200
    row = next(r for r in listing.json()["results"] if r["code"] == "case-resolved")
    assert row["current_version"] == 1

    detail = client.get(f"{BASE}{questionnaire.pk}/").json()
    assert [v["version"] for v in detail["versions"]] == [1]
    version = detail["versions"][0]
    assert version["current"] is True and version["in_use"] is False
    assert [q["kind"] for q in version["questions"]] == ["scale", "scale", "choice"]
    assert client.get(f"{BASE}999999/").status_code == 404


@pytest.mark.spec("VIS-1", "API-1")
def test_post_a_new_version_published_or_draft(api, quality_officer, questionnaire):
    client = api(quality_officer)
    response = client.post(f"{BASE}{questionnaire.pk}/versions/", {"questions": QUESTIONS}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["version"] == 2 and body["current"] is True
    assert [q["text"] for q in body["questions"]] == ["总体满意度", "问题是否已解决？", "建议"]
    assert body["questions"][2]["required"] is False

    draft = client.post(f"{BASE}{questionnaire.pk}/versions/", {"questions": QUESTIONS[:1], "publish": False},
                        format="json").json()
    assert draft["version"] == 3 and draft["current"] is False and draft["published_at"] is None
    published = client.post(f"{BASE}{questionnaire.pk}/versions/3/publish/", format="json")
    assert published.status_code == 200 and published.json()["current"] is True
    assert client.post(f"{BASE}{questionnaire.pk}/versions/3/publish/", format="json").status_code == 409


@pytest.mark.spec("VIS-1", "API-1")
def test_put_edits_in_place_or_makes_the_next_version_when_used(api, quality_officer, questionnaire,
                                                                business_department):
    client = api(quality_officer)
    v1 = services.version_current(questionnaire)
    response = client.put(f"{BASE}{questionnaire.pk}/versions/1/", {"questions": QUESTIONS}, format="json")
    assert response.status_code == 200 and response.json()["created"] is False
    texts = list(Question.objects.filter(version=v1).order_by("position").values_list("text", flat=True))
    assert texts == ["总体满意度", "问题是否已解决？", "建议"]

    customer = CustomerFactory()
    visit = Visit.objects.create(
        number="HF-T-1", content_type=ContentType.objects.get_for_model(customer), object_id=customer.pk,
        reason="case_resolved", customer=customer, department=business_department,
        planned_for=timezone.localdate() + dt.timedelta(days=2), questionnaire_version=v1)
    response = client.put(f"{BASE}{questionnaire.pk}/versions/1/", {"questions": QUESTIONS[:2]}, format="json")
    assert response.status_code == 201
    assert response.json()["created"] is True and response.json()["version"]["version"] == 2
    assert list(Question.objects.filter(version=v1).order_by("position").values_list("text", flat=True)) == texts
    visit.refresh_from_db()
    assert visit.questionnaire_version_id == v1.pk
    assert client.get(f"{BASE}{questionnaire.pk}/").json()["versions"][1]["in_use"] is True


@pytest.mark.spec("VIS-1", "API-1")
@pytest.mark.parametrize("questions, field", [
    ([{"position": 1, "text": "选一个", "kind": "choice", "choices": []}], "questions.0.choices"),
    ([{"position": 1, "text": "", "kind": "scale"}], "questions.0.text"),
    ([{"position": 1, "text": "a", "kind": "scale"}, {"position": 1, "text": "b", "kind": "text"}],
     "questions.1.position"),
    ([], "questions"),
])
def test_bad_input_is_400_with_field_errors_and_nothing_saved(api, quality_officer, questionnaire, questions, field):
    client = api(quality_officer)
    before = Question.objects.count()
    for response in (client.post(f"{BASE}{questionnaire.pk}/versions/", {"questions": questions}, format="json"),
                     client.put(f"{BASE}{questionnaire.pk}/versions/1/", {"questions": questions}, format="json")):
        assert response.status_code == 400
        fields = {e["field"] for e in response.json()["errors"]}
        assert any(f == field or f.startswith(field) for f in fields), fields
    assert Question.objects.count() == before
    assert QuestionnaireVersion.objects.filter(questionnaire=questionnaire).count() == 1


@pytest.mark.spec("VIS-1", "API-1")
def test_other_departments_get_403(api, staff_user, manager, questionnaire):
    for user in (staff_user, manager):
        client = api(user)
        assert client.get(BASE).status_code == 403
        assert client.get(f"{BASE}{questionnaire.pk}/").status_code == 403
        assert client.post(f"{BASE}{questionnaire.pk}/versions/", {"questions": QUESTIONS},
                           format="json").status_code == 403
    assert api().get(BASE).status_code in (401, 403)
    assert QuestionnaireVersion.objects.filter(questionnaire=questionnaire).count() == 1


@pytest.mark.spec("VIS-1", "PERF-1")
def test_list_and_detail_cost_the_same_queries_for_few_and_many(api, quality_officer, questionnaire):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(quality_officer)
    client.get(BASE)
    counts = []
    for extra in (2, 20):
        for i in range(extra):
            q = Questionnaire.objects.create(name=f"问卷{extra}-{i}", code=f"extra-{extra}-{i}")
            services.version_create(questionnaire=q, actor=quality_officer, questions=QUESTIONS)
            services.version_create(questionnaire=questionnaire, actor=quality_officer, questions=QUESTIONS,
                                    publish=False)
        with CaptureQueriesContext(connection) as listing:
            assert client.get(BASE).status_code == 200
        with CaptureQueriesContext(connection) as detail:
            assert client.get(f"{BASE}{questionnaire.pk}/").status_code == 200
        counts.append((len(listing), len(detail)))
    assert counts[0] == counts[1], counts
