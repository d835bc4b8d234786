"""CMP-4/CMP-5 sections of the complaint's record page (``complaints.sections``): the customer
confirmation (rounds, plan versions, answers; the phone answer, the signed link, closing
unresolved) and, once closed, the case report and the preventive measures.

Each context reads with a fixed number of queries whatever the number of rounds or measures.
"""
from __future__ import annotations

from .forms.confirmation import ConfirmLinkForm, PhoneAnswerForm, PreventiveMeasureForm
from .models import Complaint
from .rules import can_complete_preventive, can_investigate, can_write_report
from .sections import register_section
from .selectors.prevention import case_report_of, confirmation_history, preventive_of
from .services.confirmation import open_links

C = Complaint.Status


def confirmation_context(complaint: Complaint, user) -> dict | None:
    """Shown from the first confirmation on (the page merges every section's context: the keys
    are this section's own)."""
    if not (complaint.round > 1 or complaint.status in (C.CONFIRMING, *Complaint.CLOSED_STATES)):
        return None
    asking = complaint.status == C.CONFIRMING and bool(can_investigate(user, complaint))
    return {
        "confirmation_history": confirmation_history(complaint),
        "can_ask_customer": asking,
        "answer_form": PhoneAnswerForm() if asking else None,
        "confirm_link_form": ConfirmLinkForm() if asking else None,
        "confirm_open_link": open_links(complaint).order_by("-created_at").first() if asking else None,
    }


def report_context(complaint: Complaint, user) -> dict | None:
    """Shown once the complaint is closed (either way)."""
    if complaint.status not in Complaint.CLOSED_STATES:
        return None
    can_write = bool(can_write_report(user, complaint))
    preventive = preventive_of(complaint)
    return {
        "case_report": case_report_of(complaint),
        "can_write_report": can_write,
        "preventive_measures": preventive,
        "preventive_completable": {m.pk for m in preventive if can_complete_preventive(user, m)},
        "preventive_form": PreventiveMeasureForm() if can_write else None,
    }


def register() -> None:
    register_section("confirmation", 60, "complaints/_confirmation.html", confirmation_context)
    register_section("report", 70, "complaints/_report.html", report_context)
