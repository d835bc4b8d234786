"""QC-1 service standards: every write (§4(一): standards are set, reviewed and revised).

- ``standard_create``: a standard with its first version, a draft;
- ``standard_update``: the standard's card (title, kind, modules, departments, owner);
- ``version_revise``: the next version, a draft copied from the newest one (only one revision open);
- ``version_update``: a draft's text and dates;
- ``version_fire``: submit / approve / return / withdraw through the engine. An approval whose
  effective date has come makes the version effective in the same transaction;
- ``activate_due_versions``: the beat sweep that makes approved versions effective on their date
  (the version it replaces is superseded in the same lock).

REL-1: every write that reads or changes a version locks its standard (the root) first and decides
inside the lock, so two quality managers approving at once give one approval, and a revision
started twice gives one draft.
"""
from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.notify.services import notify
from qsm.org.selectors import department_managers
from qsm.validation import clean_date, clean_text, require
from qsm.workflow import engine
from qsm.workflow.locking import lock
from qsm.workflow.services import next_number

from ..choices import Module
from ..rules import SYSTEM, quality_department
from .models import SUMMARY_MAX, TEXT_MAX, Standard, StandardVersion
from .rules import can_create_standard, can_edit_version, can_manage_standard
from .workflows import (
    KIND_VERSION_DECIDED,
    KIND_VERSION_EFFECTIVE,
    KIND_VERSION_SUBMITTED,
    activate_version,
    dates_missing,
)

V = StandardVersion.Status
TEXT_FIELDS = ("process", "content", "requirements", "change_summary")
VERSION_FIELDS = ("title", *TEXT_FIELDS, "effective_on", "review_on")
ACTIONS = ("submit", "approve", "return", "withdraw")  # what a person fires (activate/supersede: the system)


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors, code="invalid")


def _card(errors: dict, *, title, kind, modules, departments, owner) -> dict:
    data = {"title": clean_text(errors, "title", title, multiline=False, max_length=200,
                                required=_("Give the standard a title."))}
    if kind not in Standard.Kind.values:
        errors["kind"] = _("Choose a kind.")
    data["kind"] = kind
    modules = list(dict.fromkeys(modules or []))
    if any(m not in Module.values for m in modules):
        errors["modules"] = _("Choose modules from the list.")
    data["modules"] = modules
    if owner is None or not getattr(owner, "is_active", False):
        errors["owner"] = _("Choose an active person.")
    data["owner"] = owner
    data["departments"] = list(departments or [])
    return data


def _version_fields(errors: dict, fields: dict) -> dict:
    data = {}
    if "title" in fields:
        data["title"] = clean_text(errors, "title", fields["title"], multiline=False, max_length=200,
                                   required=_("Give the version a title."))
    for name in TEXT_FIELDS:
        if name in fields:
            data[name] = clean_text(errors, name, fields[name],
                                    max_length=SUMMARY_MAX if name == "change_summary" else TEXT_MAX)
    for name in ("effective_on", "review_on"):
        if name in fields:
            data[name] = clean_date(errors, name, fields[name])
    return data


def _check_dates(errors: dict, effective_on, review_on) -> None:
    if effective_on and review_on and review_on <= effective_on:
        errors["review_on"] = _("The next review comes after the effective date.")


def standard_create(*, actor, title: str, kind: str, owner, modules=(), departments=(), process: str = "",
                    content: str = "", requirements: str = "", change_summary: str = "", effective_on=None,
                    review_on=None) -> Standard:
    """QC-1: a new standard with version 1 as a draft written by ``actor``."""
    require(can_create_standard(actor), _("You are not allowed to create service standards."))
    errors: dict = {}
    card = _card(errors, title=title, kind=kind, modules=modules, departments=departments, owner=owner)
    fields = _version_fields(errors, {"title": title, "process": process, "content": content,
                                      "requirements": requirements, "change_summary": change_summary,
                                      "effective_on": effective_on, "review_on": review_on})
    _check_dates(errors, fields.get("effective_on"), fields.get("review_on"))
    _raise(errors)
    departments = card.pop("departments")
    with transaction.atomic():
        standard = Standard.objects.create(number=next_number("STD"), created_by=actor, **card)
        standard.departments.set(departments)
        version = StandardVersion.objects.create(standard=standard, version=1, author=actor, **fields)
        engine.record_created(standard, actor=actor)
        engine.record_created(version, actor=actor)
    return standard


def standard_update(*, standard: Standard, actor, title: str, kind: str, owner, modules=(),
                    departments=()) -> Standard:
    """QC-1: the standard's card; the departments' change is on the timeline too (WF-2)."""
    errors: dict = {}
    card = _card(errors, title=title, kind=kind, modules=modules, departments=departments, owner=owner)
    _raise(errors)
    departments = card.pop("departments")
    with transaction.atomic():
        root = lock(standard)
        require(can_manage_standard(actor, root), _("Only the owner or the quality department changes the standard."))
        engine.edit(root, actor=actor, data=card, tracked=Standard.TRACKED_FIELDS)
        old = sorted(root.departments.values_list("pk", flat=True))
        new = sorted(d.pk for d in departments)
        if old != new:
            root.departments.set(departments)
            engine.record_change(root, actor=actor, field="departments", old=old, new=new)
    engine.sync_fields(root, standard)
    return standard


def version_revise(*, standard: Standard, actor) -> StandardVersion:
    """QC-1 §4(一)2: start the next revision: a draft copying the newest version's text; the effective
    version stays in force (and readable) until the revision takes effect."""
    with transaction.atomic():
        root = lock(standard)
        require(can_manage_standard(actor, root), _("Only the owner or the quality department revises the standard."))
        if root.retired:
            raise TransitionNotAllowed(_("The standard is retired."), action="revise")
        if root.versions.filter(status__in=StandardVersion.OPEN_STATES).exists():
            raise TransitionNotAllowed(_("A revision of this standard is already open: finish or withdraw it first."),
                                       action="revise")
        base = root.current_version or root.versions.order_by("-version").first()
        number = (root.versions.aggregate(m=Max("version"))["m"] or 0) + 1
        copied = {name: getattr(base, name) for name in ("title", "process", "content", "requirements")} if base \
            else {"title": root.title}
        version = StandardVersion.objects.create(standard=root, version=number, author=actor, **copied)
        engine.record_created(version, actor=actor, action="revise",
                              data={"from_version": base.version if base else None})
    return version


def version_update(*, version: StandardVersion, actor, **fields) -> StandardVersion:
    """QC-1: change a draft's text and dates (its author, the owner, the quality department)."""
    unknown = set(fields) - set(VERSION_FIELDS)
    if unknown:
        raise ValueError(f"not a version field: {sorted(unknown)}")
    errors: dict = {}
    data = _version_fields(errors, fields)
    _raise(errors)
    with transaction.atomic():
        lock(version.standard)
        row = lock(version)
        require(can_edit_version(actor, row), _("Only the author, the owner or the quality department edits this draft."))
        if row.status != V.DRAFT:
            raise TransitionNotAllowed(_("Only a draft is edited (this version is “%(state)s”).")
                                       % {"state": row.get_status_display()}, state=row.status)
        _check_dates(errors, data.get("effective_on", row.effective_on), data.get("review_on", row.review_on))
        _raise(errors)
        engine.edit(row, actor=actor, data=data, tracked=StandardVersion.TRACKED_FIELDS)
    engine.sync_fields(row, version)
    return version


def version_fire(*, version: StandardVersion, actor, action: str, comment: str = "") -> StandardVersion:
    """QC-1: submit, approve, return (reason required) or withdraw a version, the standard locked
    first. An approved version whose effective date has come takes effect at once."""
    if action not in ACTIONS:
        raise TransitionNotAllowed(_("Unknown action “%(action)s”.") % {"action": action}, action=action)
    with transaction.atomic():
        root = lock(version.standard)
        version = engine.fire(version, action, actor=actor, comment=comment)
        if action == "approve" and version.effective_on <= timezone.localdate():
            version = activate_version(version)
        _tell(root, version, action, actor)
    return version


def activate_due_versions(*, today=None, limit: int = 500) -> int:
    """The beat sweep (QC-1): approved versions whose effective date has come take effect, each under
    its standard's lock; the version they replace is superseded (workflows._activate). Reads only what
    is due (the partial index on approved versions' effective_on)."""
    today = today or timezone.localdate()
    due = list(StandardVersion.objects.filter(status=V.APPROVED, effective_on__lte=today)
               .order_by("effective_on", "id").values_list("pk", flat=True)[:limit])
    done = 0
    for pk in due:
        with transaction.atomic():
            version = StandardVersion.objects.select_related("standard").get(pk=pk)
            root = lock(version.standard)
            version = lock(version)
            if version.status != V.APPROVED or version.effective_on > today:
                continue  # another sweep was first
            version = activate_version(version)
            _tell(root, version, "activate", SYSTEM)
            done += 1
    return done


# --- notifications (NTF-1): on commit, in each recipient's language -----------------------------

def _quality_managers():
    dept = quality_department()
    return list(department_managers(department=dept))


_SUBMITTED = gettext_lazy("Standard revision %(number)s awaits your approval")
_APPROVED = gettext_lazy("Standard revision %(number)s was approved")
_RETURNED = gettext_lazy("Standard revision %(number)s was returned: %(reason)s")
_EFFECTIVE = gettext_lazy("Standard revision %(number)s is now in effect")


def _person(actor):
    return actor if getattr(actor, "pk", None) else None


def _tell(standard: Standard, version: StandardVersion, action: str, actor) -> None:
    params = {"number": f"{standard.number} v{version.version}", "reason": version.return_reason}
    url = version.get_absolute_url()
    people = {standard.owner, version.author}
    if action == "submit":
        notify(recipients=_quality_managers(), kind=KIND_VERSION_SUBMITTED, title=_SUBMITTED, params=params, url=url,
               exclude=_person(actor))
    elif action in ("approve", "return"):
        notify(recipients=people, kind=KIND_VERSION_DECIDED, title=_APPROVED if action == "approve" else _RETURNED,
               params=params, url=url, exclude=_person(actor))
    if version.status == V.EFFECTIVE:
        notify(recipients=people, kind=KIND_VERSION_EFFECTIVE, title=_EFFECTIVE, params=params, url=url)


__all__ = ["activate_due_versions", "dates_missing", "standard_create", "standard_update", "version_fire",
           "version_revise", "version_update"]
