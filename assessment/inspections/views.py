"""QC-2 pages: the inspection and finding lists (SEARCH-1, cards on a phone) with their exports, the
inspection page (a card per sampled record with its items: pass / fail / not applicable, comment and
evidence, saved through htmx; made for a tablet), the finding page (its evidence; a failure links to
the rectification notice), checklists and inspection plans.

Every read goes through assessment.inspections.selectors (another department's inspection is a 404);
every POST calls one service and redirects, or re-renders the page with the bound form: 400 for
invalid input, 409 for an illegal transition, 403 for a missing right (qsm.web.views.RecordPostView).
"""
from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from qsm.errors import ValidationError
from qsm.sla.selectors import deadlines_of
from qsm.views import add_validation_errors
from qsm.web.actions import RecordAttachmentDownloadView, TransitionView, action_bar
from qsm.web.forms import TransitionForm
from qsm.web.views import RecordExportView, RecordListView, RecordPostView
from qsm.workflow.selectors import timeline

from . import selectors, services
from .exports import FINDINGS, INSPECTIONS
from .filters import FindingFilter, InspectionFilter
from .forms import (
    ChecklistCreateForm,
    ChecklistEditForm,
    CompleteForm,
    ItemForm,
    JudgeForm,
    PlanForm,
)
from .models import Finding, Inspection, InspectionPlan
from .rules import can_manage_checklists, can_manage_plans, can_work_inspection
from .workflows import INSPECTION_WORKFLOW

R = Finding.Result


def notice_create_url(finding: Finding) -> str:
    """QC-3: "issue a rectification notice" for a failed finding (the rectification concern's page)."""
    try:
        return reverse("assessment:notice-create") + "?" + urlencode({"finding": finding.pk})
    except NoReverseMatch:
        return ""


# --- lists and exports ---------------------------------------------------------------------------------------

class InspectionListView(RecordListView):
    template_name = "assessment/inspections/inspection_list.html"
    filterset_class = InspectionFilter
    keys, rows_name, status_choices = ("created_at", "id"), "inspections", Inspection.Status.choices

    def get_queryset(self):
        return selectors.inspection_list(user=self.request.user)

    def get_context_data(self, **extra):
        from qsm.org.models import User
        from qsm.parsing import parse_id

        from .rules import can_draw_spot_check

        # The inspector filter names the picked person (one query, only when picked).
        picked = parse_id(self.request.GET.get("inspector", ""))
        inspector = User.objects.filter(pk=picked).first() if picked else None
        return {"can_draw": can_draw_spot_check(self.request.user, None), "filter_inspector": inspector, **extra}


class InspectionExportView(RecordExportView):
    export_name = INSPECTIONS


class FindingListView(RecordListView):
    template_name = "assessment/inspections/finding_list.html"
    filterset_class = FindingFilter
    keys, rows_name = ("judged_at", "id"), "findings"

    def get_queryset(self):
        return selectors.finding_list(user=self.request.user).exclude(result=R.PENDING)

    def get_context_data(self, **extra):
        return {"result_choices": R.choices[1:], "selected_result": set(self.request.GET.getlist("result")), **extra}


class FindingExportView(RecordExportView):
    export_name = FINDINGS


# --- the inspection page ------------------------------------------------------------------------------------------

def inspection_page_context(request, inspection: Inspection, forms: dict | None = None) -> dict:
    user = request.user
    forms = forms or {}
    samples = selectors.inspection_samples(inspection)
    can_work = inspection.is_open and can_work_inspection(user, inspection)
    judged = sum(1 for s in samples for f in s.findings.all() if f.result != R.PENDING)
    total = sum(len(s.findings.all()) for s in samples)
    failed_finding = forms.get("finding_pk")
    return {
        "inspection": inspection,
        "now": timezone.now(),
        "samples": samples,
        "judged": judged,
        "total": total,
        "can_work": can_work,
        "deadlines": list(deadlines_of(inspection)),
        **action_bar(INSPECTION_WORKFLOW, inspection, user, anchors={"complete": "complete"}),
        "timeline": timeline(inspection),
        "failed_action": forms.get("failed_action", ""),
        "failed_finding": failed_finding,
        "judge_form": forms.get("judge_form"),
        "transition_form": forms.get("transition_form") or TransitionForm(),
        "complete_form": forms.get("complete_form") or CompleteForm(),
        "result_choices": [c for c in R.choices if c[0] != R.PENDING],
    }


def render_inspection_page(request, inspection: Inspection, *, forms: dict | None = None, status: int = 200):
    return render(request, "assessment/inspections/inspection_detail.html",
                  inspection_page_context(request, inspection, forms), status=status)


class InspectionPage:
    record_selector, record_name = staticmethod(selectors.inspection_get), "inspection"

    def get_record(self, pk: int):
        return selectors.inspection_get(user=self.request.user, pk=pk)

    def render_record(self, record, *, forms, status):
        return render_inspection_page(self.request, record, forms=forms, status=status)


class InspectionDetailView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        return render_inspection_page(request, selectors.inspection_get(user=request.user, pk=pk))


class InspectionTransitionView(InspectionPage, TransitionView):
    """start / complete (with its summary) / cancel (reason required)."""

    workflow = INSPECTION_WORKFLOW
    forms = {"complete": (CompleteForm, "complete_form")}
    success_anchors = {"complete": "summary"}
    success_text = gettext_lazy("%(action)s: the inspection is now “%(state)s”.")

    def fire(self, inspection, action, data):
        return services.inspection_fire(inspection=inspection, actor=self.request.user, action=action,
                                        comment=data.get("comment", ""))


class FindingJudgeView(InspectionPage, RecordPostView):
    """One finding of the inspection page: result, comment, evidence (the card's form, htmx)."""

    form_class, form_key = JudgeForm, "judge_form"

    def get_finding(self, inspection):
        from django.http import Http404

        finding = Finding.objects.select_related("sample", "item", "inspection").filter(
            pk=self.kwargs.get("finding_pk"), inspection=inspection).first()
        if finding is None:
            raise Http404(_("No such finding."))
        return finding

    def perform(self, *, form, data, inspection):
        finding = self.get_finding(inspection)
        return services.finding_judge(finding=finding, actor=self.request.user, result=data["result"],
                                      comment=data["comment"], upload=data.get("file"))

    def error_forms(self, form) -> dict:
        return {"judge_form": form, "finding_pk": int(self.kwargs.get("finding_pk"))}

    def success_url(self, record) -> str:
        return record.get_absolute_url() + f"#finding-{self.kwargs.get('finding_pk')}"

    def success_message(self, record, result) -> str:
        return _("%(item)s: %(result)s") % {"item": result.item.text[:60], "result": result.get_result_display()}


# --- the finding page ---------------------------------------------------------------------------------------------

def render_finding_page(request, finding: Finding, *, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    user = request.user
    can_work = finding.inspection.is_open and can_work_inspection(user, finding.inspection)
    return render(request, "assessment/inspections/finding_detail.html", {
        "finding": finding, "inspection": finding.inspection, "sample": finding.sample,
        "attachments": list(finding.attachments.all()), "can_work": can_work,
        "judge_form": forms.get("judge_form") or JudgeForm(initial={"result": finding.result if finding.result != R.PENDING
                                                                    else None, "comment": finding.comment}),
        "notice_url": notice_create_url(finding) if finding.result == R.FAIL else "",
    }, status=status)


class FindingPage:
    record_name = "finding"

    def get_record(self, pk: int):
        return selectors.finding_get(user=self.request.user, pk=pk)

    def render_record(self, record, *, forms, status):
        return render_finding_page(self.request, record, forms=forms, status=status)


class FindingDetailView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        return render_finding_page(request, selectors.finding_get(user=request.user, pk=pk))


class FindingPageJudgeView(FindingPage, RecordPostView):
    form_class, form_key = JudgeForm, "judge_form"

    def perform(self, *, form, data, finding):
        return services.finding_judge(finding=finding, actor=self.request.user, result=data["result"],
                                      comment=data["comment"], upload=data.get("file"))


class FindingAttachmentDownloadView(RecordAttachmentDownloadView):
    """WF-3: a finding's evidence, only for those who may open the finding."""

    record_selector = staticmethod(selectors.finding_get)


# --- checklists -------------------------------------------------------------------------------------------------------

class ChecklistListView(LoginRequiredMixin, View):
    def get(self, request):
        from qsm.views import keyset_paginate

        page = keyset_paginate(selectors.checklist_list(user=request.user), request, keys=("updated_at", "id"),
                               descending=True)
        return render(request, "assessment/inspections/checklist_list.html", {
            "page": page, "checklists": page.rows, "can_manage": can_manage_checklists(request.user, None)})


class _CreateView(LoginRequiredMixin, View):
    """A "new ..." page of the quality department: the form, one service call, the new record's page;
    400 with the form's errors in Chinese, 403 for anyone else."""

    template = ""
    form_class = None
    allowed = None  # the predicate (user, None)
    denied = ""

    def create(self, data: dict):  # pragma: no cover - each page declares it
        raise NotImplementedError

    def _check(self, request):
        if not self.allowed(request.user, None):
            raise PermissionDenied(str(self.denied))

    def get(self, request):
        self._check(request)
        return render(request, self.template, {"form": self.form_class(initial={"active": True})})

    def post(self, request):
        self._check(request)
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                record = self.create(form.cleaned_data)
            except ValidationError as exc:
                add_validation_errors(request, exc, form)
            else:
                return redirect(record.get_absolute_url())
        return render(request, self.template, {"form": form}, status=400)


class ChecklistCreateView(_CreateView):
    template, form_class = "assessment/inspections/checklist_form.html", ChecklistCreateForm
    allowed, denied = staticmethod(can_manage_checklists), gettext_lazy("Only the quality department makes checklists.")

    def create(self, data: dict):
        return services.checklist_create(actor=self.request.user, name=data["name"], module=data["module"],
                                         standards=data["standards"], description=data["description"])


def render_checklist_page(request, checklist, *, forms=None, status=200):
    forms = forms or {}
    return render(request, "assessment/inspections/checklist_detail.html", {
        "checklist": checklist, "items": list(checklist.items.all()),
        "standards": list(checklist.created_from.all()),
        "can_manage": can_manage_checklists(request.user, checklist),
        "edit_form": forms.get("edit_form") or ChecklistEditForm(initial={
            "name": checklist.name, "description": checklist.description, "active": checklist.active}),
        "item_form": forms.get("item_form") or ItemForm(),
        "failed_item": forms.get("item_pk"),
        "timeline": timeline(checklist),
    }, status=status)


class ChecklistPage:
    record_name = "checklist"

    def get_record(self, pk: int):
        return selectors.checklist_get(user=self.request.user, pk=pk)

    def render_record(self, record, *, forms, status):
        return render_checklist_page(self.request, record, forms=forms, status=status)


class ChecklistDetailView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        return render_checklist_page(request, selectors.checklist_get(user=request.user, pk=pk))


class ChecklistEditView(ChecklistPage, RecordPostView):
    form_class, form_key = ChecklistEditForm, "edit_form"

    def perform(self, *, form, data, checklist):
        return services.checklist_update(checklist=checklist, actor=self.request.user, **data)


class ChecklistItemAddView(ChecklistPage, RecordPostView):
    form_class, form_key, anchor = ItemForm, "item_form", "items"

    def perform(self, *, form, data, checklist):
        return services.item_add(checklist=checklist, actor=self.request.user, text=data["text"], kind=data["kind"],
                                 guidance=data["guidance"])


class ChecklistItemEditView(ChecklistPage, RecordPostView):
    form_class, form_key, anchor = ItemForm, "item_form", "items"

    def perform(self, *, form, data, checklist):
        item = selectors.checklist_item_get(user=self.request.user, checklist=checklist, pk=self.kwargs["item_pk"])
        return services.item_update(item=item, actor=self.request.user, **data)

    def error_forms(self, form) -> dict:
        return {"item_form": form, "item_pk": int(self.kwargs["item_pk"])}


# --- inspection plans -----------------------------------------------------------------------------------------------

class PlanListView(LoginRequiredMixin, View):
    def get(self, request):
        from qsm.views import keyset_paginate

        page = keyset_paginate(selectors.plan_list(user=request.user), request, keys=("next_run_on", "id"),
                               descending=False)
        return render(request, "assessment/inspections/plan_list.html", {
            "page": page, "plans": page.rows, "can_manage": can_manage_plans(request.user, None)})


class PlanCreateView(_CreateView):
    template, form_class = "assessment/inspections/plan_form.html", PlanForm
    allowed, denied = staticmethod(can_manage_plans), gettext_lazy("Only the quality department plans inspections.")

    def create(self, data: dict):
        return services.plan_create(actor=self.request.user, **data)


def render_plan_page(request, plan: InspectionPlan, *, forms=None, status=200):
    forms = forms or {}
    initial = {name: getattr(plan, name) for name in services.PLAN_FIELDS}
    return render(request, "assessment/inspections/plan_detail.html", {
        "plan": plan, "inspections": selectors.plan_inspections(plan),
        "can_manage": can_manage_plans(request.user, plan),
        "form": forms.get("form") or PlanForm(initial=initial),
        "timeline": timeline(plan),
    }, status=status)


class PlanPage:
    record_name = "plan"

    def get_record(self, pk: int):
        return selectors.plan_get(user=self.request.user, pk=pk)

    def render_record(self, record, *, forms, status):
        return render_plan_page(self.request, record, forms=forms, status=status)


class PlanDetailView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        return render_plan_page(request, selectors.plan_get(user=request.user, pk=pk))


class PlanEditView(PlanPage, RecordPostView):
    form_class, form_key = PlanForm, "form"

    def perform(self, *, form, data, plan):
        return services.plan_update(plan=plan, actor=self.request.user, **data)
