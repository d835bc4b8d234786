"""How the inquiry's service lines read on the timeline (WF-2): raw data in, the reader's language out."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.workflow.selectors import register_event_text

from .models import Inquiry


def _solution(data: dict) -> str:
    return _("Tailored solution v%(version)s: %(title)s") % {"version": data["version"], "title": data["title"]}


def register_texts() -> None:
    register_event_text(Inquiry, "solution", _solution, label=gettext_lazy("Tailored solution"))
