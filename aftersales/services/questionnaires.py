"""VIS-1: questionnaires are versioned and editable; a visit keeps the version it was asked with.

The quality department edits the questions of a version. A version no visit has used yet is
edited in place; once a visit used it, it is frozen: saving its questions makes the next
version, published at once. Publishing a version makes it the one new visits get
(``version_current``, ``questionnaire_current``). Every write locks the questionnaire first, so
two editors saving at once make two versions one after the other, never one number twice.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.org.rules import in_quality_department
from qsm.workflow import engine
from qsm.workflow.locking import lock

from ..models import Question, Questionnaire, QuestionnaireVersion, Visit, VisitRule

MAX_QUESTIONS = 30
MAX_CHOICES = 12
MAX_TEXT = 300  # Question.text


def can_edit_questionnaires(user) -> bool:
    """VIS-1: the quality department owns the questionnaires (its officers and manager)."""
    return bool(in_quality_department(user))


def _require(actor) -> None:
    if not can_edit_questionnaires(actor):
        raise PermissionDenied(_("Only the quality department edits questionnaires."))


# --- reads -------------------------------------------------------------------------------------


def version_current(questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    """The version new visits get: the newest published one (None while none is published). A
    draft is published to become it; going back to older questions is a draft copied from them."""
    return (QuestionnaireVersion.objects.filter(questionnaire=questionnaire, published_at__isnull=False)
            .order_by("-version").first())


def questionnaire_current(reason: str) -> QuestionnaireVersion | None:
    """The questionnaire version a visit for ``reason`` (a follow-up reason code) is asked with:
    the current version of the active visit rule's questionnaire, else of an active questionnaire
    made for that reason. None when there is nothing published to ask."""
    rule = VisitRule.objects.filter(reason=reason, is_active=True).select_related("questionnaire").first()
    candidates = []
    if rule is not None and rule.questionnaire.is_active:
        candidates.append(rule.questionnaire)
    candidates += list(Questionnaire.objects.filter(reason=reason, is_active=True).order_by("pk"))
    for questionnaire in candidates:
        version = version_current(questionnaire)
        if version is not None:
            return version
    return None


def version_in_use(version: QuestionnaireVersion) -> bool:
    """A visit was (or is being) asked with this version: its questions are frozen."""
    return Visit.objects.filter(questionnaire_version=version).exists()


def version_questions(version: QuestionnaireVersion) -> list[Question]:
    return list(Question.objects.filter(version=version).order_by("position", "pk"))


def version_inputs(version: QuestionnaireVersion) -> list[dict]:
    """The version's questions as the writes take them (to start a draft from it)."""
    return _raw(version_questions(version))


# --- the questions a person sends ------------------------------------------------------------


@dataclass(frozen=True)
class QuestionInput:
    position: int
    text: str
    kind: str
    choices: tuple[str, ...] = ()
    required: bool = True

    def as_raw(self) -> dict:
        return {"position": self.position, "text": self.text, "kind": self.kind, "choices": list(self.choices),
                "required": self.required}


def questions_clean(rows: Iterable[dict]) -> list[QuestionInput]:
    """Check the questions as sent (each ``{position, text, kind, choices, required}``) and return
    them in their order. Raises ValidationError keyed ``questions.<n>.<field>`` (``n`` the row's
    index as sent), or ``questions`` for the list as a whole; nothing is half-accepted."""
    rows = list(rows)
    errors: dict[str, str] = {}
    kinds = set(Question.Kind.values)
    cleaned: list[tuple[int, QuestionInput]] = []
    seen: dict[int, int] = {}
    if not rows:
        raise ValidationError({"questions": ValidationError(_("Add at least one question."), code="required")})
    if len(rows) > MAX_QUESTIONS:
        raise ValidationError({"questions": ValidationError(
            _("At most %(n)s questions.") % {"n": MAX_QUESTIONS}, code="max_length")})
    for n, row in enumerate(rows):
        key = f"questions.{n}"
        position = row.get("position")
        if isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= 999:
            errors[f"{key}.position"] = _("Enter a position from 1 to 999.")
        elif position in seen:
            errors[f"{key}.position"] = _("Two questions have position %(n)s: give each its own.") % {"n": position}
        else:
            seen[position] = n
        text = (row.get("text") or "").strip()
        if not text:
            errors[f"{key}.text"] = _("Enter the question.")
        elif len(text) > MAX_TEXT:
            errors[f"{key}.text"] = _("At most %(n)s characters.") % {"n": MAX_TEXT}
        kind = row.get("kind") or ""
        if kind not in kinds:
            errors[f"{key}.kind"] = _("Choose the kind of answer.")
        choices: list[str] = []
        if kind == Question.Kind.CHOICE:
            raw = row.get("choices") or []
            choices = [str(c).strip() for c in raw if str(c).strip()]
            if len(choices) < 2:
                errors[f"{key}.choices"] = _("A choice question needs at least two options.")
            elif len(set(choices)) != len(choices):
                errors[f"{key}.choices"] = _("Each option must be different.")
            elif len(choices) > MAX_CHOICES or any(len(c) > 100 for c in choices):
                errors[f"{key}.choices"] = _("At most %(n)s options of 100 characters each.") % {"n": MAX_CHOICES}
        if not any(k.startswith(key + ".") for k in errors):
            cleaned.append((position, QuestionInput(position=position, text=text, kind=kind, choices=tuple(choices),
                                                    required=bool(row.get("required", True)))))
    if errors:
        raise ValidationError({k: ValidationError(v, code="invalid") for k, v in errors.items()})
    cleaned.sort(key=lambda pair: pair[0])
    return [q for _p, q in cleaned]


def _write_questions(version: QuestionnaireVersion, questions: list[QuestionInput]) -> None:
    Question.objects.bulk_create([
        Question(version=version, position=q.position, text=q.text, kind=q.kind,
                 choices=list(q.choices) if q.kind == Question.Kind.CHOICE else [], required=q.required)
        for q in questions])


def _raw(questions: Iterable) -> list[dict]:
    return [{"position": q.position, "text": q.text, "kind": q.kind, "choices": list(q.choices or []),
             "required": q.required} for q in questions]


# --- writes ------------------------------------------------------------------------------------


def version_create(*, questionnaire: Questionnaire, actor, questions: Iterable[dict] | list[QuestionInput],
                   publish: bool = True, note: str = "") -> QuestionnaireVersion:
    """A new version (the next number) with ``questions``; published at once unless ``publish`` is
    False (a draft to publish later)."""
    _require(actor)
    cleaned = _as_inputs(questions)
    with transaction.atomic():
        questionnaire = lock(questionnaire)
        return _new_version(questionnaire, actor=actor, questions=cleaned, publish=publish, note=note)


def _as_inputs(questions) -> list[QuestionInput]:
    questions = list(questions)
    if questions and all(isinstance(q, QuestionInput) for q in questions):
        return questions_clean(q.as_raw() for q in questions)
    return questions_clean(questions)


def _new_version(questionnaire: Questionnaire, *, actor, questions: list[QuestionInput], publish: bool,
                 note: str) -> QuestionnaireVersion:
    number = (QuestionnaireVersion.objects.filter(questionnaire=questionnaire)
              .aggregate(n=Max("version"))["n"] or 0) + 1
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, version=number, published_at=timezone.now() if publish else None,
        created_by=actor, note=(note or "").strip()[:200])
    _write_questions(version, questions)
    engine.record_change(questionnaire, actor=actor, field="questions", old=[], new=_raw(questions),
                         comment=_("Version %(n)s") % {"n": number})
    return version


def version_save(*, version: QuestionnaireVersion, actor, questions: Iterable[dict] | list[QuestionInput],
                 note: str = "") -> tuple[QuestionnaireVersion, bool]:
    """Save the questions of ``version``. Returns the version that holds them and whether it is
    new: a version a visit used is frozen, so its edit becomes the next version, published; a
    version no visit used is edited in place (it stays published or draft as it was)."""
    _require(actor)
    cleaned = _as_inputs(questions)
    with transaction.atomic():
        lock(version.questionnaire)  # the root: versions are numbered and frozen under its lock
        version = QuestionnaireVersion.objects.select_related("questionnaire").get(pk=version.pk)
        if version_in_use(version):
            return _new_version(version.questionnaire, actor=actor, questions=cleaned, publish=True,
                                note=note or _("Edited from version %(n)s") % {"n": version.version}), True
        old = _raw(version_questions(version))
        Question.objects.filter(version=version).delete()
        _write_questions(version, cleaned)
        if note:
            version.note = note.strip()[:200]
            version.save(update_fields=["note"])
        engine.record_change(version.questionnaire, actor=actor, field="questions", old=old, new=_raw(cleaned),
                             comment=_("Version %(n)s") % {"n": version.version})
        return version, False


def version_publish(*, version: QuestionnaireVersion, actor) -> QuestionnaireVersion:
    """Publish a draft: it becomes the one new visits get (the newest published version)."""
    _require(actor)
    with transaction.atomic():
        lock(version.questionnaire)
        version = QuestionnaireVersion.objects.select_related("questionnaire").get(pk=version.pk)
        if version.published_at is not None:
            raise TransitionNotAllowed(_("Version %(n)s is already published.") % {"n": version.version})
        newer = QuestionnaireVersion.objects.filter(questionnaire=version.questionnaire, version__gt=version.version,
                                                    published_at__isnull=False).exists()
        if newer:
            raise TransitionNotAllowed(_("A newer version is published: make a draft from this one and publish "
                                         "that instead."))
        if not Question.objects.filter(version=version).exists():
            raise ValidationError({"questions": ValidationError(
                _("A version without questions cannot be published."), code="required")})
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
        previous = version_current_before(version)
        engine.record_change(version.questionnaire, actor=actor, field="published_version",
                             old=previous.version if previous else None, new=version.version)
        return version


def version_current_before(version: QuestionnaireVersion) -> QuestionnaireVersion | None:
    return (QuestionnaireVersion.objects.filter(questionnaire_id=version.questionnaire_id, published_at__isnull=False,
                                                version__lt=version.version).order_by("-version").first())
