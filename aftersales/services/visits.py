"""VIS-1/VIS-2: what people (and the customer, through a link) do with a follow-up visit.

Every write locks the visit first and decides on the locked row (qsm.workflow.locking); status
changes go through the visit's workflow table (``engine.fire``), whose ``record`` transition writes
the answers, the score and who/when/how.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.links.services import LinkRefused, link_issue, link_revoke
from qsm.notify.services import notify
from qsm.org.models import Role, User
from qsm.org.rules import is_administrator
from qsm.workflow import engine
from qsm.workflow.locking import lock, locked
from qsm.workflow.models import Event

from ..models import PhoneAttempt, Question, Visit, VisitRule
from ..rules import can_recheck_visit as _can_recheck_visit
from ..rules import can_record_visit, in_visit_department, is_quality_staff

V = Visit.Status
VISIT_FEEDBACK = "visit_feedback"  # the purpose of the survey links (qsm.links)
FAILED_ATTEMPTS_FOR_LINK = 3  # VIS-1: after this many failed calls the page offers the link
LOW_SCORE = 2  # a satisfaction of 1-2 is low: one click opens a new after-sales case
MAX_TEXT = 2000
MAX_CALL_SECONDS = 4 * 3600

# VIS-1: who opens a new after-sales case from a low score: the quality officers and the visit's department.
can_open_case_from_visit = is_quality_staff | in_visit_department | is_administrator


def can_recheck_visit(user, visit) -> bool:
    """VIS-2: only the quality department re-checks (the rule takes the user alone)."""
    return _can_recheck_visit.test(user, visit)




# --- answers --------------------------------------------------------------------------------------


def answer_key(question: Question) -> str:
    """The name of a question's answer in forms and error dicts: ``q_<id>``."""
    return f"q_{question.pk}"


def clean_answers(questions: Iterable[Question], raw: dict) -> dict[int, object]:
    """The answers to ``questions`` from ``raw`` (keyed by question id or ``q_<id>``), checked: a
    1–5 score, one of the choices, a text of at most 2,000 characters; required ones present.
    Raises ValidationError keyed ``q_<id>`` per question (the forms show each under its question)."""
    raw = raw or {}
    questions = list(questions)
    known = {str(q.pk) for q in questions} | {answer_key(q) for q in questions}
    unknown = [k for k in raw if str(k) not in known]
    errors: dict[str, list] = {}
    if unknown:
        errors["answers"] = [ValidationError(_("Unknown question: %(keys)s.") % {"keys": ", ".join(map(str, unknown))},
                                             code="unknown_question")]
    cleaned: dict[int, object] = {}
    for q in questions:
        value = raw.get(answer_key(q), raw.get(str(q.pk), raw.get(q.pk)))
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if q.required:
                errors[answer_key(q)] = [ValidationError(_("This question needs an answer."), code="required")]
            continue
        if q.kind == Question.Kind.SCALE:
            score = _score(value)
            if score is None:
                errors[answer_key(q)] = [ValidationError(_("Give a score from 1 to 5."), code="invalid_score")]
                continue
            cleaned[q.pk] = score
        elif q.kind == Question.Kind.CHOICE:
            if str(value) not in [str(c) for c in q.choices]:
                errors[answer_key(q)] = [ValidationError(_("Pick one of the choices."), code="invalid_choice")]
                continue
            cleaned[q.pk] = str(value)
        else:
            if len(str(value)) > MAX_TEXT:
                errors[answer_key(q)] = [ValidationError(_("At most %(n)s characters.") % {"n": MAX_TEXT},
                                                         code="too_long")]
                continue
            cleaned[q.pk] = str(value)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _score(value) -> int | None:
    """1–5 given as a number or its digit ("4"); anything else (4.5, "4x", True) is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= 5 else None
    text = str(value).strip()
    return int(text) if text in {"1", "2", "3", "4", "5"} else None


def _clean_score(satisfaction) -> int:
    score = _score(satisfaction)
    if score is None:
        raise ValidationError({"satisfaction": ValidationError(_("Give the overall satisfaction from 1 to 5."),
                                                               code="invalid_score")})
    return score


def _clean_texts(**texts) -> dict[str, str]:
    cleaned = {}
    for name, value in texts.items():
        value = (value or "").strip()
        if len(value) > MAX_TEXT:
            raise ValidationError({name: ValidationError(_("At most %(n)s characters.") % {"n": MAX_TEXT},
                                                         code="too_long")})
        cleaned[name] = value
    return cleaned


def _questions(visit: Visit) -> list[Question]:
    if not visit.questionnaire_version_id:
        return []
    return list(Question.objects.filter(version_id=visit.questionnaire_version_id).order_by("position", "id"))


# --- links ----------------------------------------------------------------------------------------


def link_ttl(visit: Visit) -> dt.timedelta:
    rule = VisitRule.objects.filter(reason=visit.reason).only("link_ttl_days").first()
    return dt.timedelta(days=rule.link_ttl_days if rule else 14)


def _revoke_open_link(visit: Visit, actor) -> None:
    if visit.link_id:
        link = visit.link
        if link.used_at is None and link.revoked_at is None:
            link_revoke(link, actor=actor)


def company_name() -> str:
    return getattr(settings, "QSM_COMPANY_NAME", "") or "QSM"


def survey_message(url: str) -> str:
    """The text staff copy into WeChat or an SMS with the survey link (in the reader's language)."""
    return _("%(company)s: thank you for choosing us. Please tell us how satisfied you are (a few "
             "questions, one minute): %(url)s") % {"company": company_name(), "url": url}


# --- the staff's actions -------------------------------------------------------------------------


def _low_score_notice(visit: Visit) -> None:
    """VIS-1: a score of 1-2 is told to the department's managers and the quality officers."""
    if visit.satisfaction is None or visit.satisfaction > LOW_SCORE:
        return
    managers = User.objects.filter(is_active=True, department_id=visit.department_id, groups__name=Role.MANAGER)
    quality = User.objects.filter(is_active=True, department__kind="quality",
                                  groups__name__in=[Role.QUALITY_OFFICER, Role.MANAGER])
    recipients = {u.pk: u for u in [*managers, *quality]}
    notify(recipients=recipients.values(), kind="visit_low_score",
           title=gettext_lazy("Low satisfaction %(score)s/5 on follow-up visit %(number)s (%(customer)s)"),
           params={"score": visit.satisfaction, "number": visit.number, "customer": visit.customer.name},
           url=visit.get_absolute_url())


def visit_record(*, visit: Visit, actor, satisfaction, answers: dict | None = None, comments: str = "",
                 suggestions: str = "", called_at: dt.datetime | None = None,
                 call_seconds: int | None = None) -> Visit:
    """VIS-1 by phone: the caller records the answers of the call script, the overall satisfaction,
    comments, suggestions, the call's time and duration. VIS-2: who and when are the actor and now."""
    score = _clean_score(satisfaction)
    texts = _clean_texts(comments=comments, suggestions=suggestions)
    now = timezone.now()
    if called_at is not None and called_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"called_at": ValidationError(_("The call cannot be in the future."), code="future")})
    if call_seconds is not None and not 0 <= int(call_seconds) <= MAX_CALL_SECONDS:
        raise ValidationError({"call_seconds": ValidationError(_("Give the call's duration in seconds (0 to 4 hours)."),
                                                               code="invalid")})
    with transaction.atomic():
        current = lock(visit)
        if not can_record_visit(actor, current):
            raise PermissionDenied(_("You are not allowed to record this visit."))
        if current.status not in Visit.OPEN_STATES:
            raise TransitionNotAllowed(_("This visit is “%(state)s”: it cannot be recorded.")
                                       % {"state": current.get_status_display()}, action="record", state=current.status)
        cleaned = clean_answers(_questions(current), answers or {})
        done = engine.fire(current, "record", actor=actor, satisfaction=score, answers=cleaned,
                           method=Visit.Method.PHONE, called_at=called_at or now,
                           call_seconds=call_seconds, **texts)
        _revoke_open_link(done, actor)  # answered by phone: the survey link no longer works
        _low_score_notice(done)
    engine.sync_fields(done, visit)
    return visit


def visit_attempt_add(*, visit: Visit, actor, outcome: str, note: str = "",
                      attempted_at: dt.datetime | None = None) -> PhoneAttempt:
    """VIS-1: a call that was tried. Failed ones are counted; after three the page offers the link."""
    if outcome not in PhoneAttempt.Outcome.values:
        raise ValidationError({"outcome": ValidationError(_("Pick the outcome of the call."), code="invalid")})
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": ValidationError(_("At most %(n)s characters.") % {"n": 300}, code="too_long")})
    now = timezone.now()
    if attempted_at is not None and attempted_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"attempted_at": ValidationError(_("The call cannot be in the future."), code="future")})
    with locked(visit, actor=actor, allowed=can_record_visit, states=Visit.OPEN_STATES,
                denied=_("You are not allowed to record calls of this visit."),
                wrong_state=_("This visit is “%(state)s”: no more calls are recorded.")) as current:
        attempt = PhoneAttempt.objects.create(visit=current, attempted_at=attempted_at or now, outcome=outcome,
                                              note=note, by=actor)
        if outcome in PhoneAttempt.FAILED:
            current.phone_attempts += 1
            current.save(update_fields=["phone_attempts", "updated_at"])
        engine.note(current, actor=actor, kind=Event.Kind.COMMUNICATION, action="phone_attempt", comment=note,
                    data={"outcome": outcome, "failed": current.phone_attempts})
    return attempt


def link_offered(visit: Visit) -> bool:
    """VIS-1: three failed calls switch the visit to the survey link (the page offers it first)."""
    return visit.phone_attempts >= FAILED_ATTEMPTS_FOR_LINK


def visit_send_link(*, visit: Visit, actor, contact_name: str = "") -> tuple[Visit, str]:
    """VIS-1: issue the survey link (signed, single use, expiring after the rule's days). Issuing it
    again withdraws the previous one. Returns the visit and the link's path, which holds the token:
    show it now, it cannot be recovered later."""
    contact_name = (contact_name or "").strip()[:100]
    with locked(visit, actor=actor, allowed=can_record_visit, states=Visit.OPEN_STATES,
                denied=_("You are not allowed to send this visit's survey."),
                wrong_state=_("This visit is “%(state)s”: no survey link can be sent.")) as current:
        reissue = current.link_id is not None
        _revoke_open_link(current, actor)
        link, url = link_issue(current, VISIT_FEEDBACK, ttl=link_ttl(current), actor=actor,
                               contact_name=contact_name or current.customer.name)
        current.link = link
        current.save(update_fields=["link", "updated_at"])
        data = {"expires_at": link.expires_at, "link": link.pk}
        if current.status == V.PLANNED:
            current = engine.fire(current, "send_link", actor=actor)
            engine.note(current, actor=actor, kind=Event.Kind.COMMUNICATION, action="link_issued", data=data)
        else:
            engine.note(current, actor=actor, kind=Event.Kind.COMMUNICATION,
                        action="link_reissued" if reissue else "link_issued", data=data)
    engine.sync_fields(current, visit)
    return visit, url


def visit_cancel(*, visit: Visit, actor, comment: str) -> Visit:
    with transaction.atomic():
        done = engine.fire(lock(visit), "cancel", actor=actor, comment=comment)
        _revoke_open_link(done, actor)
    engine.sync_fields(done, visit)
    return visit


def visit_feedback_record(*, visit: Visit, use, satisfaction, answers: dict, comments: str = "",
                          suggestions: str = "", ip: str | None = None, user_agent: str = "") -> Visit:
    """VIS-1/VIS-2: the customer answers through the link. Runs inside ``link_consume`` (the link is
    locked and marked used in the same transaction). Only the visit's current link opens it, and
    only while the survey is out: anything else is refused and records nothing."""
    current = lock(visit)
    if current.link_id != use.link.pk or current.status != V.LINK_SENT:
        raise LinkRefused("invalid")
    score = _clean_score(satisfaction)
    texts = _clean_texts(comments=comments, suggestions=suggestions)
    cleaned = clean_answers(_questions(current), answers)
    done = engine.fire(current, "record", actor=use.actor, satisfaction=score, answers=cleaned,
                       method=Visit.Method.LINK, ip=ip or None, user_agent=(user_agent or "")[:300], **texts)
    _low_score_notice(done)
    engine.sync_fields(done, visit)
    return visit


# --- VIS-2: the quality department's re-check ----------------------------------------------------


def visit_recheck_request(*, visit: Visit, actor, note: str = "") -> Visit:
    """Mark a phone visit that was done for re-check (the quality department calls the customer again)."""
    note = (note or "").strip()
    with locked(visit, actor=actor, allowed=can_recheck_visit, states=(V.DONE,),
                denied=_("Only the quality department marks visits for re-check."),
                wrong_state=_("Only a visit that was done can be re-checked; this one is “%(state)s”.")) as current:
        if current.method != Visit.Method.PHONE:
            raise TransitionNotAllowed(_("Only phone visits are re-checked: the customer answered this one through "
                                         "their own link."), action="recheck_request")
        if current.recheck_status:
            raise TransitionNotAllowed(_("This visit is already marked for re-check."), action="recheck_request")
        engine.edit(current, actor=actor, action="recheck_request", comment=note, tracked=["recheck_status"],
                    data={"recheck_status": Visit.Recheck.REQUESTED, "recheck_requested_by": actor,
                          "recheck_requested_at": timezone.now()})
    return visit


def visit_recheck_record(*, visit: Visit, actor, result: str, note: str = "") -> Visit:
    """Record the re-check: the customer confirmed what was recorded, or not (then say what differs)."""
    note = (note or "").strip()
    if result not in (Visit.Recheck.CONFIRMED, Visit.Recheck.DISCREPANCY):
        raise ValidationError({"result": ValidationError(_("Pick the result of the re-check."), code="invalid")})
    if result == Visit.Recheck.DISCREPANCY and not note:
        raise ValidationError({"note": ValidationError(_("Say what differs from what was recorded."),
                                                       code="required")})
    with locked(visit, actor=actor, allowed=can_recheck_visit, states=(V.DONE,),
                denied=_("Only the quality department records re-checks.")) as current:
        if current.recheck_status != Visit.Recheck.REQUESTED:
            raise TransitionNotAllowed(_("Mark the visit for re-check first."), action="recheck")
        engine.edit(current, actor=actor, action="recheck", comment=note, tracked=["recheck_status"],
                    data={"recheck_status": result, "recheck_note": note, "rechecked_by": actor,
                          "rechecked_at": timezone.now()})
    return visit


# --- VIS-1: a low score opens a case --------------------------------------------------------------


def low_score(visit: Visit) -> bool:
    return visit.status == V.DONE and visit.satisfaction is not None and visit.satisfaction <= LOW_SCORE


def visit_open_case(*, visit: Visit, actor):
    """One click on a visit scored 1–2: a new after-sales case for the customer, linked both ways
    (``Case.source_visit``). Twice: the case already opened (the visit is locked, so two clicks at
    once make one case). Returns (case, created)."""
    from aftersales.models import Case
    from aftersales.services.cases import case_create
    from orders.models import Order
    from qsm.contacts.models import Channel
    from qsm.sla.models import SlaPolicy

    with locked(visit, actor=actor, allowed=can_open_case_from_visit,
                denied=_("Only the quality department and the visit's department open cases from visits.")) as current:
        existing = Case.objects.filter(source_visit=current).order_by("pk").first()
        if existing is not None:
            return existing, False
        if not low_score(current):
            raise TransitionNotAllowed(_("Only a visit scored 1 or 2 opens a case from here."))
        subject_record = current.subject
        order = subject_record if isinstance(subject_record, Order) else getattr(subject_record, "order", None)
        case_type = getattr(subject_record, "case_type", "") or Case.Type.SERVICE
        number = getattr(subject_record, "number", "")
        subject = _("Low satisfaction %(score)s/5 in follow-up visit %(visit)s") % {
            "score": current.satisfaction, "visit": current.number}
        if number:
            subject += f" ({number})"
        description = current.comments or current.suggestions or subject
        contact = current.link.contact_name if current.link_id else ""
        case = case_create(actor=actor, customer=current.customer, channel=Channel.VISIT, case_type=case_type,
                           severity=SlaPolicy.Priority.HIGH,
                           subject=subject[:200], description=description, contact_name=contact,
                           order=order, source_visit=current)
        engine.note(current, actor=actor, kind=Event.Kind.COMMENT, action="case_opened",
                    data={"case": case.number, "case_id": case.pk})
    return case, True
