"""CMP-4/CMP-5 sections of the complaint's record page (registered in ``complaints.sections``):
the customer confirmation (rounds, plan versions, answers, the phone answer, the signed link,
closing unresolved) and, once closed, the case report and preventive measures."""
from __future__ import annotations

from .forms.confirmation import CloseUnresolvedForm, ConfirmLinkForm, PhoneAnswerForm, PreventiveMeasureForm
from .models import Complaint
from .rules import can_close_unresolved, can_complete_preventive, can_confirm_with_customer, can_write_case_report
from .selectors.prevention import case_report_of, confirmation_history, preventive_of
from .services.closing import OPEN_STATES
from .services.confirmation import open_links
from .services.reports import CLOSED_STATES

C = Complaint.Status


def confirmation_context(request, complaint: Complaint) -> dict:
    from .views.confirmation import issued_link

    user = request.user
    can_confirm = bool(can_confirm_with_customer(user, complaint))
    confirming = complaint.status == C.CONFIRMING
    return {
        "history": confirmation_history(complaint),
        "can_confirm": can_confirm,
        "answer_form": PhoneAnswerForm() if can_confirm and confirming else None,
        "link_form": ConfirmLinkForm() if can_confirm and confirming else None,
        "open_link": open_links(complaint).order_by("-created_at").first() if can_confirm and confirming else None,
        "issued_link": issued_link(request, complaint) if can_confirm and confirming else None,
        "can_close_unresolved": complaint.status in OPEN_STATES and bool(can_close_unresolved(user, complaint)),
        "close_form": CloseUnresolvedForm(),
    }


def confirmation_visible(request, complaint: Complaint) -> bool:
    """From the first confirmation on (or when a closing decision is possible)."""
    return complaint.round > 1 or complaint.status in (C.CONFIRMING, *CLOSED_STATES) or (
        complaint.status in OPEN_STATES and bool(can_close_unresolved(request.user, complaint)))


def report_context(request, complaint: Complaint) -> dict:
    user = request.user
    can_write = bool(can_write_case_report(user, complaint))
    preventive = preventive_of(complaint)
    return {
        "report": case_report_of(complaint),
        "can_write": can_write,
        "preventive": preventive,
        "completable": {m.pk for m in preventive if can_complete_preventive(user, m)},
        "preventive_form": PreventiveMeasureForm() if can_write else None,
    }


def report_visible(request, complaint: Complaint) -> bool:
    return complaint.status in CLOSED_STATES
