"""VIS-1: questionnaires are versioned. A version a visit was asked with is frozen: editing its
questions makes a new version (the visits keep theirs); a version no visit used is edited in place.
The quality department manages them (the page and the admin both call these services)."""
from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.workflow.locking import lock

from ..models import Question, QuestionnaireVersion
from .visits import can_manage_questionnaires


def _clean(questions: list[dict]) -> list[dict]:
    if not questions:
        raise ValidationError({"__all__": [_("A questionnaire needs at least one question.")]})
    cleaned, errors = [], {}
    for n, q in enumerate(questions, start=1):
        text = (q.get("text") or "").strip()
        kind = q.get("kind") or Question.Kind.SCALE
        choices = [str(c).strip() for c in (q.get("choices") or []) if str(c).strip()]
        if not text or len(text) > 300:
            errors.setdefault("__all__", []).append(_("Question %(n)s: write the question (at most 300 characters).")
                                                     % {"n": n})
        if kind not in Question.Kind.values:
            errors.setdefault("__all__", []).append(_("Question %(n)s: unknown kind.") % {"n": n})
        if kind == Question.Kind.CHOICE and len(choices) < 2:
            errors.setdefault("__all__", []).append(_("Question %(n)s: a single choice needs at least two choices.")
                                                     % {"n": n})
        if any(len(c) > 100 for c in choices):
            errors.setdefault("__all__", []).append(_("Question %(n)s: a choice has at most 100 characters.")
                                                     % {"n": n})
        cleaned.append({"text": text, "kind": kind, "choices": choices if kind == Question.Kind.CHOICE else [],
                        "required": bool(q.get("required"))})
    if errors:
        raise ValidationError(errors)
    return cleaned


def questionnaire_version_save(*, version: QuestionnaireVersion, actor, questions: list[dict],
                               note: str = "") -> QuestionnaireVersion:
    """Save ``questions`` (in order: text, kind, choices, required) as the questions of ``version``,
    or of a new version when a visit already used it. Returns the version that holds them."""
    if not can_manage_questionnaires(actor):
        raise PermissionDenied(_("Only the quality department manages questionnaires."))
    cleaned = _clean(questions)
    with transaction.atomic():
        lock(version.questionnaire)  # one editor at a time per questionnaire: version numbers do not clash
        version = QuestionnaireVersion.objects.get(pk=version.pk)
        if version.is_frozen:
            number = (version.questionnaire.versions.aggregate(n=Max("version"))["n"] or 0) + 1
            version = QuestionnaireVersion.objects.create(
                questionnaire=version.questionnaire, version=number, created_by=actor, note=note[:200],
                # a change to the questions in use is in use at once: the next visits ask it
                published_at=timezone.now() if version.published_at else None)
        else:
            version.questions.all().delete()
        Question.objects.bulk_create([Question(version=version, position=n, **q) for n, q in enumerate(cleaned, 1)])
    return version


def questionnaire_version_publish(*, version: QuestionnaireVersion, actor) -> QuestionnaireVersion:
    """The next visits planned for the questionnaire's reasons ask this version."""
    if not can_manage_questionnaires(actor):
        raise PermissionDenied(_("Only the quality department manages questionnaires."))
    with transaction.atomic():
        lock(version.questionnaire)
        current = QuestionnaireVersion.objects.get(pk=version.pk)
        if current.published_at is not None:
            raise TransitionNotAllowed(_("This version is already published."), action="publish")
        if not current.questions.exists():
            raise TransitionNotAllowed(_("A version without questions cannot be published."), action="publish")
        current.published_at = timezone.now()
        current.save(update_fields=["published_at"])
    version.published_at = current.published_at
    return version
