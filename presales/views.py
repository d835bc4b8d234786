"""Pre-sales pages (PRE-1..4, SEARCH-1). Thin: form -> selector -> service -> redirect or render.

Every POST view reads the inquiry through ``inquiry_get`` (another department's record is a 404),
calls one service and then redirects (success) or re-renders the record page with the bound form:
form errors with HTTP 400, an illegal transition with its message and HTTP 409, and a missing
permission is Django's 403. The record page's forms are boosted by htmx, which swaps only the
page body (``#inquiry-page``) and the messages; without JavaScript they are ordinary POSTs.
"""
from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.visibility import can_view
from qsm.web.actions import (
    RecordAttachmentDownloadView,
    RecordAttachView,
    RecordDetailView,
    RecordPageMixin,
    TransitionView,
    action_bar,
)
from qsm.web.forms import AttachmentForm, TransitionForm
from qsm.web.intake import IntakeView, picked_contact
from qsm.web.views import RecordExportView, RecordListView, RecordPostView
from qsm.workflow.selectors import attachment_list, timeline

from . import services
from .filters import InquiryFilter
from .forms import (
    AnalyseForm,
    CommunicationForm,
    DiscussionNoteForm,
    HandOverForm,
    InquiryIntakeForm,
    MarkComplexForm,
    OpenDiscussionForm,
    RespondForm,
    SolutionForm,
    SolutionSentForm,
)
from .models import Channel, Inquiry
from .rules import (
    can_attach_inquiry,
    can_discuss_inquiry,
    can_log_inquiry,
    can_take_over_inquiry,
    can_work_inquiry,
)
from .selectors import discussion_detail, inquiry_get, inquiry_list
from .workflows import INQUIRY_WORKFLOW

S = Inquiry.Status

# Transitions whose input is a whole form on the page; their button jumps to that form.
_FORM_ACTIONS = {"respond": "answer", "open_discussion": "discussion", "hand_over": "handover"}


# --- list, export -----------------------------------------------------------------------------------


class _InquiriesFiltered:
    filterset_class = InquiryFilter

    def get_queryset(self):
        return inquiry_list(user=self.request.user)


class InquiryListView(_InquiriesFiltered, RecordListView):
    """SEARCH-1: filter, keyset pages (no COUNT, no OFFSET), export with the same filters."""

    template_name = "presales/inquiry_list.html"
    keys, rows_name, status_choices = ("received_at", "id"), "inquiries", Inquiry.Status.choices

    def get_context_data(self, **extra):
        return {"can_add_inquiry": self.request.user.has_perm("presales.add_inquiry"), **extra}


class InquiryExportView(RecordExportView):
    export_name = "presales.inquiries"  # presales.exports


# --- intake ---------------------------------------------------------------------------------------


class InquiryCreateView(IntakeView):
    """PRE-1: the fast intake form (``qsm.web.intake.IntakeView``). A new customer and the inquiry are
    saved in one transaction."""

    form_class, template_name = InquiryIntakeForm, "presales/inquiry_form.html"
    permission = "presales.add_inquiry"
    denied = gettext_lazy("Only staff of a business department can log inquiries.")
    create_url, channels = "presales:inquiry-create", Channel.values

    def save(self, form, data, new_customer):
        return services.inquiry_intake(
            actor=self.request.user, new_customer=new_customer,
            customer=None if new_customer else form.picked_customer, channel=data["channel"],
            subject=data["subject"], question=data["question"], products=data["products"], **picked_contact(data),
            priority=data["priority"], answer=data["answer"], received_at=data["received_at"],
        )

    def saved_message(self, inquiry) -> str:
        return _("Inquiry %(number)s was logged.") % {"number": inquiry.number}


# --- the record page --------------------------------------------------------------------------------


def _order_of(inquiry):
    # The orders app owns the link (DESIGN.md); the page only follows the reverse relation if it exists.
    try:
        return inquiry.order
    except ObjectDoesNotExist:  # no order yet; any other error is a real one and must surface
        return None


def _handover_form(inquiry: Inquiry) -> HandOverForm:
    """The hand-over form offers the other business departments (the service refuses its own, §3.1(3))."""
    form = HandOverForm()
    field = form.fields["department"]
    field.queryset = field.queryset.exclude(pk=inquiry.department_id)
    return form


def inquiry_page_context(request, inquiry: Inquiry, forms: dict | None = None) -> dict:
    user = request.user
    forms = forms or {}
    can_work = can_work_inquiry(user, inquiry)
    can_discuss = can_discuss_inquiry(user, inquiry)
    discussion, invited_departments, invited_users, notes = discussion_detail(inquiry=inquiry)
    order = _order_of(inquiry) if inquiry.status in (S.ACKNOWLEDGED, S.CONVERTED) else None
    if order is not None and not can_view(user, order):
        order = None  # the "Order ORD-…" link only for whoever can open it (ORG-1, the order's declaration)
    ctx = {
        "inquiry": inquiry,
        "now": timezone.now(),
        # "convert" is the order form's (orders.views.create), not a button.
        **action_bar(INQUIRY_WORKFLOW, inquiry, user, hidden={"convert"}, anchors=_FORM_ACTIONS),
        "can_work": can_work,
        "can_discuss": can_discuss,
        "can_log": can_log_inquiry(user, inquiry),
        "can_attach": can_attach_inquiry(user, inquiry),
        "can_convert": inquiry.status == S.ACKNOWLEDGED and order is None and can_take_over_inquiry(user, inquiry),
        "can_analyse": can_work and inquiry.status in (S.ANSWERED, S.DISCUSSION),
        "can_mark_complex": can_work and inquiry.status in (S.NEW, S.ANSWERED),
        "order": order,
        "discussion": discussion,
        "invited_departments": invited_departments,
        "invited_users": invited_users,
        "notes": notes,
        # The solutions prefetched with the discussion (``.all()`` on them would read them again).
        "solutions": list(inquiry.solutions),
        "communications": list(inquiry.communications.all()),
        "attachments": list(attachment_list(inquiry)),
        "timeline": timeline(inquiry),
        "failed_action": forms.get("failed_action", ""),
        "respond_form": forms.get("respond_form") or RespondForm(),
        "analyse_form": forms.get("analyse_form") or AnalyseForm(initial={
            "needs_analysis": inquiry.needs_analysis, "recommendation": inquiry.recommendation,
            "recommended_products": [p.pk for p in inquiry.recommended_products.all()],
        }),
        "discussion_form": forms.get("discussion_form") or OpenDiscussionForm(initial={"topic": inquiry.subject}),
        "note_form": forms.get("note_form") or DiscussionNoteForm(),
        "solution_form": forms.get("solution_form") or SolutionForm(initial=_solution_initial(inquiry)),
        "sent_form": forms.get("sent_form") or SolutionSentForm(),
        "communication_form": forms.get("communication_form") or CommunicationForm(),
        "handover_form": forms.get("handover_form") or _handover_form(inquiry),
        "transition_form": forms.get("transition_form") or TransitionForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
    }
    # The owning department is in the discussion anyway: offer the others.
    departments = ctx["discussion_form"].fields["departments"]
    departments.queryset = departments.queryset.exclude(pk=inquiry.department_id)
    return ctx


def _solution_initial(inquiry: Inquiry) -> dict:
    # A new version starts from the latest one: the author edits, nothing is retyped.
    latest = next(iter(inquiry.solutions), None)
    if latest is None:
        return {"products": [p.pk for p in inquiry.recommended_products.all()]}
    return {"title": latest.title, "content": latest.content, "products": [p.pk for p in latest.products.all()]}


def render_inquiry_page(request, inquiry: Inquiry, *, forms: dict | None = None, status: int = 200):
    return render(request, "presales/inquiry_detail.html", inquiry_page_context(request, inquiry, forms),
                  status=status)


class InquiryPage(RecordPageMixin):
    """How the inquiry page's views read and re-render the inquiry (``qsm.web.actions``)."""

    record_selector, record_name = staticmethod(inquiry_get), "inquiry"


class InquiryDetailView(InquiryPage, RecordDetailView):
    pass


class InquiryPostView(InquiryPage, RecordPostView):
    """Base of the inquiry page's forms (``qsm.web.views.RecordPostView``)."""


class InquiryTransitionView(InquiryPage, TransitionView):
    """The action buttons and the forms that fire a transition (respond, open discussion, hand over)."""

    workflow = INQUIRY_WORKFLOW
    forms = {
        "respond": (RespondForm, "respond_form"),
        "open_discussion": (OpenDiscussionForm, "discussion_form"),
        "hand_over": (HandOverForm, "handover_form"),
    }
    success_text = gettext_lazy("%(action)s: the inquiry is now “%(state)s”.")

    def fire(self, inquiry, action, data):
        params = {}
        comment = data.get("comment", "")
        if action == "respond":
            params["answer"] = data["answer"]
        elif action == "open_discussion":
            params.update(topic=data["topic"], departments=list(data["departments"]), users=list(data["users"]))
        elif action == "hand_over":
            params.update(department=data["department"], note=data["note"])
            comment = data["note"]
        return services.inquiry_fire(inquiry=inquiry, actor=self.request.user, action=action, comment=comment,
                                     **params)


class InquiryAnalyseView(InquiryPostView):
    form_class, form_key, anchor = AnalyseForm, "analyse_form", "needs"

    def perform(self, *, inquiry, form, data):
        return services.inquiry_analyse(inquiry=inquiry, actor=self.request.user,
                                        needs_analysis=data["needs_analysis"], recommendation=data["recommendation"],
                                        recommended_products=data["recommended_products"])

    def success_message(self, inquiry, result):
        return _("The needs analysis was saved.")


class InquiryMarkComplexView(InquiryPostView):
    form_class, form_key, anchor = MarkComplexForm, "complex_form", "needs"

    def perform(self, *, inquiry, form, data):
        return services.inquiry_mark_complex(inquiry=inquiry, actor=self.request.user, is_complex=data["is_complex"],
                                             comment=data["comment"])

    def success_message(self, inquiry, result):
        if result.is_complex:
            return _("Marked as a complex need: open a discussion with the departments concerned.")
        return _("No longer marked as a complex need.")


class DiscussionNoteAddView(InquiryPostView):
    form_class, form_key, anchor = DiscussionNoteForm, "note_form", "discussion"

    def perform(self, *, inquiry, form, data):
        return services.discussion_note_add(inquiry=inquiry, actor=self.request.user, body=data["body"],
                                            meeting_at=data["meeting_at"])

    def success_message(self, inquiry, result):
        return _("The meeting notes were added.")


class SolutionAddView(InquiryPostView):
    form_class, form_key, anchor = SolutionForm, "solution_form", "solutions"

    def perform(self, *, inquiry, form, data):
        return services.solution_add(inquiry=inquiry, actor=self.request.user, title=data["title"],
                                     content=data["content"], products=data["products"])

    def success_message(self, inquiry, result):
        return _("Tailored solution v%(version)s was recorded.") % {"version": result.version}


class SolutionSentView(InquiryPostView):
    form_class, form_key, anchor = SolutionSentForm, "sent_form", "solutions"

    def perform(self, *, inquiry, form, data):
        solution = next((s for s in inquiry.solutions.all() if s.pk == self.kwargs["solution_pk"]), None)
        if solution is None:
            raise Http404(_("No such solution."))
        return services.solution_mark_sent(solution=solution, actor=self.request.user, via=data["via"])

    def success_message(self, inquiry, result):
        return _("Tailored solution v%(version)s was marked as sent.") % {"version": result.version}


class CommunicationAddView(InquiryPostView):
    form_class, form_key, anchor = CommunicationForm, "communication_form", "communication"

    def perform(self, *, inquiry, form, data):
        return services.communication_add(inquiry=inquiry, actor=self.request.user, channel=data["channel"],
                                          direction=data["direction"], summary=data["summary"],
                                          occurred_at=data["occurred_at"])

    def success_message(self, inquiry, result):
        return _("The communication was logged.")


class InquiryAttachView(InquiryPage, RecordAttachView):
    attach_service = staticmethod(services.inquiry_attach)


class InquiryAttachmentDownloadView(InquiryPage, RecordAttachmentDownloadView):
    pass
