"""Writes on the complaint record itself besides its transitions: the contact log with the customer
and the attachments (evidence). Each locks the complaint first and re-checks the right on the locked
row (the complaint is the root)."""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from qsm.contacts.models import ContactEntry
from qsm.contacts.services import contact_add
from qsm.errors import ValidationError
from qsm.workflow import engine
from qsm.workflow.locking import locked
from qsm.workflow.services import attachment_add

from ..models import Complaint
from ..rules import can_investigate, can_reply_complaint, is_receiver

# Who works the complaint's record (contact log, evidence): its receiver and receiving department,
# its investigator and the quality department (complaints.rules).
can_work_complaint = can_reply_complaint
# Who corrects the intake while received: its receiver, or who investigates.
can_edit_intake = is_receiver | can_investigate


def complaint_contact_add(*, complaint: Complaint, actor, channel: str, summary: str,
                          kind: str = ContactEntry.Kind.COMMUNICATION, direction: str | None = None,
                          occurred_at: dt.datetime | None = None) -> ContactEntry:
    """The contact log with the customer (qsm.contacts): calls, e-mails, progress reports."""
    with locked(complaint, actor=actor, allowed=can_work_complaint, states=Complaint.OPEN_STATES,
                denied=_("You are not allowed to log contacts on this complaint."),
                wrong_state=_("The complaint is “%(state)s”: nothing more is logged on it.")) as root:
        return contact_add(record=root, actor=actor, kind=kind, channel=channel, direction=direction,
                           summary=summary, occurred_at=occurred_at)


def complaint_attach(*, complaint: Complaint, actor, upload, description: str = ""):
    """WF-3 / CMP-2: evidence, photos, reports on the complaint."""
    with locked(complaint, actor=actor, allowed=can_work_complaint,
                denied=_("You are not allowed to attach files to this complaint.")) as root:
        return attachment_add(record=root, upload=upload, actor=actor, description=description)


def complaint_fire(*, complaint: Complaint, actor, action: str, comment: str = "") -> Complaint:
    """Any other action of the complaint's table by name (the engine checks who, from which state,
    and its guards, on the locked row)."""
    return engine.fire(complaint, action, actor=actor, comment=comment)


INTAKE_FIELDS = ("channel", "severity", "contact_name", "contact_phone", "subject", "description",
                 "customer_demand", "product")


def complaint_update_intake(*, complaint: Complaint, actor, **fields) -> Complaint:
    """Correct what the receiver wrote while the complaint is still received (before the quality
    department assigns it): the changed fields land on the timeline. The severity is the reply
    clock's priority: the promised reply time, once told to the customer, stays as it was."""
    unknown = set(fields) - set(INTAKE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be edited here.") for name in sorted(unknown)})
    errors = {}
    if "subject" in fields and not (fields["subject"] or "").strip():
        errors["subject"] = _("Enter a subject.")
    if "description" in fields and not (fields["description"] or "").strip():
        errors["description"] = _("Describe what the customer complains about.")
    if errors:
        raise ValidationError(errors)
    with locked(complaint, actor=actor, allowed=can_edit_intake, states=(Complaint.Status.RECEIVED,),
                denied=_("You are not allowed to change this complaint."),
                wrong_state=_("The complaint is “%(state)s”: its intake can no longer be changed.")) as root:
        engine.edit(root, actor=actor, data=fields, tracked=INTAKE_FIELDS)
        return root

