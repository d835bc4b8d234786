"""After-sales case pages (AFS-1, AFS-2, SEARCH-1). Thin: form -> selector -> service -> redirect or render.

Every POST of the record page reads the case through ``case_get`` (another department's case is a
404), calls one service, then redirects (success) or re-renders the page with the bound form: form
errors with HTTP 400, an illegal transition with its message and HTTP 409; a missing right is
Django's 403 (``qsm.web.views.RecordPostView``). The intake form re-renders with 200 like the
inquiry intake.

Other parts of the module add sections to the case page without editing it: the special-solution
section (templates/aftersales/_special_plan.html, included when it exists) reads what a function
registered with ``register_case_section`` puts into the page context.
"""
from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from qsm.contacts.models import Channel, ContactEntry
from qsm.parsing import clean_search_term
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

from ..filters import CaseFilter
from ..forms import CaseIntakeForm, ContactForm, DiagnoseForm, ReplyForm, RerouteForm
from ..models import Case
from ..rules import can_reroute_case, can_work_case
from ..selectors import (
    case_contacts,
    case_deadlines,
    case_get,
    case_list,
    case_visible,
    cause_choices,
    order_lookup,
    special_plan_template,
)
from ..services import cases as services
from ..workflows import CASE_WORKFLOW

S = Case.Status

# Transitions with a form of their own on the page: their button jumps to it.
_FORM_ACTIONS = {"reply": "reply"}
# Fired by a form section of their own (the special-solution flow), not a plain button.
_NOT_BUTTONS: set[str] = set()

# --- sections other parts of the module add to the page -------------------------------------------------

_sections: list[Callable] = []


def register_case_section(context: Callable) -> Callable:
    """``context(request, case, forms) -> dict`` adds what a section of the case page shows (the
    special-solution plan); called on every render of the page, also after a refused form."""
    _sections.append(context)
    return context


# --- list, export ------------------------------------------------------------------------------------


class _CasesFiltered:
    filterset_class = CaseFilter

    def get_queryset(self):
        return case_list(user=self.request.user)


class CaseListView(_CasesFiltered, RecordListView):
    """SEARCH-1: filter, keyset pages (no COUNT, no OFFSET), export with the same filters."""

    template_name = "aftersales/case_list.html"
    keys, rows_name, status_choices = ("received_at", "id"), "cases", Case.Status.choices

    def get_context_data(self, **extra):
        # The cause filter: the taxonomy is small (tens of rows), read once per page.
        return {"can_add_case": self.request.user.has_perm("aftersales.add_case"), "causes": list(cause_choices()),
                **extra}


class CaseExportView(RecordExportView):
    export_name = "aftersales.cases"  # aftersales.exports


# --- intake ------------------------------------------------------------------------------------------


class CaseCreateView(IntakeView):
    """AFS-1: the fast intake form (``qsm.web.intake.IntakeView``). A new customer and the case are
    saved in one transaction; the routing rules pick the department and the owner, which the case
    page then shows."""

    form_class, template_name = CaseIntakeForm, "aftersales/case_form.html"
    permission, denied = "aftersales.add_case", gettext_lazy("You are not allowed to log after-sales cases.")
    create_url, channels = "aftersales:case-create", Channel.values

    def form_kwargs(self) -> dict:
        return {"user": self.request.user}

    def save(self, form, data, new_customer):
        return services.case_intake(
            actor=self.request.user, new_customer=new_customer,
            customer=None if new_customer else form.picked_customer, channel=data["channel"],
            case_type=data["case_type"], severity=data["severity"], subject=data["subject"],
            description=data["description"], **picked_contact(data), order=data["order"], delivery=data["delivery"],
            product=data["product"], received_at=data["received_at"],
        )

    def saved_message(self, case) -> str:
        return _("After-sales case %(number)s was logged and routed to %(department)s · %(owner)s.") % {
            "number": case.number, "department": case.department.name, "owner": case.owner}

    def success_url(self, case) -> str:
        if not case_visible(user=self.request.user).filter(pk=case.pk).exists():
            # Routed to a department the person logging it does not belong to: the message says where.
            return reverse("aftersales:case-create") + f"?channel={case.channel}"
        return case.get_absolute_url()


class OrderLookupView(LoginRequiredMixin, View):
    """AFS-1 type-ahead: an HTML fragment of up to 10 orders the user may see, matching an order
    number, the customer's PO, the customer or a product; each a radio ``order`` with its
    deliveries as radios ``delivery``."""

    def get(self, request):
        term = clean_search_term(request.GET.get("order_q") or request.GET.get("q") or "")
        orders = order_lookup(user=request.user, term=term) if term else []
        return render(request, "aftersales/_order_lookup.html", {"orders": orders, "term": term})


# --- the record page ---------------------------------------------------------------------------------


def _clock_labels() -> dict[str, str]:
    return {c.stage: str(c.label or c.stage) for c in CASE_WORKFLOW.clocks}


def case_page_context(request, case: Case, forms: dict | None = None) -> dict:
    user = request.user
    forms = forms or {}
    can_work = can_work_case(user, case)
    labels = _clock_labels()
    deadlines = [{"deadline": d, "label": labels.get(d.stage, d.stage), "paused": d.state == d.State.PAUSED,
                  "open": d.state in d.OPEN_STATES} for d in case_deadlines(case)]
    ctx = {
        "case": case,
        "now": timezone.now(),
        **action_bar(CASE_WORKFLOW, case, user, hidden=_NOT_BUTTONS, anchors=_FORM_ACTIONS),
        "can_work": can_work,
        "can_diagnose": can_work and case.status in services.DIAGNOSIS_STATES,
        "can_reroute": case.is_open and can_reroute_case(user, case),
        "can_log": can_work and case.status in services.CONTACT_STATES,
        "can_attach": can_work,
        "deadlines": deadlines,
        "paused": any(d["paused"] for d in deadlines),
        "contacts": case_contacts(case),
        "attachments": list(attachment_list(case)),
        "timeline": timeline(case),
        "special_plan_template": special_plan_template() if (case.is_complex or case.status == S.SPECIAL) else None,
        "failed_action": forms.get("failed_action", ""),
        "transition_form": forms.get("transition_form") or TransitionForm(),
        "reply_form": forms.get("reply_form") or ReplyForm(initial={"reply": case.reply}),
        "diagnose_form": forms.get("diagnose_form") or DiagnoseForm(initial={
            "diagnosis": case.diagnosis, "cause": case.cause_id, "cause_detail": case.cause_detail,
            "solution": case.solution}),
        "reroute_form": forms.get("reroute_form") or RerouteForm(initial={"department": case.department_id}),
        "contact_form": forms.get("contact_form") or ContactForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
    }
    for section in _sections:
        ctx.update(section(request, case, forms))
    return ctx


def render_case_page(request, case: Case, *, forms: dict | None = None, status: int = 200):
    return render(request, "aftersales/case_detail.html", case_page_context(request, case, forms), status=status)


class CasePage(RecordPageMixin):
    """How the case page's views read and re-render the case (``qsm.web.actions``)."""

    record_selector, record_name = staticmethod(case_get), "case"


class CaseDetailView(CasePage, RecordDetailView):
    pass


class CasePostView(CasePage, RecordPostView):
    """Base of the case page's forms (``qsm.web.views.RecordPostView``)."""


class CaseTransitionView(CasePage, TransitionView):
    """The action buttons, and the reply form (which fires "reply")."""

    workflow = CASE_WORKFLOW
    forms, success_anchors = {"reply": (ReplyForm, "reply_form")}, {"reply": "diagnosis"}
    success_text = gettext_lazy("%(action)s: the case is now “%(state)s”.")

    def fire(self, case, action, data):
        if action == "reply":
            return services.case_reply(case=case, actor=self.request.user, reply=data["reply"])
        return services.case_fire(case=case, actor=self.request.user, action=action, comment=data.get("comment", ""))

    def action_label(self, result):
        return CASE_WORKFLOW.by_action[result_action(self.action)].label


def result_action(action: str) -> str:
    return action if action in CASE_WORKFLOW.by_action else "resume"


class CaseDiagnoseView(CasePostView):
    form_class, form_key, anchor = DiagnoseForm, "diagnose_form", "diagnosis"

    def perform(self, *, case, form, data):
        return services.case_diagnose(case=case, actor=self.request.user, diagnosis=data["diagnosis"],
                                      cause=data["cause"], cause_detail=data["cause_detail"],
                                      solution=data["solution"])

    def success_message(self, case, result):
        return _("The diagnosis was saved.")


class CaseRerouteView(CasePostView):
    form_class, form_key, anchor = RerouteForm, "reroute_form", "facts"

    def perform(self, *, case, form, data):
        return services.case_reroute(case=case, actor=self.request.user, department=data["department"],
                                     owner=data["owner"], reason=data["reason"])

    def success_message(self, case, result):
        return _("The case was re-routed to %(department)s · %(owner)s.") % {
            "department": result.department.name, "owner": result.owner}

    def success_url(self, record) -> str:
        # The case may now be out of the user's sight (another department): the list, then.
        if case_visible(user=self.request.user).filter(pk=record.pk).exists():
            return record.get_absolute_url()
        return reverse("aftersales:case-list")


class CaseContactAddView(CasePostView):
    form_class, form_key, anchor = ContactForm, "contact_form", "contacts"

    def perform(self, *, case, form, data):
        kind = data["kind"]
        return services.case_contact_add(
            case=case, actor=self.request.user, kind=kind, channel=data["channel"], summary=data["summary"],
            direction=data["direction"] if kind == ContactEntry.Kind.COMMUNICATION else None,
            occurred_at=data["occurred_at"])

    def success_message(self, case, result):
        return _("The contact was logged.")


class CaseAttachView(CasePage, RecordAttachView):
    attach_service = staticmethod(services.case_attach)


class CaseAttachmentDownloadView(CasePage, RecordAttachmentDownloadView):
    pass
