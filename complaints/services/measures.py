"""CMP-3, the execution of an approved handling plan: each measure is done by its owner or their
department, saying what was done and with evidence.

Evidence (decided here, PLAN10): a measure is done only with at least one attachment on it (a
photo, a record, a signed sheet), uploaded with the completion or attached before it; "what was
done" is always required. Overdue measures remind their owner and escalate to their department's
managers and the quality department (the measure's date clock, complaints.workflows).

The complaint is the root (REL-1): a completion locks the complaint, then the plan, then the
measure. Two owners completing the last two measures at the same moment are serialised by the
complaint's lock: the second sees the first's measure done, so the plan completes and the complaint
moves to confirming exactly once.
"""
from __future__ import annotations

import contextlib

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.org.models import User
from qsm.workflow.locking import lock, locked
from qsm.workflow.models import Attachment
from qsm.workflow.services import attachment_add

from ..models import Complaint, HandlingPlan, Measure
from ..rules import can_complete_measure
from . import core

S = Complaint.Status
P = HandlingPlan.Status
M = Measure.Status



def _text(value) -> str:
    return (value or "").strip()


def _denied() -> str:
    return _("Only the measure's owner or its department reports it done.")


def _wrong_state() -> str:
    return _("Measures are done while the complaint's plan is executed (the complaint is “%(state)s”).")


def has_evidence(measure: Measure) -> bool:
    return Attachment.objects.filter(content_type=ContentType.objects.get_for_model(Measure),
                                     object_id=measure.pk).exists()


@contextlib.contextmanager
def _open_measure_locked(measure: Measure, actor):
    """Lock the complaint, then the measure (REL-1); the actor may complete it and it is open."""
    if not can_complete_measure(actor, measure):
        raise PermissionDenied(_denied())
    with locked(measure.plan.complaint, actor=actor, states=(S.EXECUTING,), wrong_state=_wrong_state()) as root:
        current = lock(measure)
        current.plan = measure.plan
        current.plan.complaint = root
        if current.status != M.OPEN:
            raise TransitionNotAllowed(_("This measure is “%(state)s”: only an open measure is done or given "
                                         "evidence.") % {"state": current.get_status_display()}, state=current.status)
        yield current


def measure_attach(*, measure: Measure, actor: User, upload, description: str = "") -> Attachment:
    """CMP-3: evidence of what was done, attached to the measure while it is open."""
    if upload is None:
        raise ValidationError({"evidence": _("Choose the file to attach.")}, code="required")
    with _open_measure_locked(measure, actor) as current:
        return attachment_add(record=current, upload=upload, actor=actor, description=_text(description))


def measure_complete(*, measure: Measure, actor: User, note: str, evidence=None,
                     evidence_description: str = "") -> Measure:
    """CMP-3: the measure is done: what was done (required) and evidence (an attachment, with this
    call or before it); then the core's ``measure_complete``: the last measure done finishes the plan
    and moves the complaint on to the customer's confirmation, once (decided under the complaint's
    lock, which this whole call holds)."""
    if not _text(note):
        raise ValidationError({"note": _("Say what was done.")}, code="required")
    with transaction.atomic():
        with _open_measure_locked(measure, actor) as current:
            if evidence is not None:
                attachment_add(record=current, upload=evidence, actor=actor, description=_text(evidence_description))
            if not has_evidence(current):
                raise ValidationError({"evidence": _("Attach the evidence of what was done.")},
                                      code="evidence_required")
            core.measure_complete(measure=measure, actor=actor, note=note)
    return measure
