"""CMP-3, the handling plan of a complaint (处理方案) and its approval.

A plan lists measures (整改措施), each with the person responsible, their department and a deadline.
It is written as a draft by the investigator (or a quality officer), submitted, and decided by a
manager who approves for the complaint's responsible department (the quality manager for any
department: ``qsm.org.rules.can_approve_for``), never by its author (four eyes). A rejection says
why; a rejected plan is revised as the next version (a draft copy of its measures), so every
version and its decision stays on record. Approval moves the complaint to executing and opens the
measures (their date clocks start).

The complaint is the root (REL-1): every write here locks the complaint, then the plan, then a
measure, and decides on the locked rows. Two managers deciding the same plan at once are
serialised by the complaint's lock: the second sees the plan decided and is refused ("already
decided", HTTP 409).
"""
from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.contacts.models import ContactEntry
from qsm.contacts.services import contact_add
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.org.models import Department, User
from qsm.workflow import engine
from qsm.workflow.locking import lock, locked
from qsm.workflow.models import Event
from qsm.workflow.row_lines import changes_text, day_text
from qsm.workflow.selectors import register_event_text

from ..models import Complaint, HandlingPlan, Measure
from ..rules import can_investigate, in_responsible_department
from ..validation import clean_date, clean_text
from ..workflows import investigation_missing
from . import core

S = Complaint.Status
P = HandlingPlan.Status
M = Measure.Status

# Plans are made while the complaint is planned (proposing the first one moves an investigated
# complaint to planning: the start_planning guard wants cause and responsibility recorded).
PLAN_STATES = (S.PLANNING,)
# Progress is told to the customer while the complaint is being handled.
PROGRESS_STATES = (S.INVESTIGATING, S.PLANNING, S.EXECUTING, S.CONFIRMING)

# CMP-3: progress is told to the customer by who works the complaint and by the responsible department.
can_report_progress = can_investigate | in_responsible_department



def register() -> None:
    """The timeline lines of the handling plans (ComplaintsConfig.ready)."""
    register_event_text(HandlingPlan, "measure_add", _measure_added, label=gettext_lazy("Measure added"))
    register_event_text(HandlingPlan, "measure_change", _measure_changed, label=gettext_lazy("Measure changed"))
    register_event_text(HandlingPlan, "measure_remove", _measure_removed, label=gettext_lazy("Measure removed"))


# --- how the lines read -------------------------------------------------------------------------------

def _measure_line(data: dict) -> str:
    return _("measure %(position)s “%(description)s”, %(owner)s, due %(date)s") % {
        "position": data["position"], "description": data["description"], "owner": data["owner"],
        "date": day_text(data["due_date"])}


def _measure_added(data: dict) -> str:
    return _("Added %(measure)s") % {"measure": _measure_line(data)}


def _measure_removed(data: dict) -> str:
    return _("Removed %(measure)s") % {"measure": _measure_line(data)}


def _measure_changed(data: dict) -> str:
    return _("Measure %(position)s changed: %(changes)s") % {"position": data["position"],
                                                             "changes": changes_text(Measure, data["changes"])}


# --- helpers ------------------------------------------------------------------------------------------

def _text(value) -> str:
    return (value or "").strip()


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDenied(message)


def _planning_denied() -> str:
    return _("Only the investigator or the quality department makes this complaint's handling plan.")


def _wrong_state_planning() -> str:
    return _("Handling plans are made while the complaint is being planned (the complaint is “%(state)s”).")


@contextlib.contextmanager
def _plan_locked(plan: HandlingPlan, actor, *, plan_states, wrong: str, allowed=can_investigate,
                 denied: str | None = None, states=PLAN_STATES):
    """Lock the complaint, then the plan (parent first, REL-1); check both states on the locked rows."""
    denied = denied or _planning_denied()
    complaint = plan.complaint
    _require(allowed(actor, complaint), denied)
    with locked(complaint, actor=actor, allowed=allowed, states=states, denied=denied,
                wrong_state=_wrong_state_planning()) as root:
        current = lock(plan)
        current.complaint = root
        if current.status not in plan_states:
            raise TransitionNotAllowed(wrong % {"state": current.get_status_display(), "version": current.version},
                                       state=current.status)
        yield current
    engine.sync_fields(current, plan)


def _draft_locked(plan: HandlingPlan, actor):
    return _plan_locked(plan, actor, plan_states=(P.DRAFT,),
                        wrong=_("Measures are added, changed and removed while the plan is a draft "
                                "(version %(version)s is “%(state)s”)."))


def clean_measure(*, description, owner: User | None, department: Department | None,
                  due_date: dt.date | None) -> str:
    """The measure's text, cleaned; a ValidationError with the fields' messages when it does not do."""
    errors: dict = {}
    description = clean_text(errors, "description", description, required=_("Say what is to be done."))
    if owner is None:
        errors["owner"] = _("Choose the person responsible for this measure.")
    elif not owner.is_active or owner.department_id is None:
        errors["owner"] = _("Choose an active person of a department.")
    if department is not None and not department.is_active:
        errors["department"] = _("Choose an active department.")
    due_date = clean_date(errors, "due_date", due_date, required=_("Give the deadline."))
    if due_date is not None and "due_date" not in errors and due_date < timezone.localdate():
        errors["due_date"] = _("The deadline cannot be in the past.")
    if errors:
        raise ValidationError(errors, code="invalid")
    return description


def _measure_data(measure: Measure) -> dict:
    return {"position": measure.position, "description": measure.description, "owner": str(measure.owner),
            "due_date": measure.due_date}


def plan_propose(*, complaint: Complaint, actor: User, summary: str, measures: Iterable[dict]) -> HandlingPlan:
    """CMP-3: propose the next version of the handling plan: a draft with its first measures (the
    core's ``plan_create``). Proposing the first plan of an investigated complaint moves it to
    planning in the same transaction: refused (400, nothing written) while cause and responsibility
    are missing."""
    _require(can_investigate(actor, complaint), _planning_denied())
    with transaction.atomic():
        root = lock(complaint)
        if root.status == S.INVESTIGATING:
            missing = investigation_missing(root)
            if missing:
                raise ValidationError(missing, code="investigation_incomplete")
            engine.fire(root, "start_planning", actor=actor)
        plan = core.plan_create(complaint=complaint, actor=actor, summary=summary, measures=list(measures or ()))
    return plan


def plan_update(*, plan: HandlingPlan, actor: User, summary: str, comment: str = "") -> HandlingPlan:
    """CMP-3: revise the draft's approach (an edit on the plan's timeline)."""
    if not _text(summary):
        raise ValidationError({"summary": _("Describe how the complaint is handled.")}, code="required")
    with _plan_locked(plan, actor, plan_states=(P.DRAFT,),
                      wrong=_("Only a draft is changed (version %(version)s is “%(state)s”).")) as current:
        changes = engine.edit(current, actor=actor, data={"summary": _text(summary)}, tracked=("summary",),
                              comment=_text(comment))
        if not changes:
            raise ValidationError({"summary": _("Nothing was changed.")}, code="unchanged")
    return plan


def measure_add(*, plan: HandlingPlan, actor: User, description: str, owner: User | None,
                due_date: dt.date | None, department: Department | None = None) -> Measure:
    """CMP-3: a measure of the draft plan: what, who, by when."""
    with _draft_locked(plan, actor) as current:
        department = department or current.complaint.responsible_department or getattr(owner, "department", None)
        description = clean_measure(description=description, owner=owner, department=department, due_date=due_date)
        position = (current.measures.aggregate(n=Max("position"))["n"] or 0) + 1
        measure = Measure.objects.create(plan=current, position=position, description=_text(description),
                                         owner=owner, department=department, due_date=due_date)
        engine.record_created(measure, actor=actor)
        engine.note(current, actor=actor, kind=Event.Kind.COMMENT, action="measure_add", data=_measure_data(measure))
    return measure


def _draft_measure(measure: Measure, current: HandlingPlan) -> Measure:
    found = Measure.objects.select_related("owner").filter(pk=measure.pk, plan=current).first()
    if found is None:
        raise TransitionNotAllowed(_("This measure is no longer in the plan."))
    found.plan = current
    return found


def measure_update(*, measure: Measure, actor: User, description: str, owner: User | None,
                   due_date: dt.date | None, department: Department | None = None) -> Measure:
    """CMP-3: change a measure of the draft; the plan's timeline says what changed (old -> new)."""
    with _draft_locked(measure.plan, actor) as current:
        found = _draft_measure(measure, current)
        department = department or found.department
        description = clean_measure(description=description, owner=owner, department=department, due_date=due_date)
        new = {"description": _text(description), "owner": owner, "department": department, "due_date": due_date}
        changes = {}
        for name, value in new.items():
            old = getattr(found, name)
            if old != value:
                if name in ("owner", "department"):
                    changes[name] = [str(old) if old else "—", str(value)]
                else:
                    changes[name] = [old, value]
                setattr(found, name, value)
        if not changes:
            raise ValidationError({"description": _("Nothing was changed.")}, code="unchanged")
        found.save(update_fields=list(changes))
        engine.note(current, actor=actor, kind=Event.Kind.EDIT, action="measure_change",
                    data={"position": found.position, "changes": changes})
    engine.sync_fields(found, measure)
    return measure


def measure_remove(*, measure: Measure, actor: User) -> None:
    """CMP-3: take a measure out of the draft; the later ones move up one place."""
    with _draft_locked(measure.plan, actor) as current:
        found = _draft_measure(measure, current)
        engine.note(current, actor=actor, kind=Event.Kind.EDIT, action="measure_remove", data=_measure_data(found))
        found.delete()
        for later in current.measures.filter(position__gt=found.position).order_by("position"):
            Measure.objects.filter(pk=later.pk).update(position=later.position - 1)


# --- progress told to the customer ----------------------------------------------------------------------

def complaint_progress_report(*, complaint: Complaint, actor: User, channel: str, summary: str,
                              occurred_at: dt.datetime | None = None) -> ContactEntry:
    """CMP-3: tell the customer how the handling progresses (an update in the core contact log)."""
    denied = _("You are not allowed to report progress on this complaint.")
    _require(can_report_progress(actor, complaint), denied)
    with locked(complaint, actor=actor, allowed=can_report_progress, states=PROGRESS_STATES, denied=denied,
                wrong_state=_("Progress is reported while the complaint is being handled "
                              "(the complaint is “%(state)s”).")) as root:
        return contact_add(record=root, actor=actor, kind=ContactEntry.Kind.UPDATE, channel=channel,
                           summary=summary, occurred_at=occurred_at)
