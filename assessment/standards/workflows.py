"""QC-1: the lifecycle of a standard's version (WF-1) and its clocks (SLA-1/SLA-2).

StandardVersion:
    draft --submit (author, the standard's owner, quality dept; guard: a title and some text)--> review
    review --approve (quality manager, never the author; guard: effective and review dates set,
        review after effective)--> approved
    review --return (quality manager; reason required)--> draft
    draft --withdraw (author, owner, quality dept)--> withdrawn
    approved --activate (SYSTEM, once effective_on <= today)--> effective
        (its effect supersedes the standard's effective version and makes this one the current one)
    effective --supersede (SYSTEM, from the next version's activation)--> superseded
    effective --retire (quality manager; reason required)--> superseded
        (the standard is retired 废止: no review falls due any more; its last text stays readable)

``activate_version(version)`` locks the standard (the root of its versions) and fires ``activate``:
h2's approval service calls it when the date is already due, its beat sweep for the others.

Clocks: ``standard_approval`` (a policy: assessment/reference.py) while a version is in review, the
quality department's managers are reminded; ``standard_review`` runs to the effective version's
``review_on`` (10 working days' notice) reminding the standard's owner, late the quality department
hears of it. This is the "beat sweep reminds owners of reviews that fall due": the core SLA sweep.
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.errors import ValidationError
from qsm.notify.kinds import register_kind
from qsm.workflow.clocks import MANAGERS, OWNER, QUALITY, Clock, Recipients
from qsm.workflow.colours import declare_colours
from qsm.workflow.engine import Transition, Workflow, fire, register

from ..rules import SYSTEM, actor_user, quality_department, system_only
from .models import Standard, StandardVersion
from .rules import can_approve_version, can_edit_version, can_retire_standard, can_return_version

V = StandardVersion.Status

APPROVAL = "standard_approval"
REVIEW = "standard_review"
REVIEW_LEAD_DAYS = 10


def _text(params: dict, name: str) -> str:
    return (params.get(name) or "").strip()


def _submit_guard(version: StandardVersion, actor, params: dict) -> None:
    errors = {}
    if not version.title.strip():
        errors["title"] = _("Give the version a title.")
    if not (version.process.strip() or version.content.strip() or version.requirements.strip()):
        errors["requirements"] = _("Write the process, the content or the quality requirements.")
    if version.standard.retired:
        errors["standard"] = _("The standard is retired.")
    if errors:
        raise ValidationError(errors, code="invalid")


def _submit(version: StandardVersion, actor, params: dict) -> None:
    version.submitted_at = timezone.now()
    version.return_reason = ""


def dates_missing(version: StandardVersion) -> dict:
    """QC-1: what an approval needs: the effective date and a next review after it."""
    errors = {}
    if version.effective_on is None:
        errors["effective_on"] = _("Set the date the version takes effect.")
    if version.review_on is None:
        errors["review_on"] = _("Set the date of the next review.")
    elif version.effective_on is not None and version.review_on <= version.effective_on:
        errors["review_on"] = _("The next review comes after the effective date.")
    return errors


def _approve_guard(version: StandardVersion, actor, params: dict) -> None:
    errors = dates_missing(version)
    if errors:
        raise ValidationError(errors, code="dates_missing")


def _approve(version: StandardVersion, actor, params: dict) -> None:
    version.approved_by = actor_user(actor)
    version.approved_at = timezone.now()


def _return(version: StandardVersion, actor, params: dict) -> None:
    version.return_reason = _text(params, "comment")
    version.submitted_at = None


def _activate_guard(version: StandardVersion, actor, params: dict) -> None:
    if version.effective_on is None or version.effective_on > timezone.localdate():
        raise ValidationError({"effective_on": _("The version takes effect on its effective date.")},
                              code="not_due")


def _activate(version: StandardVersion, actor, params: dict) -> None:
    now = timezone.now()
    # The version it replaces first: one effective version per standard (a partial unique index).
    for previous in StandardVersion.objects.filter(standard_id=version.standard_id, status=V.EFFECTIVE) \
            .exclude(pk=version.pk):
        fire(previous, "supersede", actor=SYSTEM)
    version.effective_at = now
    Standard.objects.filter(pk=version.standard_id).update(
        current_version=version, next_review_on=version.review_on, updated_at=now)


def _supersede(version: StandardVersion, actor, params: dict) -> None:
    version.superseded_at = timezone.now()


def _retire(version: StandardVersion, actor, params: dict) -> None:
    version.superseded_at = timezone.now()
    Standard.objects.filter(pk=version.standard_id).update(retired=True, next_review_on=None,
                                                           updated_at=version.superseded_at)


def activate_version(version: StandardVersion) -> StandardVersion:
    """Make an approved version effective (its date has come): the standard is locked first."""
    with transaction.atomic():
        Standard.objects.select_for_update().get(pk=version.standard_id)
        return fire(version, "activate", actor=SYSTEM)


def _title(version: StandardVersion) -> str:
    return f"{version.number} {version.title}"


VERSION_WORKFLOW = register(Workflow(model=StandardVersion, clocks=[
    # Returned to its author: no decision is owed any more until it is submitted again.
    Clock(APPROVAL, label=gettext_lazy("Standard revision approval"), states=(V.REVIEW,), cancel_on=("return",),
          title=_title,
          owner=None, department=lambda v: quality_department(),
          remind_to=Recipients(assigned=(MANAGERS,), unassigned=(MANAGERS,)),
          escalate_to=Recipients(assigned=(MANAGERS, QUALITY), unassigned=(MANAGERS, QUALITY))),
    Clock(REVIEW, label=gettext_lazy("Standard review"), states=(V.EFFECTIVE,), due="review_on",
          lead_days=REVIEW_LEAD_DAYS, cancel_on=("retire",), title=_title, owner=lambda v: v.standard.owner,
          department=lambda v: quality_department(),
          remind_to=Recipients(assigned=(OWNER,), unassigned=(MANAGERS,)),
          escalate_to=Recipients(assigned=(OWNER, QUALITY), unassigned=(QUALITY,))),
], transitions=[
    Transition("submit", (V.DRAFT,), V.REVIEW, gettext_lazy("Submit for review"), can_edit_version,
               guard=_submit_guard, effect=_submit),
    Transition("approve", (V.REVIEW,), V.APPROVED, gettext_lazy("Approve"), can_approve_version,
               guard=_approve_guard, effect=_approve, style="success"),
    Transition("return", (V.REVIEW,), V.DRAFT, gettext_lazy("Return for changes"), can_return_version,
               effect=_return, comment_required=True, style="warning"),
    Transition("withdraw", (V.DRAFT,), V.WITHDRAWN, gettext_lazy("Withdraw"), can_edit_version,
               style="secondary"),
    Transition("activate", (V.APPROVED,), V.EFFECTIVE, gettext_lazy("Take effect"), system_only,
               guard=_activate_guard, effect=_activate),
    Transition("supersede", (V.EFFECTIVE,), V.SUPERSEDED, gettext_lazy("Superseded"), system_only,
               effect=_supersede),
    Transition("retire", (V.EFFECTIVE,), V.SUPERSEDED, gettext_lazy("Retire the standard"), can_retire_standard,
               effect=_retire, comment_required=True, style="danger"),
]))

declare_colours(StandardVersion, {
    V.DRAFT: "secondary", V.REVIEW: "warning", V.APPROVED: "info", V.EFFECTIVE: "success",
    V.SUPERSEDED: "light", V.WITHDRAWN: "light",
})

KIND_VERSION_SUBMITTED = "standard_version_submitted"
KIND_VERSION_DECIDED = "standard_version_decided"
KIND_VERSION_EFFECTIVE = "standard_version_effective"
for _kind, _label in [
    (KIND_VERSION_SUBMITTED, gettext_lazy("Standard revision awaiting approval")),
    (KIND_VERSION_DECIDED, gettext_lazy("Standard revision approved or returned")),
    (KIND_VERSION_EFFECTIVE, gettext_lazy("Standard revision in effect")),
]:
    register_kind(_kind, _label)
