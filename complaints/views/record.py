"""CMP-1 the complaint's page: header, promise, facts, clocks, actions, contact log, attachments,
timeline, and the sections other parts of the module register (complaints.sections: the
investigation, plans, confirmation, case report ...).

Every POST reads the complaint through ``complaint_get`` (another department's complaint is a 404),
calls one service, then redirects or re-renders the page with the bound form: 400 for invalid
input, 409 for an illegal transition, 403 for a missing right (``qsm.web.views.RecordPostView``).
"""
from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from qsm.contacts.forms import ContactForm
from qsm.contacts.models import ContactEntry
from qsm.org.views import PeopleOptionsView
from qsm.web.actions import RecordAttachmentDownloadView, RecordAttachView, RecordPageMixin, TransitionView, action_bar
from qsm.web.forms import AttachmentForm, TransitionForm
from qsm.web.views import RecordPostView
from qsm.workflow.selectors import attachment_list, timeline

from .. import sections
from ..forms.intake import AssignForm, ReasonForm, ReplyForm, investigator_candidates
from ..models import Complaint
from ..promise import promise_text, reply_verdict
from ..rules import can_assign_complaint, can_reply_complaint
from ..selectors import complaint_get
from ..selectors.complaints import complaint_contacts, complaint_deadlines
from ..services import intake as services
from ..services import record as record_services
from ..services.record import can_work_complaint
from ..workflows import COMPLAINT_WORKFLOW

# Transitions with a form of their own on the page: their button jumps to it.
_FORM_ACTIONS = {"assign": "assign"}
# Fired by a section of their own (the customer's answer: the confirmation section), not a plain button.
_NOT_BUTTONS = {"satisfied", "not_satisfied"}



def _clock_labels() -> dict[str, str]:
    return {c.stage: str(c.label or c.stage) for c in COMPLAINT_WORKFLOW.clocks}


def complaint_page_context(request, complaint: Complaint, forms: dict | None = None) -> dict:
    user = request.user
    forms = forms or {}
    labels = _clock_labels()
    deadlines = [{"deadline": d, "label": labels.get(d.stage, d.stage), "paused": d.state == d.State.PAUSED,
                  "open": d.state in d.OPEN_STATES} for d in complaint_deadlines(complaint)]
    can_work = can_work_complaint(user, complaint)
    contacts = complaint_contacts(complaint)
    ctx = {
        "complaint": complaint,
        "now": timezone.now(),
        "promise": promise_text(complaint),
        "reply_verdict": reply_verdict(complaint),
        "just_logged": request.GET.get("logged") == "1",
        **action_bar(COMPLAINT_WORKFLOW, complaint, user, hidden=_NOT_BUTTONS, anchors=_FORM_ACTIONS),
        # The reply is recorded once, in any open state (complaints.services.intake.complaint_reply).
        "can_reply": not complaint.replied_at and complaint.is_open and can_reply_complaint(user, complaint),
        # Assigning starts the investigation; later the quality department may change the investigator.
        "can_assign": complaint.is_open and can_assign_complaint(user, complaint),
        "can_work": can_work,
        "can_log": can_work and complaint.is_open,
        "can_attach": can_work,
        "deadlines": deadlines,
        "contacts": contacts,
        "acknowledged": bool(contacts),  # the intake logs the acknowledgement first
        "attachments": list(attachment_list(complaint)),
        "timeline": timeline(complaint),
        "failed_action": forms.get("failed_action", ""),
        "transition_form": forms.get("transition_form") or TransitionForm(),
        "reply_form": forms.get("reply_form") or ReplyForm(initial={"reply": complaint.reply}),
        "assign_form": forms.get("assign_form") or AssignForm(complaint=complaint),
        "contact_form": forms.get("contact_form") or ContactForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
    }
    # The sections the other parts of the module register (complaints.sections): each one's context
    # joins the page's, and the bound forms of a refused POST replace the fresh ones they name.
    shown = sections.page_sections(complaint, user)
    for section in shown:
        ctx.update(section["context"])
    ctx.update({key: form for key, form in forms.items() if key.endswith("_form")})
    ctx["sections"] = shown
    return ctx


def render_complaint_page(request, complaint: Complaint, *, forms: dict | None = None, status: int = 200):
    return render(request, "complaints/detail.html", complaint_page_context(request, complaint, forms),
                  status=status)


class ComplaintDetailView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        return render_complaint_page(request, complaint_get(user=request.user, pk=pk))


class ComplaintPage(RecordPageMixin):
    """How the complaint's views read (``complaint_get``: another department's is a 404) and
    re-render it (``render_complaint_page``, named on the AppConfig's ``record_pages``)."""

    record_selector, record_name = staticmethod(complaint_get), "complaint"


class ComplaintPostView(ComplaintPage, RecordPostView):
    """Base of the complaint page's forms; the other parts of the module subclass it for the forms
    of their sections (``qsm.web.views.RecordPostView``: 302 / 400 / 403 / 404 / 409)."""


class ComplaintTransitionView(ComplaintPage, TransitionView):
    """The action buttons and the forms that fire the complaint's own actions: assign (investigator),
    reply, start planning, close unresolved (a management decision, reason required), cancel."""

    workflow = COMPLAINT_WORKFLOW
    forms = {"assign": (AssignForm, "assign_form"), "reply": (ReplyForm, "reply_form"),
             "close_unresolved": (ReasonForm, "transition_form"), "cancel": (ReasonForm, "transition_form")}
    success_anchors = {"assign": "facts", "reply": "promise"}
    success_text = gettext_lazy("%(action)s: the complaint is now “%(state)s”.")

    def get_form(self, record):
        if self.action == "assign":
            self.form_key = "assign_form"
            return AssignForm(self.request.POST, complaint=record)
        return super().get_form(record)

    def fire(self, complaint, action, data):
        return fire(complaint=complaint, actor=self.request.user, action=action, data=data)

    def success_message(self, record, result) -> str:
        if self.action == "reply":
            return _("The reply to the customer was recorded.")
        return super().success_message(record, result)


def fire(*, complaint: Complaint, actor, action: str, data: dict) -> Complaint:
    """One of the complaint's own actions by name (the page's buttons): the named services."""
    comment = data.get("comment", "")
    if action == "assign":
        return services.complaint_assign(complaint=complaint, actor=actor, investigator=data["investigator"])
    if action == "reply":
        return services.complaint_reply(complaint=complaint, actor=actor, reply=data["reply"])
    if action == "start_planning":
        return services.complaint_start_planning(complaint=complaint, actor=actor)
    if action == "close_unresolved":
        return services.complaint_close_unresolved(complaint=complaint, actor=actor, reason=comment)
    if action == "cancel":
        return services.complaint_cancel(complaint=complaint, actor=actor, reason=comment)
    return record_services.complaint_fire(complaint=complaint, actor=actor, action=action, comment=comment)


class InvestigatorOptionsView(PeopleOptionsView):
    """The investigator's type-ahead: the quality department's people (the complaint is read through
    its visibility selector: 404 for others)."""

    def people(self, request, pk: int, **kwargs):
        complaint_get(user=request.user, pk=pk)
        return investigator_candidates()


class ComplaintContactAddView(ComplaintPostView):
    form_class, form_key, anchor = ContactForm, "contact_form", "contacts"

    def perform(self, *, complaint, form, data):
        kind = data["kind"]
        return record_services.complaint_contact_add(
            complaint=complaint, actor=self.request.user, kind=kind, channel=data["channel"],
            summary=data["summary"], direction=data["direction"] if kind == ContactEntry.Kind.COMMUNICATION else None,
            occurred_at=data["occurred_at"])

    def success_message(self, complaint, result):
        return _("The contact was logged.")


class ComplaintAttachView(ComplaintPage, RecordAttachView):
    attach_service = staticmethod(record_services.complaint_attach)


class ComplaintAttachmentDownloadView(ComplaintPage, RecordAttachmentDownloadView):
    """WF-3: a file of the complaint, only for those who may open it."""
