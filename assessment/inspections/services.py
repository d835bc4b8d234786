"""QC-2 writes: checklists built from standards, recurring inspection plans and their beat sweep,
carrying an inspection out (start, judge each item of each sampled record, complete, cancel).

The inspection is the root of its samples and findings: every write on a finding locks the
inspection first (``qsm.workflow.locking.locked``) and decides on the locked row, so a finding is
never judged on a completed or cancelled inspection and ``complete`` counts what was judged. The
transitions go through the engine (assessment/inspections/workflows.py says who and when).

A scheduled inspection is made by ``create_due_inspections`` (beat, daily): one per plan and
period (unique(plan, period_start): running the sweep twice creates nothing twice), its sample
drawn by ``assessment.inspections.spot_checks.draw_into`` (the same reproducible draw as a spot
check), then one pending finding per active item of the checklist for every sampled record.
"""
from __future__ import annotations

import calendar
import datetime as dt
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.fields import MULTI_LINE_MAX
from qsm.notify.services import notify
from qsm.workflow import engine
from qsm.workflow.locking import locked
from qsm.workflow.models import Event
from qsm.workflow.services import attachment_add, next_number

from ..rules import SYSTEM, actor_user
from .models import Checklist, ChecklistItem, Finding, Inspection, InspectionPlan, ItemKind
from .rules import can_manage_checklists, can_manage_plans, can_work_inspection
from .workflows import KIND_FINDING_FAILED, KIND_INSPECTION_ASSIGNED

S = Inspection.Status
R = Finding.Result

NUMBER_PREFIX = "INS"
# A plan that missed runs (the beat stopped for a while) catches up at most this many periods at once.
MAX_CATCH_UP = 12
# A scheduled inspection is to be done within this many days of its creation.
SCHEDULED_DAYS = 7


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDenied(message)


def _clean(instance, *, exclude: Iterable[str] = ()) -> None:
    """The model's own validators (length, control characters, ranges) as the service's field errors;
    a text without a column limit is held to the pages' limit (SEC-1)."""
    errors = {}
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        errors.update(exc.message_dict)
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname, None)
        if field.get_internal_type() == "TextField" and isinstance(value, str) and len(value) > MULTI_LINE_MAX:
            errors.setdefault(field.name, [_("Enter at most %(max)d characters.") % {"max": MULTI_LINE_MAX}])
    if errors:
        raise ValidationError(errors, code="invalid")


def _text(value) -> str:
    return (value or "").strip() if isinstance(value, str) else ""


# --- checklists -----------------------------------------------------------------------------------------

def _lines(text: str) -> list[str]:
    """The lines of a standard's text worth an item each (list markers and blank lines dropped)."""
    found = []
    # A line, or a clause of one ended by a semicolon (质量要求 are often written 一条一句；).
    for raw in (text or "").replace("；", "\n").replace(";", "\n").splitlines():
        line = raw.strip().lstrip("-*•·").strip()
        # "1." "1、" "（1）" numbering is the standard's, not the item's.
        for sep in (".", "、", "）", ")"):
            head, found_sep, rest = line.partition(sep)
            if found_sep and head.strip("（(").isdigit() and rest.strip():
                line = rest.strip()
                break
        if line:
            found.append(line[:500])
    return found


def items_from_standards(standards: Iterable) -> list[dict]:
    """One proposed item per line of each standard's effective version: its process lines as
    *process execution*, its quality-requirement lines as *standard compliance* (the kind of each is
    changed per item afterwards)."""
    items = []
    for standard in standards:
        version = standard.current_version
        if version is None:
            continue
        for line in _lines(version.process):
            items.append({"text": line, "kind": ItemKind.PROCESS, "standard": standard, "standard_version": version})
        for line in _lines(version.requirements):
            items.append({"text": line, "kind": ItemKind.COMPLIANCE, "standard": standard,
                          "standard_version": version})
    return items


def checklist_create(*, actor, name: str, module: str, standards: Iterable = (), items: Iterable[dict] | None = None,
                     description: str = "") -> Checklist:
    """QC-2: a checklist for one module; without ``items`` it is built from the standards' lines."""
    _require(can_manage_checklists(actor, None), _("Only the quality department makes checklists."))
    standards = list(standards)
    checklist = Checklist(name=_text(name), module=module, owner=actor, description=_text(description))
    _clean(checklist, exclude=("owner",))
    proposed = list(items) if items is not None else items_from_standards(standards)
    if not proposed:
        raise ValidationError({"standards": _("Choose standards with an effective version, or add items.")},
                              code="empty")
    rows = []
    for position, data in enumerate(proposed, start=1):
        item = ChecklistItem(position=position, text=_text(data.get("text")), kind=data.get("kind") or "",
                             standard=data.get("standard"), standard_version=data.get("standard_version"),
                             guidance=_text(data.get("guidance")))
        _clean(item, exclude=("checklist",))
        rows.append(item)
    with transaction.atomic():
        checklist.save()
        checklist.created_from.set(standards)
        for item in rows:
            item.checklist = checklist
        ChecklistItem.objects.bulk_create(rows)
        engine.record_created(checklist, actor=actor)
    return checklist


def _checklist_locked(checklist: Checklist, actor):
    return locked(checklist, actor=actor, allowed=can_manage_checklists,
                  denied=_("Only the quality department changes checklists."))


def checklist_update(*, checklist: Checklist, actor, **fields) -> Checklist:
    """Name, description, active; the changes land on the checklist's timeline."""
    allowed = {"name", "description", "active"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be edited here.") for name in sorted(unknown)})
    data = {k: (_text(v) if k != "active" else bool(v)) for k, v in fields.items()}
    with _checklist_locked(checklist, actor) as root:
        for name, value in data.items():
            setattr(root, name, value)
        _clean(root)
        root.refresh_from_db(fields=list(data))
        engine.edit(root, actor=actor, data=data, tracked=tuple(data))
        return root


def item_add(*, checklist: Checklist, actor, text: str, kind: str, guidance: str = "", standard=None) -> ChecklistItem:
    with _checklist_locked(checklist, actor) as root:
        position = (root.items.aggregate(n=Max("position"))["n"] or 0) + 1
        version = standard.current_version if standard is not None else None
        item = ChecklistItem(checklist=root, position=position, text=_text(text), kind=kind or "",
                             guidance=_text(guidance), standard=standard, standard_version=version)
        _clean(item)
        item.save()
        engine.note(root, actor=actor, kind=Event.Kind.EDIT, action="item_add", comment=item.text)
        return item


def item_update(*, item: ChecklistItem, actor, text: str | None = None, kind: str | None = None,
                guidance: str | None = None, active: bool | None = None) -> ChecklistItem:
    """Change an item. An item already judged keeps its text (the findings read it); it may be
    switched off for later inspections."""
    with _checklist_locked(item.checklist, actor) as root:
        current = ChecklistItem.objects.select_for_update().get(pk=item.pk, checklist=root)
        if text is not None and _text(text) != current.text and current.findings.exists():
            raise ValidationError({"text": _("This item was judged already: switch it off and add a new one.")},
                                  code="judged")
        for name, value in (("text", _text(text) if text is not None else None), ("kind", kind),
                            ("guidance", _text(guidance) if guidance is not None else None), ("active", active)):
            if value is not None:
                setattr(current, name, value)
        _clean(current)
        current.save()
        engine.note(root, actor=actor, kind=Event.Kind.EDIT, action="item_change", comment=current.text)
    engine.sync_fields(current, item)
    return item


# --- inspection plans -------------------------------------------------------------------------------------

PLAN_FIELDS = ("title", "department", "module", "checklist", "frequency", "sample_size", "inspector",
               "next_run_on", "active")


def _plan_errors(plan: InspectionPlan) -> dict:
    errors = {}
    if plan.checklist_id and plan.module and plan.checklist.module != plan.module:
        errors["checklist"] = _("The checklist is for another module.")
    if plan.checklist_id and not plan.checklist.active:
        errors["checklist"] = _("The checklist is switched off.")
    if plan.inspector_id and not plan.inspector.is_active:
        errors["inspector"] = _("The inspector's account is not active.")
    if plan.department_id and not plan.department.is_active:
        errors["department"] = _("Choose an active department.")
    return errors


def plan_create(*, actor, **fields) -> InspectionPlan:
    """QC-2: a recurring plan (定期检查计划) per department and module: beat makes its inspections."""
    _require(can_manage_plans(actor, None), _("Only the quality department plans inspections."))
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be edited here.") for name in sorted(unknown)})
    fields["title"] = _text(fields.get("title"))
    plan = InspectionPlan(created_by=actor_user(actor), **fields)
    _clean(plan, exclude=("created_by",))
    errors = _plan_errors(plan)
    if errors:
        raise ValidationError(errors, code="invalid")
    with transaction.atomic():
        plan.save()
        engine.record_created(plan, actor=actor)
    return plan


def plan_update(*, plan: InspectionPlan, actor, **fields) -> InspectionPlan:
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be edited here.") for name in sorted(unknown)})
    if "title" in fields:
        fields["title"] = _text(fields["title"])
    with locked(plan, actor=actor, allowed=can_manage_plans,
                denied=_("Only the quality department changes inspection plans.")) as root:
        probe = InspectionPlan(**{f.attname: getattr(root, f.attname) for f in InspectionPlan._meta.concrete_fields})
        for name, value in fields.items():
            setattr(probe, name, value)
        _clean(probe)
        errors = _plan_errors(probe)
        if errors:
            raise ValidationError(errors, code="invalid")
        engine.edit(root, actor=actor, data=fields, tracked=InspectionPlan.TRACKED_FIELDS)
        return root


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_run(plan_frequency: str, day: dt.date) -> dt.date:
    F = InspectionPlan.Frequency
    if plan_frequency == F.WEEKLY:
        return day + dt.timedelta(days=7)
    return _add_months(day, 1 if plan_frequency == F.MONTHLY else 3)


def period_for(plan_frequency: str, run_on: dt.date) -> tuple[dt.date, dt.date]:
    """The period a run on ``run_on`` inspects: the week, month or quarter that ended the day before
    (inclusive bounds). A run on 1 April of a quarterly plan inspects 1 January – 31 March."""
    F = InspectionPlan.Frequency
    end = run_on - dt.timedelta(days=1)
    if plan_frequency == F.WEEKLY:
        return end - dt.timedelta(days=6), end
    months = 1 if plan_frequency == F.MONTHLY else 3
    start = _add_months(run_on, -months)
    return start, end


def draw_sample(inspection: Inspection) -> None:
    """The sample of an inspection and its pending findings: the reproducible draw of the spot checks
    (``spot_checks.draw_into``: the same seed draws the same records)."""
    from .spot_checks import draw_into

    draw_into(inspection)


def _plan_run(plan: InspectionPlan, run_on: dt.date, today: dt.date) -> Inspection | None:
    start, end = period_for(plan.frequency, run_on)
    if Inspection.objects.filter(plan=plan, period_start=start).exists():
        return None
    inspection = Inspection(
        number=next_number(NUMBER_PREFIX), kind=Inspection.Kind.SCHEDULED, plan=plan, department=plan.department,
        module=plan.module, checklist=plan.checklist, period_start=start, period_end=end,
        sample_size=plan.sample_size, seed=secrets.randbits(62), inspector=plan.inspector,
        due_on=max(today, run_on) + dt.timedelta(days=SCHEDULED_DAYS), title=plan.title[:200])
    try:
        with transaction.atomic():
            inspection.save()
    except IntegrityError:  # another sweep made it between the check and the insert
        return None
    engine.record_created(inspection, actor=SYSTEM)
    draw_sample(inspection)
    return inspection


def create_due_inspections(today: dt.date | None = None) -> list[Inspection]:
    """Beat (daily): every active plan whose ``next_run_on`` has come makes the inspection of the
    period that just ended, draws its sample and moves ``next_run_on`` on. Idempotent: a plan is
    locked while it runs and an inspection exists once per (plan, period_start)."""
    today = today or timezone.localdate()
    created = []
    due = list(InspectionPlan.objects.filter(active=True, next_run_on__lte=today).order_by("next_run_on", "id")
               .values_list("pk", flat=True))
    for pk in due:
        with transaction.atomic():
            plan = InspectionPlan.objects.select_for_update(skip_locked=True).filter(pk=pk, active=True).first()
            if plan is None or plan.next_run_on > today:
                continue
            runs = 0
            while plan.next_run_on <= today and runs < MAX_CATCH_UP:
                inspection = _plan_run(plan, plan.next_run_on, today)
                if inspection is not None:
                    created.append(inspection)
                plan.last_run_on = plan.next_run_on
                plan.next_run_on = next_run(plan.frequency, plan.next_run_on)
                runs += 1
            while plan.next_run_on <= today:  # more missed runs than caught up: skip to the next one
                plan.next_run_on = next_run(plan.frequency, plan.next_run_on)
            plan.save(update_fields=["next_run_on", "last_run_on", "updated_at"])
    for inspection in created:
        _tell_inspector(inspection)
    return created


def _tell_inspector(inspection: Inspection) -> None:
    notify(recipients=[inspection.inspector], kind=KIND_INSPECTION_ASSIGNED,
           title=gettext_lazy("Inspection %(number)s assigned to you"), params={"number": inspection.number},
           url=inspection.get_absolute_url())


# --- carrying an inspection out -------------------------------------------------------------------------

def _inspection_locked(inspection: Inspection, actor, *, states=Inspection.OPEN_STATES):
    return locked(inspection, actor=actor, allowed=can_work_inspection, states=states,
                  denied=_("Only the inspector or the quality department carries this inspection out."),
                  wrong_state=_("The inspection is “%(state)s”: its findings can no longer be changed."))


def inspection_start(*, inspection: Inspection, actor) -> Inspection:
    return engine.fire(inspection, "start", actor=actor)


def inspection_complete(*, inspection: Inspection, actor, summary: str = "") -> Inspection:
    """Every item of every sampled record judged: the counts are stored (the workflow's effect)."""
    summary = _text(summary)
    _clean(Inspection(summary=summary), exclude=[f.name for f in Inspection._meta.fields if f.name != "summary"])
    return engine.fire(inspection, "complete", actor=actor, summary=summary)


def inspection_cancel(*, inspection: Inspection, actor, reason: str) -> Inspection:
    reason = _text(reason)
    _clean(Inspection(cancel_reason=reason),
           exclude=[f.name for f in Inspection._meta.fields if f.name != "cancel_reason"])
    return engine.fire(inspection, "cancel", actor=actor, comment=reason)


def inspection_fire(*, inspection: Inspection, actor, action: str, comment: str = "", summary: str = "") -> Inspection:
    """One of the inspection's actions by name (the page's buttons and the API)."""
    if action == "complete":
        return inspection_complete(inspection=inspection, actor=actor, summary=summary or comment)
    if action == "cancel":
        return inspection_cancel(inspection=inspection, actor=actor, reason=comment)
    if action == "start":
        return inspection_start(inspection=inspection, actor=actor)
    raise TransitionNotAllowed(_("Unknown action “%(action)s”.") % {"action": action}, action=action)


def finding_judge(*, finding: Finding, actor, result: str, comment: str = "", upload=None,
                  description: str = "") -> Finding:
    """QC-2: pass / fail / not applicable, with a comment (required for a failure) and evidence.
    Judging the first item of a planned inspection starts it."""
    comment = _text(comment)
    errors = {}
    if result not in (R.PASS, R.FAIL, R.NA):
        errors["result"] = _("Choose pass, fail or not applicable.")
    if result == R.FAIL and not comment:
        errors["comment"] = _("Say what was found wrong.")
    try:
        _clean(Finding(comment=comment), exclude=[f.name for f in Finding._meta.fields if f.name != "comment"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors, code="invalid")
    user = actor_user(actor)
    with _inspection_locked(finding.inspection, actor) as root:
        current = Finding.objects.select_for_update().filter(pk=finding.pk, inspection=root).first()
        if current is None:
            raise TransitionNotAllowed(_("This finding is no longer part of the inspection."))
        if root.status == S.PLANNED:
            engine.fire(root, "start", actor=actor)
        was = current.result
        current.result, current.comment = result, comment
        current.judged_by, current.judged_at = user, timezone.now()
        current.save(update_fields=["result", "comment", "judged_by", "judged_at"])
        if upload is not None:
            attachment_add(record=current, upload=upload, actor=user, description=_text(description)[:200])
        engine.note(root, actor=actor, kind=Event.Kind.COMMENT, action="judge",
                    comment=f"{current.sample.number} · {current.item.text}: {current.get_result_display()}")
        if result == R.FAIL and was != R.FAIL:
            _tell_failure(root, current)
    engine.sync_fields(current, finding)
    return finding


def _tell_failure(inspection: Inspection, finding: Finding) -> None:
    """A failed item is told to the inspected department's managers (a notice may follow: QC-3)."""
    from qsm.org.selectors import managers_of

    notify(recipients=list(managers_of(department_ids=[inspection.department_id])), kind=KIND_FINDING_FAILED,
           title=gettext_lazy("Inspection %(number)s: an item failed"),
           body=gettext_lazy("%(record)s: %(item)s"),
           params={"number": inspection.number, "record": finding.sample.number, "item": finding.item.text},
           url=finding.get_absolute_url(), exclude=finding.judged_by)


def finding_attach(*, finding: Finding, actor, upload, description: str = ""):
    """Evidence on a finding (WF-3), while the inspection is open."""
    with _inspection_locked(finding.inspection, actor) as root:
        current = Finding.objects.filter(pk=finding.pk, inspection=root).first()
        if current is None:
            raise TransitionNotAllowed(_("This finding is no longer part of the inspection."))
        return attachment_add(record=current, upload=upload, actor=actor_user(actor), description=_text(description))

