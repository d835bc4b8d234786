"""How the inspection's and the checklist's own timeline lines read (WF-2): edits that are not
transitions, named for the reader."""
from __future__ import annotations

from django.utils.translation import gettext_lazy

from qsm.workflow.selectors import register_event_text

from .models import Checklist, Inspection


def _nothing(data: dict) -> str:
    return ""  # the line's comment says what (the item's text, the judged item and its result)


def register_texts() -> None:
    register_event_text(Checklist, "item_add", _nothing, label=gettext_lazy("Checklist item added"))
    register_event_text(Checklist, "item_change", _nothing, label=gettext_lazy("Checklist item changed"))
    # QC-2: each item of a sampled record judged pass / fail / not applicable.
    register_event_text(Inspection, "judge", _nothing, label=gettext_lazy("Item judged"))
