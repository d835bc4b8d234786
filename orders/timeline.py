"""How the order's service lines read on the timeline (WF-2): raw data in, the reader's language out."""
from __future__ import annotations

from django.utils.translation import gettext as _

from qsm.workflow.selectors import register_event_text

from .models import ChecklistItem, Order, ProductionStep, ReviewFinding


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


def register_texts() -> None:
    register_event_text(Order, "production_step", _production_step)
    register_event_text(Order, "review_findings", _findings)
    register_event_text(Order, "from_inquiry", _from_inquiry)
