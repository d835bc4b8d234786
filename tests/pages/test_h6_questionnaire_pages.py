"""VIS-1 pages: the quality department lists questionnaires and edits a version's questions."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from aftersales.models import Question, Questionnaire, QuestionnaireVersion, Visit
from aftersales.services import questionnaires as services
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire():
    return Questionnaire.objects.get(code="case-resolved")  # reference data: version 1, three questions


def page_url(q, version=1) -> str:
    return reverse("aftersales:questionnaire-version", args=[q.pk, version])


def rows_post(questions, note="") -> dict:
    data = {"note": note}
    for i, q in enumerate(questions):
        data |= {f"q_position_{i}": str(q.get("position", "")), f"q_text_{i}": q.get("text", ""),
                 f"q_kind_{i}": q.get("kind", "scale"), f"q_choices_{i}": "\n".join(q.get("choices", []))}
        if q.get("required", True):
            data[f"q_required_{i}"] = "on"
        if q.get("remove"):
            data[f"q_remove_{i}"] = "on"
    return data


def current_rows(version) -> list[dict]:
    return [{"position": q.position, "text": q.text, "kind": q.kind, "choices": q.choices, "required": q.required}
            for q in Question.objects.filter(version=version).order_by("position")]


def used_by_a_visit(version, department) -> Visit:
    customer = CustomerFactory()
    return Visit.objects.create(
        number="HF-T-1", content_type=ContentType.objects.get_for_model(customer), object_id=customer.pk,
        reason="case_resolved", customer=customer, department=department,
        planned_for=timezone.localdate() + dt.timedelta(days=2), questionnaire_version=version)


@pytest.mark.spec("VIS-1")
def test_the_list_shows_questionnaires_versions_and_the_current_one(login, quality_officer, questionnaire):
    response = login(quality_officer).get(reverse("aftersales:questionnaire-list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "售后服务回访问卷" in html and "订单验收回访问卷" in html
    assert page_url(questionnaire) in html
    # the quality department finds it in its menu; nobody else sees the entry
    assert 'id="questionnaires-link"' in html


@pytest.mark.spec("VIS-1")
def test_other_departments_are_refused_and_unknown_versions_are_404(login, staff_user, manager, questionnaire,
                                                                     quality_officer):
    for user in (staff_user, manager):
        client = login(user)
        assert client.get(reverse("aftersales:questionnaire-list")).status_code == 403
        assert client.get(page_url(questionnaire)).status_code == 403
        assert client.post(page_url(questionnaire), rows_post([])).status_code == 403
        assert 'id="questionnaires-link"' not in client.get(reverse("inbox")).content.decode()
    assert login(quality_officer).get(page_url(questionnaire, 99)).status_code == 404


@pytest.mark.spec("VIS-1")
def test_reorder_remove_and_add_questions_of_an_unused_version_in_place(login, quality_officer, questionnaire):
    v1 = services.version_current(questionnaire)
    rows = current_rows(v1)
    rows[0]["position"], rows[1]["position"] = rows[1]["position"], rows[0]["position"]  # swap the first two
    rows[2]["remove"] = True  # the choice "was the problem solved?"
    rows.append({"position": "", "text": "是否愿意推荐我们？", "kind": "choice", "choices": ["愿意", "不愿意"]})
    client = login(quality_officer)

    page = client.get(page_url(questionnaire))
    assert page.status_code == 200 and "服务人员态度" in page.content.decode()
    response = client.post(page_url(questionnaire), rows_post(rows))

    assert response.status_code == 302 and response["Location"] == page_url(questionnaire, 1)
    assert QuestionnaireVersion.objects.filter(questionnaire=questionnaire).count() == 1
    saved = current_rows(v1)
    assert [r["text"] for r in saved] == ["服务人员态度（1–5 分）", "处理及时性（1–5 分）", "是否愿意推荐我们？"]
    assert saved[-1]["choices"] == ["愿意", "不愿意"] and saved[-1]["kind"] == "choice"


@pytest.mark.spec("VIS-1")
def test_saving_a_version_a_visit_used_makes_the_next_version(login, quality_officer, questionnaire,
                                                              business_department):
    v1 = services.version_current(questionnaire)
    visit = used_by_a_visit(v1, business_department)
    rows = current_rows(v1)
    rows[0]["text"] = "您对本次售后服务的总体评价"
    client = login(quality_officer)
    assert "version-in-use" in client.get(page_url(questionnaire)).content.decode()

    response = client.post(page_url(questionnaire), rows_post(rows, note="措辞调整"))

    assert response.status_code == 302 and response["Location"] == page_url(questionnaire, 2)
    v2 = QuestionnaireVersion.objects.get(questionnaire=questionnaire, version=2)
    assert v2.published_at is not None and v2.note == "措辞调整"
    assert services.version_current(questionnaire) == v2
    assert current_rows(v2)[0]["text"] == "您对本次售后服务的总体评价"
    assert current_rows(v1)[0]["text"] == "处理及时性（1–5 分）"  # the visit's version is as it was asked
    visit.refresh_from_db()
    assert visit.questionnaire_version_id == v1.pk


@pytest.mark.spec("VIS-1")
@pytest.mark.parametrize("change, field", [
    ({"kind": "choice", "choices": []}, "q_choices_0"),
    ({"text": ""}, "q_text_0"),
    ({"position": 20}, "q_position_1"),  # the second question has position 20: the later row is marked
    ({"position": "x"}, "q_position_0"),
])
def test_bad_input_shows_form_errors_and_saves_nothing(login, quality_officer, questionnaire, change, field):
    v1 = services.version_current(questionnaire)
    before = current_rows(v1)
    rows = [dict(r) for r in before]
    rows[0].update(change)

    response = login(quality_officer).post(page_url(questionnaire), rows_post(rows))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get(field), form.errors
    assert current_rows(v1) == before
    assert QuestionnaireVersion.objects.filter(questionnaire=questionnaire).count() == 1


@pytest.mark.spec("VIS-1")
def test_a_draft_from_a_version_is_edited_then_published(login, quality_officer, questionnaire):
    client = login(quality_officer)
    response = client.post(reverse("aftersales:questionnaire-draft", args=[questionnaire.pk, 1]))
    assert response.status_code == 302 and response["Location"] == page_url(questionnaire, 2)
    draft = QuestionnaireVersion.objects.get(questionnaire=questionnaire, version=2)
    assert draft.published_at is None and services.version_current(questionnaire).version == 1
    assert "publish-button" in client.get(page_url(questionnaire, 2)).content.decode()

    response = client.post(reverse("aftersales:questionnaire-publish", args=[questionnaire.pk, 2]))

    assert response.status_code == 302
    assert services.version_current(questionnaire) == draft
    # publishing it again is refused (409) and changes nothing
    draft.refresh_from_db()
    published_at = draft.published_at
    again = client.post(reverse("aftersales:questionnaire-publish", args=[questionnaire.pk, 2]))
    assert again.status_code == 409
    draft.refresh_from_db()
    assert draft.published_at == published_at


def _more_questionnaires(n: int, actor) -> None:
    for i in range(n):
        q = Questionnaire.objects.create(name=f"问卷{n}-{i}", code=f"extra-{n}-{i}")
        services.version_create(questionnaire=q, actor=actor, questions=[
            {"position": 1, "text": "总体满意度", "kind": "scale", "choices": [], "required": True}])
        services.version_create(questionnaire=q, actor=actor, publish=False, questions=[
            {"position": 1, "text": "总体满意度", "kind": "scale", "choices": [], "required": True}])


@pytest.mark.spec("VIS-1", "PERF-1")
def test_the_list_costs_the_same_queries_for_few_and_many_questionnaires(login, quality_officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(quality_officer)
    client.get(reverse("aftersales:questionnaire-list"))  # the session and caches warm
    counts = []
    for extra in (2, 20):
        _more_questionnaires(extra, quality_officer)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("aftersales:questionnaire-list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
