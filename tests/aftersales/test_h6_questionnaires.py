"""VIS-1: questionnaires are versioned and editable; a visit keeps the version it was asked with."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from aftersales.models import Question, Questionnaire, QuestionnaireVersion, Visit, VisitRule
from aftersales.services import questionnaires as services
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.workflow.models import Event
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"position": 1, "text": "总体满意度", "kind": "scale", "choices": [], "required": True},
    {"position": 2, "text": "问题是否已解决？", "kind": "choice", "choices": ["是", "否", "部分"], "required": True},
    {"position": 3, "text": "您的建议", "kind": "text", "choices": [], "required": False},
]


@pytest.fixture
def questionnaire(quality_officer):
    q = Questionnaire.objects.create(name="测试问卷", code="test-q", reason="test_reason")
    services.version_create(questionnaire=q, actor=quality_officer, questions=QUESTIONS)
    return q


def visit_asked_with(version: QuestionnaireVersion, department) -> Visit:
    """A visit planned with ``version`` (as the scheduler plans one)."""
    customer = CustomerFactory()
    return Visit.objects.create(
        number=f"HF-T-{Visit.objects.count() + 1}", content_type=ContentType.objects.get_for_model(customer),
        object_id=customer.pk, reason="test_reason", customer=customer, department=department,
        planned_for=timezone.localdate() + dt.timedelta(days=3), questionnaire_version=version)


def texts(version) -> list[str]:
    return list(Question.objects.filter(version=version).order_by("position").values_list("text", flat=True))


@pytest.mark.spec("VIS-1")
def test_a_version_no_visit_used_is_edited_in_place(questionnaire, quality_officer):
    v1 = services.version_current(questionnaire)
    edited = [{**QUESTIONS[2], "position": 1}, {**QUESTIONS[0], "position": 2, "text": "总体满意度（1–5 分）"}]

    saved, created = services.version_save(version=v1, actor=quality_officer, questions=edited)

    assert (saved.pk, created) == (v1.pk, False)
    assert texts(v1) == ["您的建议", "总体满意度（1–5 分）"]
    assert QuestionnaireVersion.objects.filter(questionnaire=questionnaire).count() == 1
    # the edit is on the questionnaire's timeline, old and new questions
    change = Event.objects.filter(object_id=questionnaire.pk, content_type__model="questionnaire",
                                  kind=Event.Kind.EDIT).order_by("-id").first()
    assert change.actor == quality_officer
    assert [q["text"] for q in change.changes[0]["new"]] == ["您的建议", "总体满意度（1–5 分）"]


@pytest.mark.spec("VIS-1")
def test_a_visit_keeps_its_version_when_the_questions_are_edited(questionnaire, quality_officer, business_department):
    v1 = services.version_current(questionnaire)
    visit = visit_asked_with(v1, business_department)
    before = texts(v1)

    saved, created = services.version_save(version=v1, actor=quality_officer,
                                           questions=[{**QUESTIONS[0], "text": "您对本次服务满意吗？"}])

    assert created and saved.version == 2 and saved.published_at is not None
    visit.refresh_from_db()
    assert visit.questionnaire_version_id == v1.pk and texts(v1) == before  # frozen
    assert texts(saved) == ["您对本次服务满意吗？"]
    # new visits get the new version
    assert services.version_current(questionnaire) == saved
    VisitRule.objects.create(reason="test_reason", due_days=3, questionnaire=questionnaire)
    assert services.questionnaire_current("test_reason") == saved
    assert questionnaire.current_version() == saved  # the model's own reading agrees


@pytest.mark.spec("VIS-1")
def test_a_draft_is_published_to_become_current(questionnaire, quality_officer):
    v1 = services.version_current(questionnaire)
    draft = services.version_create(questionnaire=questionnaire, actor=quality_officer,
                                    questions=services.version_inputs(v1), publish=False)
    assert draft.version == 2 and draft.published_at is None
    assert services.version_current(questionnaire) == v1
    assert services.questionnaire_current("test_reason") == v1  # by the questionnaire's reason

    services.version_publish(version=draft, actor=quality_officer)

    assert services.version_current(questionnaire) == draft
    with pytest.raises(TransitionNotAllowed):  # once
        services.version_publish(version=draft, actor=quality_officer)
    # two drafts: once the newer is published, the older one cannot be (a newer version is out)
    older = services.version_create(questionnaire=questionnaire, actor=quality_officer, questions=QUESTIONS,
                                    publish=False)
    newer = services.version_create(questionnaire=questionnaire, actor=quality_officer, questions=QUESTIONS[:1],
                                    publish=False)
    services.version_publish(version=newer, actor=quality_officer)
    with pytest.raises(TransitionNotAllowed):
        services.version_publish(version=older, actor=quality_officer)
    assert services.version_current(questionnaire) == newer
    older.refresh_from_db()
    assert older.published_at is None


@pytest.mark.spec("VIS-1")
@pytest.mark.parametrize("rows, key", [
    ([{**QUESTIONS[1], "choices": []}], "questions.0.choices"),
    ([{**QUESTIONS[1], "choices": ["是"]}], "questions.0.choices"),
    ([{**QUESTIONS[0], "text": "   "}], "questions.0.text"),
    ([QUESTIONS[0], {**QUESTIONS[2], "position": 1}], "questions.1.position"),
    ([{**QUESTIONS[0], "kind": "stars"}], "questions.0.kind"),
    ([{**QUESTIONS[0], "position": 0}], "questions.0.position"),
    ([], "questions"),
])
def test_bad_questions_are_refused_and_nothing_changes(questionnaire, quality_officer, rows, key):
    v1 = services.version_current(questionnaire)
    before = texts(v1)

    with pytest.raises(ValidationError) as refused:
        services.version_save(version=v1, actor=quality_officer, questions=rows)
    with pytest.raises(ValidationError):
        services.version_create(questionnaire=questionnaire, actor=quality_officer, questions=rows)

    assert key in refused.value.message_dict
    assert texts(v1) == before
    assert QuestionnaireVersion.objects.filter(questionnaire=questionnaire).count() == 1


@pytest.mark.spec("VIS-1")
def test_only_the_quality_department_edits_questionnaires(questionnaire, staff_user, manager, quality_manager):
    v1 = services.version_current(questionnaire)
    for outsider in (staff_user, manager):
        with pytest.raises(PermissionDenied):
            services.version_save(version=v1, actor=outsider, questions=QUESTIONS)
        with pytest.raises(PermissionDenied):
            services.version_create(questionnaire=questionnaire, actor=outsider, questions=QUESTIONS)
    assert QuestionnaireVersion.objects.filter(questionnaire=questionnaire).count() == 1
    # the quality department's manager may
    services.version_create(questionnaire=questionnaire, actor=quality_manager, questions=QUESTIONS)


@pytest.mark.spec("VIS-1")
def test_choice_options_are_stored_only_for_choice_questions(questionnaire, quality_officer):
    v1 = services.version_current(questionnaire)
    services.version_save(version=v1, actor=quality_officer, questions=[
        {**QUESTIONS[0], "choices": ["x", "y"]}, {**QUESTIONS[1], "choices": [" 是 ", "否", ""]}])
    assert list(Question.objects.filter(version=v1).order_by("position").values_list("choices", flat=True)) == [
        [], ["是", "否"]]


@pytest.mark.spec("VIS-1")
def test_the_reference_questionnaires_are_current_for_their_reasons():
    for reason in ("accepted", "case_resolved"):
        version = services.questionnaire_current(reason)
        assert version is not None and version.published_at is not None
        assert Question.objects.filter(version=version).exists()
    assert services.questionnaire_current("no-such-reason") is None
