"""AFS-2, the special-solution flow of a complex case: the discussion with invited departments and
people, the special solution plan and its steps (owner and date each, tracked to done) and the
progress told to the customer (the core contact log).

Every write locks the case first (REL-1, ``qsm.workflow.locking.locked``) and decides on the locked
rows: the plan and its steps are children of the case. Two owners completing the last two steps at
the same moment are serialised by the case's lock, so the second sees the first's step done and
the plan completes exactly once.

A step's date clock (``step``, aftersales.workflows) starts when the plan starts, not while the plan
is a draft: a draft's steps are edited freely and remind nobody.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable

from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.contacts.models import ContactEntry
from qsm.contacts.services import contact_add
from qsm.discussions import services as discussions
from qsm.discussions.invitations import discussion_invite, invitation_clean
from qsm.discussions.models import Discussion, DiscussionNote
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.fields import DATE_MAX
from qsm.notify.kinds import register_kind
from qsm.notify.services import notify
from qsm.org.models import Department, User
from qsm.workflow import engine
from qsm.workflow.locking import lock, locked
from qsm.workflow.models import Event
from qsm.workflow.row_lines import changes_text, day_text
from qsm.workflow.selectors import register_event_text

from ..models import Case, PlanStep, SpecialPlan
from ..rules import can_complete_step, can_discuss_case, can_work_case

S = Case.Status
P = SpecialPlan.Status
ST = PlanStep.Status

# The states of a complex case in which its special-solution flow is worked.
SPECIAL_STATES = (S.SPECIAL, S.WAITING_CUSTOMER)
# Progress is told to the customer while the case is being worked.
UPDATE_STATES = (S.IN_PROGRESS, S.SPECIAL, S.WAITING_CUSTOMER)

KIND_INVITED = "case_discussion"
KIND_STEP = "plan_step_assigned"
KIND_PLAN_DONE = "plan_done"


def register() -> None:
    """The notification kinds and timeline lines of the special-solution flow (AftersalesConfig.ready)."""
    register_kind(KIND_INVITED, gettext_lazy("Invited to a special-solution discussion"))
    register_kind(KIND_PLAN_DONE, gettext_lazy("Special solution plan done"))
    register_event_text(Case, "discussion_invite", _invited, label=gettext_lazy("Discussion invitation"))
    register_event_text(SpecialPlan, "step_add", _step_added, label=gettext_lazy("Step added"))
    register_event_text(SpecialPlan, "step_change", _step_changed, label=gettext_lazy("Step changed"))
    register_event_text(SpecialPlan, "step_remove", _step_removed, label=gettext_lazy("Step removed"))


# How the lines read (raw data in, the reader's language out).

def _invited(data: dict) -> str:
    who = [*data.get("departments", []), *data.get("users", [])]
    if data.get("opened"):
        return _("Discussion “%(topic)s” opened with %(who)s") % {"topic": data["topic"], "who": "、".join(who)}
    return _("Invited to the discussion: %(who)s") % {"who": "、".join(who)}


def _step_line(data: dict) -> str:
    return _("step %(position)s “%(description)s”, %(owner)s, due %(date)s") % {
        "position": data["position"], "description": data["description"], "owner": data["owner"],
        "date": day_text(data["due_date"])}


def _step_added(data: dict) -> str:
    return _("Added %(step)s") % {"step": _step_line(data)}


def _step_removed(data: dict) -> str:
    return _("Removed %(step)s") % {"step": _step_line(data)}


def _step_changed(data: dict) -> str:
    return _("Step %(position)s changed: %(changes)s") % {"position": data["position"],
                                                          "changes": changes_text(PlanStep, data["changes"])}


def case_timeline(case: Case, *, plan: SpecialPlan | None | bool = False, steps: list | None = None) -> list:
    """WF-2 for a case with its special plan and steps (one read of the events whatever the number of
    steps), for the page and the API. Pass what the caller already loaded."""
    from qsm.workflow.selectors import timeline

    if plan is False:
        plan = SpecialPlan.objects.filter(case=case).only("pk", "case_id").first()
    children = []
    if plan is not None:
        if steps is None:
            steps = list(PlanStep.objects.filter(plan=plan).only("pk", "position", "plan_id"))
        children = [(plan, _("Special solution plan"))]
        children += [(s, _("Plan step %(position)s") % {"position": s.position}) for s in steps]
    return timeline(case, children=children)


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDenied(message)


def _wrong_state_special() -> str:
    return _("The special solution is worked while the case is in the special-solution flow "
             "(the case is “%(state)s”).")


def _special_locked(case: Case, actor, *, allowed=can_work_case, denied: str | None = None, states=SPECIAL_STATES):
    """Lock the case, re-check the actor's right and that the case is complex and in the special flow."""
    denied = denied or _("You are not allowed to work on this case's special solution.")
    _require(allowed(actor, case), denied)
    return locked(case, actor=actor, allowed=allowed, states=states, denied=denied,
                  wrong_state=_wrong_state_special())


def _require_complex(case: Case) -> None:
    if not case.is_complex:
        raise TransitionNotAllowed(_("Only a complex case has a special solution: mark it complex first."))


def _text(value) -> str:
    return (value or "").strip()


# --- the discussion -----------------------------------------------------------------------------------

def case_discussion_open(*, case: Case, actor: User, topic: str, departments: Iterable[Department] = (),
                         users: Iterable[User] = ()) -> Discussion:
    """AFS-2: discuss the complex problem with invited departments and people (a second call invites
    more: invitations add up). The invited see the case (aftersales.rules CASE_VISIBILITY) and are
    told; the timeline says who was invited."""
    departments, users = invitation_clean(topic=topic, departments=departments, users=users)
    with _special_locked(case, actor) as root:
        _require_complex(root)
        invitation = discussion_invite(record=root, actor=actor, topic=topic, departments=departments, users=users)
        discussion, created = invitation.discussion, invitation.created
        engine.note(root, actor=actor, kind=Event.Kind.COMMENT, action="discussion_invite",
                    data={"topic": discussion.topic, "opened": created,
                          "departments": [d.name for d in invitation.departments],
                          "users": [str(u) for u in invitation.users]})
        notify(recipients=invitation.invitees(), exclude=actor, kind=KIND_INVITED,
               title=gettext_lazy("You are invited to the special-solution discussion of case %(number)s: %(topic)s"),
               params={"number": root.number, "topic": discussion.topic},
               url=root.get_absolute_url() + "#special")
    return discussion


def discussions_of(case: Case) -> Discussion | None:
    from qsm.discussions.selectors import discussion_of

    return discussion_of(case)


def case_discussion_note_add(*, case: Case, actor: User, body: str, meeting_at: dt.datetime | None = None
                             ) -> DiscussionNote:
    """AFS-2: the notes of a meeting (or a remark) of the discussion; who works the case and who was
    invited write them."""
    denied = _("Only participants of the discussion can add notes.")
    if not _text(body):
        raise ValidationError({"body": _("Write the notes.")}, code="required")
    with _special_locked(case, actor, allowed=can_discuss_case, denied=denied) as root:
        note = discussions.discussion_note_add(record=root, actor=actor, body=body, meeting_at=meeting_at)
        engine.note(root, actor=actor, kind=Event.Kind.MEETING_NOTE, action="discussion_note", comment=note.body)
    return note


# --- the plan -----------------------------------------------------------------------------------------

def _plan_texts(title: str, content: str) -> dict:
    errors = {}
    if not _text(title):
        errors["title"] = _("Give the plan a title.")
    if not _text(content):
        errors["content"] = _("Describe the special solution.")
    if errors:
        raise ValidationError(errors, code="invalid")
    return {"title": _text(title)[:200], "content": _text(content)}


def plan_create(*, case: Case, actor: User, title: str, content: str) -> SpecialPlan:
    """AFS-2: the special solution plan of a complex case (one per case; revised by edits)."""
    data = _plan_texts(title, content)
    with _special_locked(case, actor) as root:
        _require_complex(root)
        if SpecialPlan.objects.filter(case=root).exists():
            raise TransitionNotAllowed(_("This case already has its special solution plan: edit it instead."))
        plan = SpecialPlan.objects.create(case=root, created_by=actor, **data)
        engine.record_created(plan, actor=actor)
    return plan


def _plan_of(case: Case) -> SpecialPlan:
    plan = SpecialPlan.objects.filter(case=case).first()
    if plan is None:
        raise TransitionNotAllowed(_("This case has no special solution plan yet."))
    return plan


@contextlib.contextmanager
def _plan_locked(plan: SpecialPlan, actor, *, plan_states, wrong: str, allowed=can_work_case, denied=None):
    """Lock the case, then the plan (parent first, REL-1); check the case's state and the plan's."""
    with _special_locked(plan.case, actor, allowed=allowed, denied=denied) as root:
        current = lock(plan)
        current.case = root
        if current.status not in plan_states:
            raise TransitionNotAllowed(wrong % {"state": current.get_status_display()} if "%(state)s" in wrong
                                       else wrong, state=current.status)
        yield current


def plan_update(*, plan: SpecialPlan, actor: User, title: str, content: str, comment: str = "") -> SpecialPlan:
    """AFS-2: revise the plan's title and content (an edit on the timeline) until it is done."""
    data = _plan_texts(title, content)
    with _plan_locked(plan, actor, plan_states=(P.DRAFT, P.IN_PROGRESS),
                      wrong=_("The plan is “%(state)s” and can no longer be changed.")) as current:
        changes = engine.edit(current, actor=actor, data=data, tracked=SpecialPlan.TRACKED_FIELDS, comment=comment)
        if not changes:
            raise ValidationError({"content": _("Nothing was changed.")}, code="unchanged")
    engine.sync_fields(current, plan)
    return plan


def step_owner_candidates(case: Case) -> QuerySet[User]:
    """Who may own a step of the case's plan: the active people of the case's department, of the
    departments invited to its discussion, the people invited to it, and the quality department
    (who see every case); ordered by department and name (one query)."""
    discussion = discussions_of(case)
    q = Q(department_id=case.department_id) | Q(department__kind=Department.Kind.QUALITY)
    if discussion is not None:
        q |= Q(department__in=discussion.invited_departments.all()) | Q(invited_discussions=discussion)
    return (User.objects.filter(q, is_active=True).select_related("department").distinct()
            .order_by("department__name", "display_name", "username"))


def _step_errors(*, case: Case, description: str, owner: User | None, due_date: dt.date | None) -> dict:
    errors = {}
    if not _text(description):
        errors["description"] = _("Say what is to be done.")
    if owner is None:
        errors["owner"] = _("Choose who does this step.")
    elif not step_owner_candidates(case).filter(pk=owner.pk).exists():
        errors["owner"] = _("A step is owned by an active person of the case's department or invited to its "
                            "discussion.")
    if due_date is None:
        errors["due_date"] = _("Give the date the step is due.")
    elif due_date < timezone.localdate():
        errors["due_date"] = _("The date cannot be in the past.")
    elif due_date > DATE_MAX:
        errors["due_date"] = _("The date is too far in the future.")
    return errors


def _draft_locked(plan: SpecialPlan, actor):
    return _plan_locked(plan, actor, plan_states=(P.DRAFT,),
                        wrong=_("Steps are added, changed and removed while the plan is a draft "
                                "(the plan is “%(state)s”)."))


def _step_data(step: PlanStep) -> dict:
    return {"position": step.position, "description": step.description, "owner": str(step.owner),
            "due_date": step.due_date}


def plan_step_add(*, plan: SpecialPlan, actor: User, description: str, owner: User | None,
                  due_date: dt.date | None) -> PlanStep:
    """AFS-2: a step of the draft plan: what is to be done, by whom, by when."""
    with _draft_locked(plan, actor) as current:
        errors = _step_errors(case=current.case, description=description, owner=owner, due_date=due_date)
        if errors:
            raise ValidationError(errors, code="invalid")
        position = (current.steps.aggregate(n=Max("position"))["n"] or 0) + 1
        step = PlanStep.objects.create(plan=current, position=position, description=_text(description),
                                       owner=owner, due_date=due_date)
        engine.note(current, actor=actor, kind=Event.Kind.COMMENT, action="step_add", data=_step_data(step))
    return step


def _draft_step(step: PlanStep, current: SpecialPlan) -> PlanStep:
    found = PlanStep.objects.select_related("owner").filter(pk=step.pk, plan=current).first()
    if found is None:
        raise TransitionNotAllowed(_("This step is no longer in the plan."))
    found.plan = current
    return found


def plan_step_update(*, step: PlanStep, actor: User, description: str, owner: User | None,
                     due_date: dt.date | None) -> PlanStep:
    """AFS-2: change a step of the draft plan; the plan's timeline says what changed (old -> new)."""
    with _draft_locked(step.plan, actor) as current:
        errors = _step_errors(case=current.case, description=description, owner=owner, due_date=due_date)
        if errors:
            raise ValidationError(errors, code="invalid")
        found = _draft_step(step, current)
        new = {"description": _text(description), "owner": owner, "due_date": due_date}
        changes = {}
        for name, value in new.items():
            old = getattr(found, name)
            if old != value:
                changes[name] = [str(old) if name == "owner" else old, str(value) if name == "owner" else value]
                setattr(found, name, value)
        if not changes:
            raise ValidationError({"description": _("Nothing was changed.")}, code="unchanged")
        found.save(update_fields=list(changes))
        engine.note(current, actor=actor, kind=Event.Kind.EDIT, action="step_change",
                    data={"position": found.position, "changes": changes})
    engine.sync_fields(found, step)
    return step


def plan_step_remove(*, step: PlanStep, actor: User) -> None:
    """AFS-2: take a step out of the draft plan; the later steps move up one place."""
    with _draft_locked(step.plan, actor) as current:
        found = _draft_step(step, current)
        engine.note(current, actor=actor, kind=Event.Kind.EDIT, action="step_remove", data=_step_data(found))
        found.delete()
        # Close the gap one row at a time, in order (a position is never held twice).
        for later in current.steps.filter(position__gt=found.position).order_by("position"):
            PlanStep.objects.filter(pk=later.pk).update(position=later.position - 1)


def plan_start(*, plan: SpecialPlan, actor: User, comment: str = "") -> SpecialPlan:
    """AFS-2: the plan goes into effect (≥1 step, each with an owner and a date: the table's guard);
    each step's date clock starts and its owner is told."""
    with _plan_locked(plan, actor, plan_states=(P.DRAFT,),
                      wrong=_("Only a draft plan can be started (the plan is “%(state)s”).")) as current:
        started = engine.fire(current, "start", actor=actor, comment=comment)
        case = current.case
        for step in PlanStep.objects.filter(plan=current, status=ST.OPEN).select_related("owner"):
            step.plan = started
            started.case = case
            engine.clock_dates_refresh(step)
            notify(recipients=[step.owner], exclude=actor, kind=KIND_STEP,
                   title=gettext_lazy("Step %(position)s of the special solution of case %(number)s is yours, "
                                      "due %(date)s: %(description)s"),
                   params={"position": step.position, "number": case.number, "date": step.due_date.isoformat(),
                           "description": step.description[:80]},
                   url=case.get_absolute_url() + f"#step-{step.position}")
    engine.sync_fields(started, plan)
    return plan


def plan_cancel(*, plan: SpecialPlan, actor: User, comment: str) -> SpecialPlan:
    """AFS-2: give the plan up, saying why; its open steps stop reminding (the table's effect)."""
    with _plan_locked(plan, actor, plan_states=(P.DRAFT, P.IN_PROGRESS),
                      wrong=_("The plan is “%(state)s” and can no longer be cancelled.")) as current:
        cancelled = engine.fire(current, "cancel", actor=actor, comment=comment)
    engine.sync_fields(cancelled, plan)
    return plan


def plan_step_complete(*, step: PlanStep, actor: User, note: str) -> PlanStep:
    """AFS-2: the step's owner (or whoever works the case) says what was done. The last step done
    completes the plan, once: decided under the case's lock."""
    if not _text(note):
        raise ValidationError({"note": _("Say what was done.")}, code="required")
    case = step.plan.case
    denied = _("Only the step's owner or whoever works the case can report it done.")
    _require(can_complete_step(actor, step), denied)
    with locked(case, actor=actor, states=SPECIAL_STATES, wrong_state=_wrong_state_special()) as root:
        current_plan = lock(step.plan)
        current_plan.case = root
        current = PlanStep.objects.select_for_update().get(pk=step.pk)
        current.plan = current_plan
        _require(can_complete_step(actor, current), denied)
        if current_plan.status != P.IN_PROGRESS:
            raise TransitionNotAllowed(_("Steps are done while the plan is in progress (the plan is “%(state)s”).")
                                       % {"state": current_plan.get_status_display()})
        done = engine.fire(current, "complete", actor=actor, comment=_text(note), note=_text(note))
        if not PlanStep.objects.filter(plan=current_plan).exclude(status=ST.DONE).exists():
            engine.fire(current_plan, "complete", actor=actor)
            notify(recipients=[root.owner], exclude=actor, kind=KIND_PLAN_DONE,
                   title=gettext_lazy("Every step of the special solution of case %(number)s is done: "
                                      "the case can be resolved"),
                   params={"number": root.number}, url=root.get_absolute_url() + "#special")
    engine.sync_fields(done, step)
    return step


# --- progress told to the customer ---------------------------------------------------------------------

def case_customer_update(*, case: Case, actor: User, channel: str, summary: str,
                         occurred_at: dt.datetime | None = None) -> ContactEntry:
    """AFS-2: tell the customer how the solution progresses (an update of the core contact log)."""
    denied = _("You are not allowed to log progress on this case.")
    _require(can_work_case(actor, case), denied)
    with locked(case, actor=actor, allowed=can_work_case, states=UPDATE_STATES, denied=denied,
                wrong_state=_("Progress is told to the customer while the case is being worked "
                              "(the case is “%(state)s”).")) as root:
        return contact_add(record=root, actor=actor, kind=ContactEntry.Kind.UPDATE, channel=channel,
                           summary=summary, occurred_at=occurred_at)
