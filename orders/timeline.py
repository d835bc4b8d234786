"""How the order's service lines read on the timeline (WF-2): raw data in, the reader's language out."""
from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from qsm.workflow.selectors import register_event_text

from .models import ChecklistItem, Installation, Order, ProductionStep, ReviewFinding


def _findings(data: dict) -> str:
    items = dict(ChecklistItem.choices)
    results = dict(ReviewFinding.Result.choices)
    return "; ".join(f"{items.get(item, item)}: {results.get(result, result)}" + (f" ({note})" if note else "")
                     for item, result, note in data["findings"])


def _from_inquiry(data: dict) -> str:
    return _("Converted from inquiry %(number)s") % {"number": data["inquiry"]}


def _production_step(data: dict) -> str:
    stage = dict(ProductionStep.Stage.choices).get(data.get("stage"), data.get("stage"))
    return _("Production: %(step)s") % {"step": stage}


def _day(value: str) -> str:
    return formats.date_format(dt.date.fromisoformat(value), "DATE_FORMAT")


def _rescheduled(data: dict) -> str:
    # ORD-3: the date in force and the one it replaced, in the reader's language (the reason is the comment).
    return _("Installation rescheduled from %(old)s to %(new)s") % {"old": _day(data["old"]), "new": _day(data["new"])}


def _engineers_changed(data: dict) -> str:
    added, removed = len(data.get("added") or []), len(data.get("removed") or [])
    parts = []
    if added:
        parts.append(ngettext("%(n)s engineer added", "%(n)s engineers added", added) % {"n": added})
    if removed:
        parts.append(ngettext("%(n)s engineer taken off", "%(n)s engineers taken off", removed) % {"n": removed})
    return _("Engineers changed: %(what)s") % {"what": "; ".join(parts)} if parts else _("Engineers changed")


def register_texts() -> None:
    register_event_text(Order, "production_step", _production_step, label=gettext_lazy("Production step"))
    register_event_text(Order, "review_findings", _findings, label=gettext_lazy("Review findings"))
    register_event_text(Order, "from_inquiry", _from_inquiry, label=gettext_lazy("Created from the inquiry"))
    register_event_text(Installation, "reschedule", _rescheduled, label=gettext_lazy("Reschedule"))
    register_event_text(Installation, "change_engineers", _engineers_changed, label=gettext_lazy("Change engineers"))
