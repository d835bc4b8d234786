"""How the complaint's own timeline lines read (WF-2): raw data in, the reader's language out."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.workflow.selectors import register_event_text

from .models import Complaint, HandlingPlan


def _revision(data: dict) -> str:
    version = data.get("revises")
    return _("Revision of version %(version)s") % {"version": version} if version else ""


def register_texts() -> None:
    # §5(一)2: the reply given to the customer is an edit of its own (reply, time), not a state.
    register_event_text(Complaint, "reply", lambda data: "", label=gettext_lazy("Reply recorded"))
    # CMP-3: a plan version drafted as the revision of a rejected one.
    register_event_text(HandlingPlan, "revise", _revision, label=gettext_lazy("Revised"))
