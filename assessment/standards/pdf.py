"""QC-1: a standard's version printed as a Chinese PDF (the core's form parts, ``qsm/pdf.py``). A
superseded version prints too, marked as such: the rules that applied at the time stay printable."""
from __future__ import annotations

import io

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from qsm import pdf as qpdf

from ..choices import Module
from .models import Standard, StandardVersion


def version_pdf_bytes(version: StandardVersion) -> bytes:
    standard = version.standard
    buffer = io.BytesIO()
    title = _("Service standard")
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=qpdf.MARGIN, rightMargin=qpdf.MARGIN,
                            topMargin=qpdf.MARGIN, bottomMargin=qpdf.MARGIN + 4 * mm,
                            title=f"{title} {version.number}", author="QSM")
    footer = f"{version.number}    " + _("Printed at %(time)s") % {"time": qpdf.date_text(timezone.now())}
    body = [qpdf.para(f"{version.title}", qpdf.style("title")), _header(standard, version)]
    for name in ("process", "content", "requirements", "change_summary"):
        text = getattr(version, name)
        if text:
            body += [qpdf.heading(qpdf.field_label(StandardVersion, name)), qpdf.box(text, 10 * mm)]
    doc.build(body, canvasmaker=qpdf.numbered_canvas(footer))
    return buffer.getvalue()


def _header(standard: Standard, version: StandardVersion):
    label_width = 28 * mm
    value_width = qpdf.CONTENT_WIDTH / 2 - label_width
    p, lab, f = qpdf.para, qpdf.label, qpdf.field_label
    modules = dict(Module.choices)
    rows = [
        [lab(f(Standard, "number")), p(f"{standard.number} v{version.version}"), lab(f(StandardVersion, "status")),
         p(version.get_status_display())],
        [lab(f(Standard, "kind")), p(standard.get_kind_display()), lab(f(Standard, "owner")), p(standard.owner)],
        [lab(f(Standard, "modules")), p("、".join(str(modules.get(m, m)) for m in standard.modules) or "—"),
         lab(f(Standard, "departments")), p("、".join(d.name for d in standard.departments.all()) or _("Every department"))],
        [lab(f(StandardVersion, "effective_on")), p(qpdf.date_text(version.effective_on)),
         lab(f(StandardVersion, "review_on")), p(qpdf.date_text(version.review_on))],
        [lab(f(StandardVersion, "approved_by")), p(version.approved_by or ""),
         lab(f(StandardVersion, "approved_at")), p(qpdf.date_text(version.approved_at))],
    ]
    if version.superseded_at:
        rows.append([lab(f(StandardVersion, "superseded_at")), p(qpdf.date_text(version.superseded_at)), "", ""])
    return qpdf.grid(rows, [label_width, value_width, label_width, value_width], label_columns=(0, 2))


def version_pdf_response(version: StandardVersion) -> HttpResponse:
    """The version as application/pdf (the caller read it through the selector: the user may see it)."""
    with translation.override(settings.LANGUAGE_CODE):
        content = version_pdf_bytes(version)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{version.standard.number}-v{version.version}.pdf"'
    return response
