"""CMP-2, the investigation of a complaint: the departments and people involved (the core discussion),
the facts, the evidence (core attachments on the complaint), the structured root cause (a cause of
the taxonomy shared with after-sales, up to five whys, the root cause in words) and the
responsibility (the responsible department and a person of it).

Every write locks the complaint first (REL-1) and decides on the locked row: an investigation
saved while another request moved the complaint on is refused, never written after it.
A plan is proposed only once cause and responsibility are recorded: the complaint's
``start_planning`` guard (complaints.workflows ``investigation_missing``) says so.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.models import CauseCategory
from qsm.discussions import services as discussions
from qsm.discussions.invitations import discussion_invite, invitation_clean
from qsm.discussions.models import Discussion, DiscussionNote
from qsm.errors import PermissionDenied, ValidationError
from qsm.notify.kinds import register_kind
from qsm.notify.services import notify
from qsm.org.models import Department, User
from qsm.parsing import has_control_chars, has_lone_surrogate
from qsm.workflow import engine
from qsm.workflow.locking import locked
from qsm.workflow.models import Event
from qsm.workflow.selectors import register_event_text

from ..models import MAX_WHYS, WHY_MAX_LENGTH, Complaint
from ..rules import can_discuss_complaint, can_investigate
from ..workflows import investigation_missing  # noqa: F401  (the pages and the API read it from here)
from . import core

S = Complaint.Status

# The investigation is recorded while the complaint is investigated, and refined while its plan is
# being made (a rejected plan may show the cause was wrong).
INVESTIGATION_STATES = (S.INVESTIGATING, S.PLANNING)

KIND_INVOLVED = "complaint_involved"


def register() -> None:
    """Notification kind and timeline line of the investigation (ComplaintsConfig.ready)."""
    register_kind(KIND_INVOLVED, gettext_lazy("Involved in a complaint investigation"))
    register_event_text(Complaint, "complaint_involve", _involved, label=gettext_lazy("Departments and people involved"))


def _involved(data: dict) -> str:
    who = [*data.get("departments", []), *data.get("users", [])]
    return _("Involved in the investigation (“%(topic)s”): %(who)s") % {"topic": data.get("topic", ""),
                                                                        "who": "、".join(who)}


def _text(value) -> str:
    return (value or "").strip()


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDenied(message)


def _denied() -> str:
    return _("Only the investigator or the quality department investigates this complaint.")


def _wrong_state() -> str:
    return _("The investigation is recorded while the complaint is investigated or planned "
             "(the complaint is “%(state)s”).")


def _investigating(complaint: Complaint, actor, *, allowed=can_investigate, denied: str | None = None,
                   states=INVESTIGATION_STATES):
    denied = denied or _denied()
    _require(allowed(actor, complaint), denied)
    return locked(complaint, actor=actor, allowed=allowed, states=states, denied=denied, wrong_state=_wrong_state())


# --- the structured root cause -----------------------------------------------------------------------

def clean_whys(whys) -> tuple[list[str], list[str]]:
    """The why-chain as stored (blank entries dropped, each trimmed) and the problems found."""
    problems = []
    if whys is None:
        whys = []
    if isinstance(whys, str) or not isinstance(whys, (list, tuple)):
        return [], [_("Give the whys as a list of short sentences.")]
    cleaned = []
    for why in whys:
        if not isinstance(why, str):
            problems.append(_("Each why is a short sentence."))
            continue
        why = why.strip()
        if not why:
            continue
        if len(why) > WHY_MAX_LENGTH:
            problems.append(_("Each why has at most %(n)d characters.") % {"n": WHY_MAX_LENGTH})
        elif has_control_chars(why, multiline=False) or has_lone_surrogate(why):
            problems.append(_("Enter each why as one line of text, without control characters."))
        cleaned.append(why)
    if len(cleaned) > MAX_WHYS:
        problems.append(_("Ask why at most %(n)d times.") % {"n": MAX_WHYS})
    return cleaned, list(dict.fromkeys(problems))


def investigation_errors(*, cause: CauseCategory | None, whys: list[str], whys_problems: list[str],
                         responsible_department: Department | None, responsible_person: User | None) -> dict:
    errors = {}
    if cause is not None and not cause.is_active:
        errors["cause"] = _("Choose an active cause.")
    if whys_problems:
        errors["whys"] = whys_problems
    if responsible_department is not None and not responsible_department.is_active:
        errors["responsible_department"] = _("Choose an active department.")
    if responsible_person is not None:
        if not responsible_person.is_active:
            errors["responsible_person"] = _("Choose an active person.")
        elif responsible_department is None:
            errors["responsible_department"] = _("Choose the responsible department of the responsible person.")
        elif responsible_person.department_id != responsible_department.pk:
            errors["responsible_person"] = _("The responsible person belongs to the responsible department.")
    return errors


def complaint_investigate(*, complaint: Complaint, actor: User, facts: str = "", cause: CauseCategory | None = None,
                          whys: Iterable[str] | None = None, root_cause: str = "",
                          responsible_department: Department | None = None, responsible_person: User | None = None
                          ) -> Complaint:
    """CMP-2: record (or refine) the facts, the structured root cause and the responsibility (the
    core's ``investigation_record``: one timeline line with every change). The form's whole state
    is given: a blank field clears it. The responsible person belongs to the responsible department.
    A plan can be proposed once nothing is ``investigation_missing``."""
    cleaned_whys, problems = clean_whys(whys)
    errors = investigation_errors(cause=cause, whys=cleaned_whys, whys_problems=problems,
                                  responsible_department=responsible_department,
                                  responsible_person=responsible_person)
    if errors:
        raise ValidationError(errors, code="invalid")
    _require(can_investigate(actor, complaint), _denied())
    return core.investigation_record(complaint=complaint, actor=actor, facts=facts, cause=cause, whys=cleaned_whys,
                                     root_cause=root_cause, responsible_department=responsible_department,
                                     responsible_person=responsible_person)


# --- involving departments and people (the core discussion) ----------------------------------------

def complaint_involve(*, complaint: Complaint, actor: User, topic: str, departments: Iterable[Department] = (),
                      users: Iterable[User] = ()) -> Discussion:
    """CMP-2: involve departments and people in the investigation (the core discussion; a second call
    involves more). They see the complaint (complaints.rules) and are told."""
    departments, users = invitation_clean(topic=topic, departments=departments, users=users)
    with _investigating(complaint, actor) as root:
        invitation = discussion_invite(record=root, actor=actor, topic=topic, departments=departments, users=users)
        discussion = invitation.discussion
        engine.note(root, actor=actor, kind=Event.Kind.COMMENT, action="complaint_involve",
                    data={"topic": discussion.topic, "departments": [d.name for d in invitation.departments],
                          "users": [str(u) for u in invitation.users]})
        notify(recipients=invitation.invitees(), exclude=actor, kind=KIND_INVOLVED,
               title=gettext_lazy("You are involved in the investigation of complaint %(number)s: %(topic)s"),
               params={"number": root.number, "topic": discussion.topic},
               url=root.get_absolute_url() + "#investigation")
    return discussion


def complaint_discussion_note_add(*, complaint: Complaint, actor: User, body: str,
                                  meeting_at: dt.datetime | None = None) -> DiscussionNote:
    """CMP-2: the notes of a meeting of the investigation (who investigates and who was involved)."""
    if not _text(body):
        raise ValidationError({"body": _("Write the notes.")}, code="required")
    denied = _("Only participants of the discussion can add notes.")
    with _investigating(complaint, actor, allowed=can_discuss_complaint, denied=denied) as root:
        note = discussions.discussion_note_add(record=root, actor=actor, body=body, meeting_at=meeting_at)
        engine.note(root, actor=actor, kind=Event.Kind.MEETING_NOTE, action="discussion_note", comment=note.body)
    return note
