"""How the case's own timeline lines read (WF-2): raw data in, the reader's language out."""
from __future__ import annotations

from django.utils.translation import gettext_lazy

from qsm.workflow.selectors import register_event_text

from .models import Case


def register_texts() -> None:
    # AFS-1: a re-routing is an edit of department and owner with the reason as its comment.
    register_event_text(Case, "reroute", lambda data: "", label=gettext_lazy("Re-routed"))
