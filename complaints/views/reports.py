"""CMP-5 pages: the case report (write, finalise, print as PDF) and preventive measures (add,
complete, cancel; the SEARCH-1 list and its export)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.web.pages import render_record_page
from qsm.web.views import RecordExportView, RecordListView, add_validation_errors

from ..forms.confirmation import CaseReportForm, PreventiveDoneForm, PreventiveMeasureForm
from ..models import CaseReport, PreventiveMeasure
from ..pdf import case_report_response
from ..prevention_filters import PreventiveFilter
from ..rules import can_write_report
from ..selectors import complaint_get
from ..selectors.prevention import case_report_of, preventive_get, preventive_list, similar_cases
from ..services import reports
from ..services.core import preventive_add, preventive_complete
from .confirmation import ComplaintActionView


class CaseReportView(LoginRequiredMixin, View):
    """The case report's page: the form (prefilled from the complaint while there is no report),
    similar closed cases by cause and product, and the PDF once it is final."""

    def _render(self, complaint, form, *, status=200):
        report = case_report_of(complaint)
        editable = (can_write_report(self.request.user, complaint)
                    and (report is None or report.status != CaseReport.Status.FINAL)
                    and complaint.status in reports.CLOSED_STATES)
        return render(self.request, "complaints/case_report.html", {
            "complaint": complaint, "report": report, "form": form, "editable": editable,
            "similar": similar_cases(user=self.request.user, complaint=complaint)}, status=status)

    def get(self, request, pk: int):
        complaint = complaint_get(user=request.user, pk=pk)
        report = case_report_of(complaint)
        initial = ({name: getattr(report, name) for name in reports.REPORT_FIELDS} if report is not None
                   else reports.case_report_initial(complaint))
        return self._render(complaint, CaseReportForm(initial=initial))

    def post(self, request, pk: int):
        complaint = complaint_get(user=request.user, pk=pk)
        form = CaseReportForm(request.POST)
        if not form.is_valid():
            return self._render(complaint, form, status=400)
        try:
            report = reports.case_report_save(complaint=complaint, actor=request.user, data=form.cleaned_data,
                                              finalise=form.cleaned_data["finalise"])
        except ValidationError as exc:
            add_validation_errors(request, exc, form)
            return self._render(complaint, form, status=400)
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            return self._render(complaint, form, status=409)
        messages.success(request, _("The case report is final.") if report.status == CaseReport.Status.FINAL
                         else _("The case report was saved as a draft."))
        return redirect("complaints:case-report", pk=complaint.pk)


class CaseReportPdfView(LoginRequiredMixin, View):
    """The final case report as a Chinese PDF; another department's complaint is a 404."""

    def get(self, request, pk: int):
        complaint = complaint_get(user=request.user, pk=pk)
        report = case_report_of(complaint)
        if report is None or report.status != CaseReport.Status.FINAL:
            raise Http404(_("This complaint has no final case report yet."))
        return case_report_response(report)


class PreventiveAddView(ComplaintActionView):
    form_class, form_key, anchor = PreventiveMeasureForm, "preventive_form", "prevention"


    def perform(self, *, complaint, form, data):
        return preventive_add(complaint=complaint, actor=self.request.user,
                                                 description=data["description"], owner=data["owner"],
                                                 due_date=data["due_date"])

    def success_message(self, complaint, measure):
        return _("The preventive measure was added.")


class PreventivePostView(ComplaintActionView):
    """A form on one preventive measure (its complaint's page is where it lands)."""

    record_name, form_key, anchor = "measure", "preventive_done_form", "prevention"

    def get_record(self, pk):
        return preventive_get(user=self.request.user, pk=pk)

    def complaint_of(self, measure):
        return measure.complaint

    def render_record(self, record, *, forms, status):
        return render_record_page(self.request, record.complaint, forms=forms, status=status)


class PreventiveCompleteView(PreventivePostView):
    form_class = PreventiveDoneForm


    def perform(self, *, measure, form, data):
        return preventive_complete(measure=measure, actor=self.request.user, note=data["note"])

    def success_message(self, measure, result):
        return _("The preventive measure is done.")


class PreventiveListView(RecordListView):
    """SEARCH-1: preventive measures, keyset pages by due date, filters shared with export and API."""

    filterset_class = PreventiveFilter
    template_name = "complaints/preventive_list.html"
    keys, rows_name, status_choices = ("due_date", "id"), "measures", PreventiveMeasure.Status.choices

    def get_queryset(self):
        return preventive_list(user=self.request.user)


class PreventiveExportView(RecordExportView):
    export_name = "complaints.preventive"
