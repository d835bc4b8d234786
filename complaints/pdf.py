"""CMP-5: the printable case report (投诉案例报告) of a closed complaint, a Chinese PDF.

Built with the core's form parts (``qsm/pdf.py``: the embedded CJK font, numbered pages, tables).
It carries the complaint's facts, the report's five parts, every plan version with its measures,
the customer's answers per round and the preventive measures. Printed in the site's language
(Chinese) whatever language the reader's screens use.
"""
from __future__ import annotations

import io

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from qsm import pdf as qpdf

from .models import CaseReport, Complaint, CustomerAnswer, HandlingPlan, Measure, PreventiveMeasure


def case_report_bytes(report: CaseReport) -> bytes:
    complaint = report.complaint
    buffer = io.BytesIO()
    title = _("Complaint case report")
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=qpdf.MARGIN, rightMargin=qpdf.MARGIN,
                            topMargin=qpdf.MARGIN, bottomMargin=qpdf.MARGIN + 4 * mm,
                            title=f"{title} {complaint.number}", author="QSM")
    printed = qpdf.date_text(timezone.now())
    footer = f"{complaint.number}    " + _("Printed at %(time)s") % {"time": printed}
    body = [qpdf.para(title, qpdf.style("title")), _header(complaint, report)]
    for name in ("summary", "cause_text", "responsibility_text", "measures_text", "lessons_learned"):
        body += [qpdf.heading(qpdf.field_label(CaseReport, name)), qpdf.box(getattr(report, name), 12 * mm)]
    body += _plans(complaint) + _answers(complaint) + _prevention(complaint)
    doc.build(body, canvasmaker=qpdf.numbered_canvas(footer))
    return buffer.getvalue()


def _header(complaint: Complaint, report: CaseReport):
    label_width = 30 * mm
    value_width = qpdf.CONTENT_WIDTH / 2 - label_width
    p, lab, f = qpdf.para, qpdf.label, qpdf.field_label
    closing = complaint.get_status_display()
    rows = [
        [lab(f(Complaint, "number")), p(complaint.number), lab(f(Complaint, "customer")), p(complaint.customer.name)],
        [lab(f(Complaint, "subject")), p(complaint.subject), lab(f(Complaint, "severity")),
         p(complaint.get_severity_display())],
        [lab(f(Complaint, "received_at")), p(qpdf.date_text(complaint.received_at)), lab(f(Complaint, "closed_at")),
         p(qpdf.date_text(complaint.closed_at))],
        [lab(f(Complaint, "responsible_department")), p(complaint.responsible_department or ""),
         lab(f(Complaint, "responsible_person")), p(complaint.responsible_person or "")],
        [lab(_("Outcome")), p(closing), lab(f(Complaint, "round")), p(complaint.round)],
        [lab(f(CaseReport, "written_by")), p(report.written_by), lab(f(CaseReport, "status")),
         p(report.get_status_display())],
    ]
    if complaint.close_decision_reason:
        rows.append([lab(f(Complaint, "close_decision_reason")), p(complaint.close_decision_reason), "", ""])
    return qpdf.grid(rows, [label_width, value_width, label_width, value_width], label_columns=(0, 2))


def _plans(complaint: Complaint) -> list:
    parts = [qpdf.heading(_("Handling plans and measures"))]
    p, lab, f = qpdf.para, qpdf.label, qpdf.field_label
    rows = [[lab(f(HandlingPlan, "version")), lab(f(Measure, "description")), lab(f(Measure, "owner")),
             lab(f(Measure, "due_date")), lab(f(Measure, "status"))]]
    plans = complaint.plans.order_by("version").prefetch_related("measures__owner")
    for plan in plans:
        measures = sorted(plan.measures.all(), key=lambda m: (m.position, m.pk))
        if not measures:
            rows.append([p(f"v{plan.version} · {plan.get_status_display()}"), p(plan.summary), "", "", ""])
        for m in measures:
            rows.append([p(f"v{plan.version} · {plan.get_status_display()}"), p(m.description), p(m.owner),
                         p(qpdf.date_text(m.due_date)), p(m.get_status_display())])
    widths = [32 * mm, qpdf.CONTENT_WIDTH - 102 * mm, 25 * mm, 22 * mm, 23 * mm]
    return [*parts, qpdf.grid(rows, widths, header=True)]


def _answers(complaint: Complaint) -> list:
    answers = list(CustomerAnswer.objects.filter(complaint=complaint).order_by("round"))
    if not answers:
        return []
    p, lab, f = qpdf.para, qpdf.label, qpdf.field_label
    rows = [[lab(f(CustomerAnswer, "round")), lab(f(CustomerAnswer, "method")), lab(f(CustomerAnswer, "satisfied")),
             lab(f(CustomerAnswer, "objections")), lab(f(CustomerAnswer, "answered_at"))]]
    for a in answers:
        rows.append([p(a.round), p(a.get_method_display()), p(_("Yes") if a.satisfied else _("No")),
                     p(a.objections), p(qpdf.date_text(a.answered_at))])
    widths = [14 * mm, 22 * mm, 18 * mm, qpdf.CONTENT_WIDTH - 84 * mm, 30 * mm]
    return [qpdf.heading(_("Customer confirmation")), qpdf.grid(rows, widths, header=True)]


def _prevention(complaint: Complaint) -> list:
    measures = list(PreventiveMeasure.objects.filter(complaint=complaint).select_related("owner", "department")
                    .order_by("due_date", "id"))
    if not measures:
        return []
    p, lab, f = qpdf.para, qpdf.label, qpdf.field_label
    rows = [[lab(f(PreventiveMeasure, "description")), lab(f(PreventiveMeasure, "owner")),
             lab(f(PreventiveMeasure, "due_date")), lab(f(PreventiveMeasure, "status"))]]
    for m in measures:
        rows.append([p(m.description), p(f"{m.owner} / {m.department}"), p(qpdf.date_text(m.due_date)),
                     p(m.get_status_display())])
    widths = [qpdf.CONTENT_WIDTH - 95 * mm, 45 * mm, 25 * mm, 25 * mm]
    return [qpdf.heading(_("Preventive measures")), Spacer(1, 1 * mm), qpdf.grid(rows, widths, header=True)]


def case_report_response(report: CaseReport) -> HttpResponse:
    """The report as application/pdf (the caller has checked that the user may see the complaint)."""
    with translation.override(settings.LANGUAGE_CODE):
        content = case_report_bytes(report)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report.complaint.number}-case-report.pdf"'
    return response
