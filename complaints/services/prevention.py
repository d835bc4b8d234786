"""CMP-5: preventive measures of a closed complaint (§5(四)2 预防措施), tracked to completion.

Each has an owner, a department (the owner's, unless given), a due date (the ``preventive`` date
clock reminds and escalates) and is completed with what was done. Writes lock the complaint (the
root) first, then fire the measure's own lifecycle.
"""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from qsm.errors import ValidationError
from qsm.fields import DATE_MAX
from qsm.workflow import engine
from qsm.workflow.locking import lock, locked

from ..models import Complaint, PreventiveMeasure
from ..rules import can_manage_prevention
from .reports import CLOSED_STATES
from .text import clean_text


def preventive_measure_add(*, complaint: Complaint, actor, description: str, owner, due_date: dt.date,
                           department=None) -> PreventiveMeasure:
    """A preventive measure for a closed complaint (investigator or quality department)."""
    description = clean_text("description", description, max_length=2000, required=True)
    errors = {}
    if owner is None or not getattr(owner, "is_active", False):
        errors["owner"] = ValidationError(_("Choose an active person."), code="invalid")
    if not isinstance(due_date, dt.date):
        errors["due_date"] = ValidationError(_("Enter a due date."), code="required")
    elif not dt.date.today() - dt.timedelta(days=1) <= due_date <= DATE_MAX:
        errors["due_date"] = ValidationError(_("The due date cannot be in the past."), code="past")
    if errors:
        raise ValidationError(errors)
    department = department or owner.department
    if department is None:
        raise ValidationError({"owner": ValidationError(_("This person belongs to no department."), code="invalid")})
    with locked(complaint, actor=actor, allowed=can_manage_prevention,
                denied=_("You are not allowed to add preventive measures to this complaint."), states=CLOSED_STATES,
                wrong_state=_("This complaint is “%(state)s”: preventive measures follow its closing.")) as current:
        measure = PreventiveMeasure.objects.create(complaint=current, description=description, owner=owner,
                                                   department=department, due_date=due_date)
        engine.record_created(measure, actor=actor)
    return measure


def preventive_measure_complete(*, measure: PreventiveMeasure, actor, done_note: str) -> PreventiveMeasure:
    """Done, with what was done (its owner, its department, or the quality department)."""
    done_note = clean_text("done_note", done_note, max_length=2000, required=True,
                           required_message=_("Write what was done."))
    with locked(measure.complaint):
        done = engine.fire(lock(measure), "complete", actor=actor, comment=done_note, done_note=done_note)
    engine.sync_fields(done, measure)
    return measure


def preventive_measure_cancel(*, measure: PreventiveMeasure, actor, reason: str) -> PreventiveMeasure:
    reason = clean_text("reason", reason, max_length=2000, required=True,
                        required_message=_("Write why the measure is cancelled."))
    with locked(measure.complaint):
        done = engine.fire(lock(measure), "cancel", actor=actor, comment=reason)
    engine.sync_fields(done, measure)
    return measure
