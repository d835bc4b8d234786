"""QC-3: the writes of rectification notices (整改通知) and their plans (整改方案).

A notice is issued to the responsible department (from a failed finding: the finding's inspected
record and department carried over; manually; next, from a failing assessment) with a deadline.
The department proposes a plan (cause and measures, each with a person responsible and a date),
submits it; who approves for the department (``qsm.org.rules.can_approve_for``: its managers, the
quality manager for any department), never the plan's author, approves or rejects it with a
reason; a rejected plan is revised as the next version (a draft copy of its measures). Approval
starts the notice's rectification. The department reports completion (a note and at least one
evidence file of this round); the quality department verifies and closes, or reopens with a reason
(the next round: a new plan may be proposed).

The notice is the root (REL-1): every decision, completion and verification locks the notice
first, then the plan, and decides on the locked rows. Two managers deciding the same plan at once
are serialised by the notice's lock: the second hears it was already decided (HTTP 409).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.notify.services import notify
from qsm.org.models import Department, User
from qsm.org.selectors import department_approvers, quality_department_users
from qsm.validation import clean_date as _clean_date
from qsm.validation import clean_text as _clean_text
from qsm.validation import require as _require
from qsm.workflow import engine
from qsm.workflow.locking import lock, locked
from qsm.workflow.models import Attachment
from qsm.workflow.services import attachment_add, next_number

from ..rules import SYSTEM
from .models import Notice, RectificationMeasure, RectificationPlan
from .rules import (
    can_answer_notice,
    can_cancel_notice,
    can_decide_rectification,
    can_issue_notice,
    can_verify_notice,
    notice_attach_states,
)
from .workflows import (
    KIND_NOTICE_ISSUED,
    KIND_NOTICE_REOPENED,
    KIND_NOTICE_REPORTED,
    KIND_NOTICE_VERIFIED,
    KIND_PLAN_DECIDED,
    KIND_PLAN_SUBMITTED,
)

N = Notice.Status
P = RectificationPlan.Status
MAX_MEASURES = 30
PLAN_STATES = (N.ISSUED, N.RECTIFYING)  # a plan is proposed and decided while the notice waits for one


# --- validation (SEC-1: what the forms refuse, the service refuses too) -----------------------------

def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors, code="invalid")


def clean_measures(errors: dict, measures, *, department: Department) -> list[dict]:
    """The plan's measures (``{"description", "owner", "due_on"}``), cleaned; the owner is an active
    member of the responsible department."""
    rows = []
    measures = list(measures or ())
    if len(measures) > MAX_MEASURES:
        errors["measures"] = _("At most %(max)d measures.") % {"max": MAX_MEASURES}
        return []
    problems = []
    for position, m in enumerate(measures, start=1):
        row_errors: dict = {}
        description = _clean_text(row_errors, "description", m.get("description"),
                                  required=_("Say what is to be done."))
        owner = m.get("owner")
        if not isinstance(owner, User) or not owner.is_active or owner.department_id != department.pk:
            row_errors["owner"] = _("Choose an active member of the responsible department.")
        due_on = _clean_date(row_errors, "due_on", m.get("due_on"), required=_("Give the deadline."))
        if due_on is not None and "due_on" not in row_errors and due_on < timezone.localdate():
            row_errors["due_on"] = _("The deadline cannot be in the past.")
        if row_errors:
            problems.append(_("Measure %(n)d: %(errors)s") % {"n": position, "errors": " ".join(
                str(v) for v in row_errors.values())})
        else:
            rows.append({"description": description, "owner": owner, "due_on": due_on})
    if problems:
        errors["measures"] = " ".join(problems)
    return rows


# --- issuing -------------------------------------------------------------------------------------------

def _describe(record) -> str:
    for name in ("number", "code"):
        value = getattr(record, name, None)
        if value:
            return str(value)[:40]
    return str(record)[:40]


def issue_notice(actor, *, department: Department | None, title: str, requirement: str, deadline: dt.date | None,
                 finding=None, inspection=None, record=None, source: str | None = None) -> Notice:
    """QC-3: issue a rectification notice to ``department``. From a failed ``finding`` the finding's
    inspection, inspected record and (when none is given) the record's department are carried over;
    one open notice per finding. The department's managers and approvers are told."""
    _require(can_issue_notice(actor), _("Only the quality department issues rectification notices."))
    errors: dict = {}
    title = _clean_text(errors, "title", title, multiline=False, required=_("Give the notice a title."))
    if len(title) > 200:
        errors["title"] = _("Enter at most %(max)d characters.") % {"max": 200}
    requirement = _clean_text(errors, "requirement", requirement, required=_("Say what must be rectified."))
    deadline = _clean_date(errors, "deadline", deadline, required=_("Give the deadline."))
    if deadline is not None and "deadline" not in errors and deadline < timezone.localdate():
        errors["deadline"] = _("The deadline cannot be in the past.")
    sample = None
    if finding is not None:
        if finding.result != "fail":
            errors["finding"] = _("Only a failed item is rectified.")
        sample = finding.sample
        inspection = inspection or finding.inspection
        department = department or sample.department or inspection.department
    if department is None:
        errors["department"] = _("Choose the responsible department.")
    elif not department.is_active:
        errors["department"] = _("Choose an active department.")
    _raise(errors)
    with transaction.atomic():
        if finding is not None:
            found = lock(finding)
            if Notice.objects.filter(finding=found, status__in=Notice.OPEN_STATES).exists():
                raise TransitionNotAllowed(_("A rectification notice of this finding is open already."),
                                           action="issue")
        content_type_id = object_id = None
        record_number = ""
        if sample is not None:
            content_type_id, object_id, record_number = sample.content_type_id, sample.object_id, sample.number
        elif record is not None:
            content_type_id = ContentType.objects.get_for_model(record).pk
            object_id, record_number = record.pk, _describe(record)
        notice = Notice.objects.create(
            number=next_number("RN"), department=department,
            source=source or (Notice.Source.FINDING if finding is not None else Notice.Source.MANUAL),
            finding=finding, inspection=inspection, content_type_id=content_type_id, object_id=object_id,
            record_number=record_number[:40], title=title, requirement=requirement, deadline=deadline,
            issued_by=actor, issued_at=timezone.now())
        engine.record_created(notice, actor=actor)
        notify(recipients=_department_people(department), exclude=actor,
               kind=KIND_NOTICE_ISSUED, title=gettext_lazy("Rectification notice %(number)s: %(title)s"),
               params={"number": notice.number, "title": notice.title}, url=notice.get_absolute_url())
    return notice


def _department_people(department: Department):
    return User.objects.filter(department=department, is_active=True)


# --- plans -----------------------------------------------------------------------------------------------

def _notice_locked(notice: Notice, actor, *, allowed, denied: str, states=PLAN_STATES, wrong: str = ""):
    return locked(notice, actor=actor, allowed=allowed, states=states, denied=denied,
                  wrong_state=wrong or _("The notice is “%(state)s”: this is not possible now."))


def _propose_denied() -> str:
    return _("Only the responsible department proposes its rectification plan.")


def _create_measures(plan: RectificationPlan, rows: list[dict]) -> None:
    RectificationMeasure.objects.bulk_create([RectificationMeasure(plan=plan, position=i, **row)
                                              for i, row in enumerate(rows, start=1)])


def plan_propose(*, notice: Notice, actor, cause: str, measures: Iterable[dict]) -> RectificationPlan:
    """QC-3: the department drafts the next version of its plan (cause and measures); one plan in
    draft or awaiting approval at a time."""
    errors: dict = {}
    cause = _clean_text(errors, "cause", cause, required=_("Describe the cause."))
    with _notice_locked(notice, actor, allowed=can_answer_notice, denied=_propose_denied()) as root:
        rows = clean_measures(errors, measures, department=root.department)
        _raise(errors)
        plans = RectificationPlan.objects.filter(notice=root)
        if plans.filter(status__in=(P.DRAFT, P.SUBMITTED)).exists():
            raise TransitionNotAllowed(_("A plan of this notice is being worked on already: submit or withdraw it "
                                         "first."), action="propose")
        if plans.filter(status=P.APPROVED, round=root.round).exists():
            raise TransitionNotAllowed(_("The plan of this round is approved already."), action="propose")
        version = (plans.aggregate(v=Max("version"))["v"] or 0) + 1
        plan = RectificationPlan.objects.create(notice=root, version=version, round=root.round, cause=cause,
                                                author=actor, department=root.department)
        _create_measures(plan, rows)
        engine.record_created(plan, actor=actor)
    plan.notice = notice
    return plan


def _plan_in_lock(plan: RectificationPlan, root: Notice, states: tuple, wrong: str) -> RectificationPlan:
    current = lock(plan)
    current.notice = root
    if current.status not in states:
        raise TransitionNotAllowed(wrong % {"state": current.get_status_display(), "version": current.version},
                                   action="plan", state=current.status)
    return current


def plan_update(*, plan: RectificationPlan, actor, cause: str | None = None,
                measures: Iterable[dict] | None = None) -> RectificationPlan:
    """QC-3: change the draft: its cause and (given) the whole list of measures."""
    errors: dict = {}
    with _notice_locked(plan.notice, actor, allowed=can_answer_notice, denied=_propose_denied()) as root:
        current = _plan_in_lock(plan, root, (P.DRAFT,), _("Only a draft is changed (version %(version)s is "
                                                          "“%(state)s”)."))
        if cause is not None:
            new_cause = _clean_text(errors, "cause", cause, required=_("Describe the cause."))
        rows = clean_measures(errors, measures, department=root.department) if measures is not None else None
        _raise(errors)
        if cause is not None and new_cause != current.cause:
            engine.edit(current, actor=actor, data={"cause": new_cause}, tracked=("cause",))
        if rows is not None:
            current.measures.all().delete()
            _create_measures(current, rows)
    engine.sync_fields(current, plan)
    return plan


def plan_submit(*, plan: RectificationPlan, actor) -> RectificationPlan:
    """QC-3: submit the draft; who approves for the department is told and the approval clock runs."""
    with _notice_locked(plan.notice, actor, allowed=can_answer_notice, denied=_propose_denied()) as root:
        current = _plan_in_lock(plan, root, (P.DRAFT,), _("Only a draft is submitted (version %(version)s is "
                                                          "“%(state)s”)."))
        done = engine.fire(current, "submit", actor=actor)
        notify(recipients=department_approvers(department=root.department).filter(department=root.department),
               exclude=actor, kind=KIND_PLAN_SUBMITTED,
               title=gettext_lazy("Rectification plan %(number)s awaits your approval"),
               params={"number": f"{root.number} v{done.version}"}, url=root.get_absolute_url())
    engine.sync_fields(done, plan)
    return plan


def _decide_denied() -> str:
    return _("Only a manager who approves for the responsible department, and not the plan's author, decides it.")


def _decided(plan: RectificationPlan, root: Notice) -> RectificationPlan:
    """Decided on the locked rows: the loser of two decisions at once hears it was already decided."""
    current = lock(plan)
    current.notice = root
    if current.status != P.SUBMITTED:
        raise TransitionNotAllowed(_("This plan was already decided: it is “%(state)s”.")
                                   % {"state": current.get_status_display()}, action="decide", state=current.status)
    return current


def _decide(plan: RectificationPlan, actor, action: str, *, comment: str = "") -> RectificationPlan:
    _require(can_decide_rectification(actor, plan), _decide_denied())
    with locked(plan.notice, actor=actor) as root:
        current = _decided(plan, root)
        if root.status not in PLAN_STATES:
            raise TransitionNotAllowed(_("This plan was already decided (the notice is “%(state)s”).")
                                       % {"state": root.get_status_display()}, action="decide", state=root.status)
        done = engine.fire(current, action, actor=actor, comment=comment)
        title = (gettext_lazy("Rectification plan %(number)s was approved") if action == "approve"
                 else gettext_lazy("Rectification plan %(number)s was rejected"))
        notify(recipients=[done.author], exclude=actor, kind=KIND_PLAN_DECIDED, title=title,
               params={"number": f"{root.number} v{done.version}"}, url=root.get_absolute_url())
    engine.sync_fields(done, plan)
    plan.notice = root
    return plan


def plan_approve(*, plan: RectificationPlan, actor, comment: str = "") -> RectificationPlan:
    """QC-3: approve (who approves for the department, never the author); the notice's rectification
    starts. Two managers at once: one decision, the other 409 "already decided"."""
    errors: dict = {}
    comment = _clean_text(errors, "comment", comment)
    _raise(errors)
    return _decide(plan, actor, "approve", comment=comment)


def plan_reject(*, plan: RectificationPlan, actor, reason: str) -> RectificationPlan:
    """QC-3: reject with a reason (required); the department revises it as the next version."""
    reason = _reason(reason, _("Give the reason for rejecting the plan."))
    return _decide(plan, actor, "reject", comment=reason)


def plan_revise(*, plan: RectificationPlan, actor) -> RectificationPlan:
    """QC-3: a rejected plan (the latest version) is revised as the next version: a draft copy of its
    cause and measures (dates in the past move to today)."""
    with _notice_locked(plan.notice, actor, allowed=can_answer_notice, denied=_propose_denied()) as root:
        old = _plan_in_lock(plan, root, (P.REJECTED,), _("Only a rejected plan is revised (version %(version)s is "
                                                         "“%(state)s”)."))
        plans = RectificationPlan.objects.filter(notice=root)
        if plans.filter(version__gt=old.version).exists():
            raise TransitionNotAllowed(_("A later version of this plan exists already."), action="revise")
        today = timezone.localdate()
        rows = [{"description": m.description, "owner": m.owner, "due_on": max(m.due_on, today)}
                for m in old.measures.select_related("owner").order_by("position")]
        new = RectificationPlan.objects.create(notice=root, version=old.version + 1, round=root.round,
                                               cause=old.cause, author=actor, department=root.department)
        _create_measures(new, rows)
        engine.record_created(new, actor=actor, action="revise", data={"revises": old.version})
    new.notice = root
    return new


def plan_withdraw(*, plan: RectificationPlan, actor) -> RectificationPlan:
    """A draft that will not be submitted."""
    with _notice_locked(plan.notice, actor, allowed=can_answer_notice, denied=_propose_denied()) as root:
        current = _plan_in_lock(plan, root, (P.DRAFT,), _("Only a draft is withdrawn (version %(version)s is "
                                                          "“%(state)s”)."))
        done = engine.fire(current, "withdraw", actor=actor)
    engine.sync_fields(done, plan)
    return plan


# --- completion, verification ----------------------------------------------------------------------------

def notice_attach(*, notice: Notice, actor, upload, description: str = "") -> Attachment:
    """QC-3: evidence of the rectification (``rules.notice_attach_states``: the department while
    rectifying; the quality department while rectifying and while it verifies the reported result).
    An issued, closed or cancelled notice takes none (409)."""
    states = notice_attach_states(actor, notice)
    _require(bool(states), _("You are not allowed to add evidence to this notice."))
    with locked(notice, actor=actor, states=states,
                wrong_state=_("The notice is “%(state)s”: no evidence is added now.")) as root:
        return attachment_add(record=root, upload=upload, actor=actor, description=description)


def notice_report(*, notice: Notice, actor, note: str, upload=None) -> Notice:
    """QC-3: the department reports the rectification done: a note and at least one evidence file of
    this round (``upload`` may bring it with this request). The quality department is told."""
    errors: dict = {}
    note = _clean_text(errors, "note", note, required=_("Say what was rectified."))
    _raise(errors)
    with _notice_locked(notice, actor, allowed=can_answer_notice, states=(N.RECTIFYING,),
                        denied=_("Only the responsible department reports the rectification."),
                        wrong=_("The notice is “%(state)s”: completion is reported while rectifying.")) as root:
        if upload is not None:
            attachment_add(record=root, upload=upload, actor=actor, description=_("Rectification evidence"))
        done = engine.fire(root, "report", actor=actor, note=note)
        notify(recipients=quality_department_users(), exclude=actor, kind=KIND_NOTICE_REPORTED,
               title=gettext_lazy("Rectification %(number)s reported done: verify"),
               params={"number": done.number}, url=done.get_absolute_url())
    engine.sync_fields(done, notice)
    return notice


def _notice_fire(notice: Notice, actor, action: str, *, allowed, states, denied: str, wrong: str, told=None,
                 **params) -> Notice:
    """Fire the notice's ``action`` on the locked row; ``told``: (kind, title) the department hears."""
    with _notice_locked(notice, actor, allowed=allowed, states=states, denied=denied, wrong=wrong) as root:
        done = engine.fire(root, action, actor=actor, **params)
        if told is not None:
            notify(recipients=_department_people(root.department), exclude=actor, kind=told[0], title=told[1],
                   params={"number": done.number}, url=done.get_absolute_url())
    engine.sync_fields(done, notice)
    return notice


def _reason(reason, required: str) -> str:
    errors: dict = {}
    reason = _clean_text(errors, "comment", reason, required=required)
    _raise(errors)
    return reason


def notice_verify(*, notice: Notice, actor, note: str = "") -> Notice:
    """QC-3: the quality department verifies the rectification and closes the notice."""
    errors: dict = {}
    note = _clean_text(errors, "note", note)
    _raise(errors)
    return _notice_fire(notice, actor, "verify", allowed=can_verify_notice, states=(N.REPORTED,), note=note,
                        denied=_("Only the quality department verifies rectifications."),
                        wrong=_("The notice is “%(state)s”: it is verified once completion is reported."),
                        told=(KIND_NOTICE_VERIFIED, gettext_lazy("Rectification %(number)s verified and closed")))


def notice_reopen(*, notice: Notice, actor, reason: str) -> Notice:
    """QC-3: the verification fails: back to rectifying with a reason, in the next round."""
    reason = _reason(reason, _("Give the reason for reopening."))
    return _notice_fire(notice, actor, "reopen", allowed=can_verify_notice, states=(N.REPORTED,), comment=reason,
                        denied=_("Only the quality department reopens rectifications."),
                        wrong=_("The notice is “%(state)s”: it is reopened once completion is reported."),
                        told=(KIND_NOTICE_REOPENED, gettext_lazy("Rectification %(number)s reopened")))


def notice_cancel(*, notice: Notice, actor, reason: str) -> Notice:
    """QC-3: the quality manager cancels a notice issued in error (its pending plan goes with it)."""
    reason = _reason(reason, _("Give the reason for cancelling."))
    return _notice_fire(notice, actor, "cancel", allowed=can_cancel_notice, states=Notice.OPEN_STATES,
                        comment=reason, denied=_("Only the quality manager cancels rectification notices."),
                        wrong=_("The notice is “%(state)s”: it cannot be cancelled."))


__all__ = ["issue_notice", "plan_propose", "plan_update", "plan_submit", "plan_approve", "plan_reject",
           "plan_revise", "plan_withdraw", "notice_attach", "notice_report", "notice_verify", "notice_reopen",
           "notice_cancel", "SYSTEM"]
