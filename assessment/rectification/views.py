"""QC-3 pages: the notice list (filters, Chinese search, CSV/Excel, cards at phone width), the issue
page (``?finding=<pk>`` from a failed finding), and the notice page: the requirement, every plan
version with its measures and decision, the plan editor, completion with evidence, verification,
attachments and the timeline.

Every POST reads the notice through ``notice_get`` (another department's notice is a 404), calls one
service, then redirects, or re-renders the page with the bound form: 400 for invalid input, 409 for
an illegal transition ("already decided"), 403 for a missing right (``qsm.web.views.RecordPostView``).
"""
from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.views import add_validation_errors
from qsm.visibility import visible
from qsm.web.actions import RecordAttachmentDownloadView, RecordAttachView, RecordPageMixin, TransitionView, action_bar
from qsm.web.forms import AttachmentForm, TransitionForm
from qsm.web.views import RecordExportView, RecordListView, RecordPostView
from qsm.workflow.selectors import attachment_list

from . import services
from .exports import EXPORT_NAME
from .filters import NoticeFilter
from .forms import NoticeForm, PlanForm, ReportForm, VerifyForm
from .models import Notice, RectificationPlan
from .rules import can_answer_notice, can_attach_to_notice, can_issue_notice
from .selectors import notice_get, notice_list, notice_timeline, plan_get, plan_of, plans_of
from .workflows import NOTICE_WORKFLOW, RECTIFICATION_PLAN_WORKFLOW

P = RectificationPlan.Status
_FORM_ACTIONS = {"report": "report", "verify": "verify"}


# --- list ------------------------------------------------------------------------------------------------

class NoticeListView(RecordListView):
    template_name = "assessment/rectification/notice_list.html"
    filterset_class = NoticeFilter
    keys, rows_name, status_choices = ("issued_at", "id"), "notices", Notice.Status.choices

    def get_queryset(self):
        return notice_list(user=self.request.user)

    def get_context_data(self, **extra):
        return {"can_issue": can_issue_notice(self.request.user), **extra}


class NoticeExportView(RecordExportView):
    export_name = EXPORT_NAME


# --- issuing -----------------------------------------------------------------------------------------------

def _finding(user, pk):
    from assessment.inspections.models import Finding

    if not pk:
        return None
    return (visible(Finding.objects.select_related("sample__department", "inspection", "item"), user)
            .filter(pk=pk).first())


class NoticeCreateView(LoginRequiredMixin, View):
    template_name = "assessment/rectification/notice_form.html"

    def _check(self, request):
        if not can_issue_notice(request.user):
            raise PermissionDenied(_("Only the quality department issues rectification notices."))

    def get(self, request):
        self._check(request)
        finding = _finding(request.user, request.GET.get("finding", "")[:12] if request.GET.get("finding", "")
                           .isdigit() else None)
        initial = {"deadline": timezone.localdate() + timezone.timedelta(days=14)}
        if finding is not None:
            initial.update({"finding": finding.pk, "department": finding.sample.department_id,
                            "title": str(finding.item.text)[:200], "requirement": finding.comment})
        return self._render(request, NoticeForm(initial=initial), finding, 200)

    def _render(self, request, form, finding, status):
        return render(request, self.template_name, {"form": form, "finding": finding}, status=status)

    def post(self, request):
        self._check(request)
        form = NoticeForm(request.POST)
        finding = None
        if form.is_valid():
            data = form.cleaned_data
            finding = _finding(request.user, data.get("finding"))
            if data.get("finding") and finding is None:
                form.add_error(None, _("No such finding, or not one you may see."))
            else:
                try:
                    notice = services.issue_notice(request.user, department=data["department"], title=data["title"],
                                                   requirement=data["requirement"], deadline=data["deadline"],
                                                   finding=finding)
                except ValidationError as exc:
                    add_validation_errors(request, exc, form)
                except TransitionNotAllowed as exc:
                    form.add_error(None, exc.message)
                    return self._render(request, form, finding, 409)
                else:
                    return redirect(notice.get_absolute_url())
        return self._render(request, form, finding, 400)


# --- the notice page -----------------------------------------------------------------------------------

def _plan_rows(notice: Notice, user, forms: dict, plans: list[RectificationPlan]) -> list[dict]:
    latest = plans[0] if plans else None
    rows = []
    for plan in plans:
        available = {t.action: t for t in RECTIFICATION_PLAN_WORKFLOW.available(plan, user)}
        can_revise = (plan is latest and plan.status == P.REJECTED and notice.status in services.PLAN_STATES
                      and can_answer_notice(user, notice))
        edit_form = None
        if plan.status == P.DRAFT and "withdraw" in available:
            bound = forms.get("plan_form") if forms.get("plan_pk") == plan.pk else None
            edit_form = bound or PlanForm(department=notice.department, plan=plan)
        rows.append({"plan": plan, "actions": [t for a, t in available.items() if a != "withdraw"],
                     "can_withdraw": "withdraw" in available, "can_revise": can_revise, "edit_form": edit_form})
    return rows


def _can_propose(notice: Notice, user, rows: list[dict]) -> bool:
    if notice.status not in services.PLAN_STATES or not can_answer_notice(user, notice):
        return False
    return not any(r["plan"].status in (P.DRAFT, P.SUBMITTED) or (r["plan"].status == P.APPROVED
                                                                   and r["plan"].round == notice.round)
                   for r in rows)


def notice_page_context(request, notice: Notice, forms: dict | None = None) -> dict:
    user = request.user
    forms = forms or {}
    plans = plans_of(notice)
    rows = _plan_rows(notice, user, forms, plans)
    can_propose = _can_propose(notice, user, rows)
    can_attach = can_attach_to_notice(user, notice)  # the states the service takes evidence in (WF-3)
    return {
        "notice": notice,
        "now": timezone.now(),
        "today": timezone.localdate(),
        "overdue": notice.status in ("issued", "rectifying") and notice.deadline < timezone.localdate(),
        **action_bar(NOTICE_WORKFLOW, notice, user, anchors=_FORM_ACTIONS),
        "plan_rows": rows,
        "can_propose": can_propose,
        "plan_form": (forms.get("plan_form") if forms.get("plan_pk") is None and forms.get("plan_form")
                      else PlanForm(department=notice.department)) if can_propose else None,
        "report_form": forms.get("report_form") or ReportForm(),
        "verify_form": forms.get("verify_form") or VerifyForm(),
        "transition_form": forms.get("transition_form") or TransitionForm(),
        "failed_action": forms.get("failed_action", ""),
        "attachments": list(attachment_list(notice)),
        "can_attach": can_attach,
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "timeline": notice_timeline(notice, plans),
    }


def render_notice_page(request, notice: Notice, *, forms: dict | None = None, status: int = 200):
    return render(request, "assessment/rectification/notice_detail.html",
                  notice_page_context(request, notice, forms), status=status)


class NoticePage(RecordPageMixin):
    record_selector, record_name = staticmethod(notice_get), "notice"

    def render_record(self, record, *, forms, status):
        return render_notice_page(self.request, record, forms=forms, status=status)


class NoticeDetailView(NoticePage, LoginRequiredMixin, View):
    def get(self, request, pk: int):
        return render_notice_page(request, notice_get(user=request.user, pk=pk))


class NoticeTransitionView(NoticePage, TransitionView):
    """The notice's own actions: report completion (note + evidence), verify, reopen, cancel."""

    workflow = NOTICE_WORKFLOW
    forms = {"report": (ReportForm, "report_form"), "verify": (VerifyForm, "verify_form")}
    success_anchors = {"report": "plans", "verify": "plans"}
    success_text = gettext_lazy("%(action)s: the notice is now “%(state)s”.")

    def get_form(self, record):
        if self.action == "report":
            self.form_key = "report_form"
            return ReportForm(self.request.POST, self.request.FILES)
        return super().get_form(record)

    def fire(self, notice, action, data):
        actor, comment = self.request.user, data.get("comment", "")
        if action == "report":
            return services.notice_report(notice=notice, actor=actor, note=data["note"], upload=data.get("evidence"))
        if action == "verify":
            return services.notice_verify(notice=notice, actor=actor, note=comment)
        if action == "reopen":
            return services.notice_reopen(notice=notice, actor=actor, reason=comment)
        if action == "cancel":
            return services.notice_cancel(notice=notice, actor=actor, reason=comment)
        raise TransitionNotAllowed(_("Unknown action “%(action)s”.") % {"action": action}, action=action)

    def handle_error(self, exc, form) -> None:
        add_validation_errors(self.request, exc, form, field_map={"attachments": "evidence"}
                              if self.action == "report" else {"note": "comment"})


class NoticeAttachView(NoticePage, RecordAttachView):
    attach_service = staticmethod(services.notice_attach)


class NoticeAttachmentDownloadView(NoticePage, RecordAttachmentDownloadView):
    """WF-3: evidence of a notice, only for those who may open it."""


# --- plans -------------------------------------------------------------------------------------------------

class PlanProposeView(NoticePage, RecordPostView):
    """Draft the next plan version: the cause and its measures."""

    form_key, anchor = "plan_form", "plans"

    def get_form(self, record):
        return PlanForm(self.request.POST, department=record.department)

    def perform(self, *, notice, form, data):
        return services.plan_propose(notice=notice, actor=self.request.user, cause=data["cause"],
                                     measures=form.measures())

    def success_message(self, record, result) -> str:
        return _("Plan version %(version)s was drafted: submit it for approval.") % {"version": result.version}


class _PlanPostView(NoticePage, RecordPostView):
    anchor = "plans"

    def plan(self, notice) -> RectificationPlan:
        return plan_of(notice=notice, pk=self.kwargs["plan_pk"])

    def error_forms(self, form) -> dict:
        return {self.form_key: form, "plan_pk": int(self.kwargs["plan_pk"])}


class PlanEditView(_PlanPostView):
    """Change the draft: its cause and the whole list of measures."""

    form_key = "plan_form"

    def get_form(self, record):
        return PlanForm(self.request.POST, department=record.department)

    def perform(self, *, notice, form, data):
        return services.plan_update(plan=self.plan(notice), actor=self.request.user, cause=data["cause"],
                                    measures=form.measures())

    def success_message(self, record, result) -> str:
        return _("The draft was saved.")


PLAN_ACTIONS = {
    "submit": lambda plan, actor, comment: services.plan_submit(plan=plan, actor=actor),
    "approve": lambda plan, actor, comment: services.plan_approve(plan=plan, actor=actor, comment=comment),
    "reject": lambda plan, actor, comment: services.plan_reject(plan=plan, actor=actor, reason=comment),
    "revise": lambda plan, actor, comment: services.plan_revise(plan=plan, actor=actor),
    "withdraw": lambda plan, actor, comment: services.plan_withdraw(plan=plan, actor=actor),
}


class PlanActionView(_PlanPostView):
    """A plan's decision buttons: submit, approve, reject (reason), revise, withdraw."""

    form_class, form_key = TransitionForm, "transition_form"

    @property
    def action(self) -> str:
        return self.request.POST.get("action", "")

    def perform(self, *, notice, form, data):
        service = PLAN_ACTIONS.get(self.action)
        if service is None:
            raise TransitionNotAllowed(_("Unknown action “%(action)s”.") % {"action": self.action})
        return service(self.plan(notice), self.request.user, data.get("comment", ""))

    def error_forms(self, form) -> dict:
        return {"transition_form": form, "failed_action": f"plan-{self.kwargs['plan_pk']}-{self.action}"}

    def success_message(self, record, result) -> str:
        return {"submit": _("The plan was submitted for approval."), "approve": _("The plan was approved."),
                "reject": _("The plan was rejected."), "revise": _("Version %(version)s was drafted from the "
                                                                   "rejected plan."),
                "withdraw": _("The draft was withdrawn.")}[self.action] % {"version": getattr(result, "version", "")}


class PlanDetailView(LoginRequiredMixin, View):
    """A plan's address: its notice's page at the plan (another department's plan is a 404)."""

    def get(self, request, pk: int):
        plan = plan_get(user=request.user, pk=pk)
        return redirect(f"{plan.notice.get_absolute_url()}#plan-{plan.version}")
