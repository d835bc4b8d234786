"""ORD-3: the printable installation and commissioning acceptance form (安装调试验收单).

The engineer prints it on site, the customer checks the work, ticks a decision and signs; the
signed scan is attached to the order (WF-3). The form carries what the system knows (customer,
site, lines, engineers, the commissioning test and the latest acceptance round) and leaves blank
boxes for what is written by hand.

Rendered with ReportLab's built-in CJK CID font (STSong-Light): no font file to ship, and every
PDF viewer substitutes a Song/Ming typeface for it.
"""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from qsm.org.models import Customer, Product

from .models import AcceptanceRound, Installation, Order, OrderLine, ReviewFinding
from .selectors import installation_of, order_get

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
GRID = colors.HexColor("#555555")
SHADE = colors.HexColor("#eeeeee")

# wordWrap="CJK": Chinese text has no spaces, so lines may break between any two characters.
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, wordWrap="CJK")
LABEL = ParagraphStyle("label", parent=BODY, textColor=colors.HexColor("#333333"))
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10, textColor=colors.HexColor("#555555"))
TITLE = ParagraphStyle("title", parent=BODY, fontSize=18, leading=24, alignment=TA_CENTER, spaceAfter=2 * mm)
SECTION = ParagraphStyle("section", parent=BODY, fontSize=11, leading=15, spaceBefore=4 * mm, spaceAfter=1.5 * mm)


@login_required
@require_safe
def acceptance_form_pdf(request, pk: int) -> HttpResponse:
    """The acceptance form of an order with an installation, as application/pdf.

    order_get applies the user's scope: another department's order is a 404, as on its page.
    """
    order = order_get(user=request.user, pk=pk)
    installation = installation_of(order)
    if installation is None:
        raise Http404(_("This order has no installation yet."))
    # The customer reads and signs the form: it is in the site's language (Chinese), whatever
    # language the engineer's screens use.
    with translation.override(settings.LANGUAGE_CODE):
        content = acceptance_form_bytes(order, installation)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}-acceptance.pdf"'
    return response


def acceptance_form_bytes(order: Order, installation: Installation) -> bytes:
    buffer = io.BytesIO()
    title = _("Installation and commissioning acceptance form")
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN + 4 * mm, title=f"{title} {order.number}", author="QSM")
    printed = date_format(timezone.localtime(), "Y-m-d H:i")

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(MARGIN, MARGIN - 2 * mm, f"{order.number}    " + _("Printed at %(time)s") % {"time": printed})
        canvas.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 2 * mm, _("Page %(page)s") % {"page": document.page})
        canvas.restoreState()

    story = [_p(title, TITLE), _header(order, installation), *_lines(order), *_work(installation),
             *_latest_round(installation), *_decision(), _signatures()]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# --- parts of the form ----------------------------------------------------------------------------

def _p(text, style: ParagraphStyle = BODY) -> Paragraph:
    """User text is data, not markup: escape it and keep its line breaks."""
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def _date(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    return date_format(value, "Y-m-d")


def _grid(rows, widths, *, header: bool = False, label_columns: tuple[int, ...] = ()) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    for column in label_columns:
        style.append(("BACKGROUND", (column, 0), (column, -1), SHADE))
    table.setStyle(TableStyle(style))
    return table


def _field(model, name: str) -> str:
    """A field's own (translated) name, so the form says what the record's page says."""
    return capfirst(str(model._meta.get_field(name).verbose_name))


def _header(order: Order, installation: Installation) -> Table:
    customer = order.customer
    engineers = "、".join(str(e) for e in installation.engineers.all())
    label_width = 32 * mm
    value_width = CONTENT_WIDTH / 2 - label_width
    rows = [
        [_p(_field(Order, "number"), LABEL), _p(order.number), _p(_field(Order, "customer_reference"), LABEL),
         _p(order.customer_reference)],
        [_p(_field(Order, "customer"), LABEL), _p(customer.name), _p(_field(Customer, "phone"), LABEL),
         _p(customer.phone)],
        [_p(_field(Order, "site_address"), LABEL), _p(order.site_address or customer.address),
         _p(_field(Order, "site_contact"), LABEL), _p(order.site_contact)],
        [_p(_field(Order, "department"), LABEL), _p(f"{order.department} / {order.owner}"),
         _p(_field(Installation, "engineers"), LABEL), _p(engineers)],
        [_p(_field(Installation, "scheduled_for"), LABEL), _p(_date(installation.scheduled_for)),
         _p(_field(Installation, "commissioned_at"), LABEL), _p(_date(installation.commissioned_at))],
    ]
    return _grid(rows, [label_width, value_width, label_width, value_width], label_columns=(0, 2))


def _lines(order: Order) -> list:
    rows = [[_p("#", LABEL), _p(_field(Product, "code"), LABEL), _p(_field(OrderLine, "product"), LABEL),
             _p(_field(OrderLine, "quantity"), LABEL), _p(_field(OrderLine, "delivered_quantity"), LABEL)]]
    for n, line in enumerate(order.lines.all(), start=1):
        rows.append([_p(n), _p(line.product.code), _p(line.product.name), _p(line.quantity.normalize()),
                     _p(line.delivered_quantity.normalize())])
    widths = [10 * mm, 32 * mm, CONTENT_WIDTH - 92 * mm, 22 * mm, 28 * mm]
    return [_heading(_("Equipment and services")), _grid(rows, widths, header=True)]


def _heading(text: str) -> Paragraph:
    return Paragraph(escape(text), SECTION)


def _work(installation: Installation) -> list:
    parts = [_heading(_field(Installation, "site_work")), _box(installation.site_work, 14 * mm),
             _heading(_field(Installation, "commissioning_checklist"))]
    checklist = installation.commissioning_checklist or []
    rows = [[_p("#", LABEL), _p(_("Test item"), LABEL), _p(_field(ReviewFinding, "result"), LABEL)]]
    for n, check in enumerate(checklist, start=1):
        rows.append([_p(n), _p(check.get("item")),
                     _p(ReviewFinding.Result.PASS.label if check.get("ok") else ReviewFinding.Result.FAIL.label)])
    if not checklist:  # not commissioned yet: blank rows to fill in by hand
        rows += [["", "", ""] for _row in range(4)]
    parts.append(_grid(rows, [10 * mm, CONTENT_WIDTH - 40 * mm, 30 * mm], header=True))
    measurements = installation.measurements or []
    rows = [[_p(_field(Installation, "measurements"), LABEL), _p(_("Value"), LABEL), _p(_("Unit"), LABEL)]]
    for m in measurements:
        rows.append([_p(m.get("name")), _p(m.get("value")), _p(m.get("unit"))])
    if not measurements:
        rows += [["", "", ""] for _row in range(3)]
    parts += [Spacer(1, 2 * mm), _grid(rows, [CONTENT_WIDTH - 60 * mm, 35 * mm, 25 * mm], header=True)]
    if installation.commissioning_notes:
        parts += [Spacer(1, 1.5 * mm),
                  _p(f"{_field(Installation, 'commissioning_notes')}: {installation.commissioning_notes}")]
    return parts


def _latest_round(installation: Installation) -> list:
    """The last acceptance decision: the reasons of a rejection the rework answered, or the acceptance."""
    rounds = list(installation.acceptance_rounds.all())
    if not rounds:
        return []
    last: AcceptanceRound = rounds[-1]
    label_width = 32 * mm
    value_width = CONTENT_WIDTH / 2 - label_width
    rows = [
        [_p(_field(AcceptanceRound, "number"), LABEL), _p(last.number), _p(_field(AcceptanceRound, "result"), LABEL),
         _p(last.get_result_display())],
        [_p(_field(AcceptanceRound, "remarks"), LABEL), _p(last.remarks),
         _p(_field(AcceptanceRound, "decided_at"), LABEL), _p(_date(last.decided_at))],
        [_p(_field(AcceptanceRound, "customer_feedback"), LABEL), _p(last.customer_feedback),
         _p(_field(AcceptanceRound, "customer_signatory"), LABEL), _p(last.customer_signatory)],
    ]
    return [_heading(_("Latest acceptance round")),
            _grid(rows, [label_width, value_width, label_width, value_width], label_columns=(0, 2))]


def _decision() -> list:
    boxes = "　　".join(f"□ {label}" for label in AcceptanceRound.Result.labels)
    return [KeepTogether([
        _heading(_("Customer's acceptance")),
        _p(boxes),
        Spacer(1, 2 * mm),
        _p(_field(AcceptanceRound, "remarks") + ":", LABEL),
        _box("", 22 * mm),
    ])]


def _box(text: str, height: float) -> Table:
    table = Table([[_p(text)]], colWidths=[CONTENT_WIDTH], rowHeights=[None if text else height])
    table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.5, GRID), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    if text:
        table.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return table


def _signatures() -> KeepTogether:
    half = CONTENT_WIDTH / 2
    rows = [
        [_p(_("Customer representative (signature)"), LABEL), _p(_("Installing engineer (signature)"), LABEL)],
        ["", ""],
        [_p(_("Date") + ":", LABEL), _p(_("Date") + ":", LABEL)],
    ]
    table = Table(rows, colWidths=[half, half], rowHeights=[None, 20 * mm, 9 * mm])
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (0, -1), 0.5, GRID),
        ("BOX", (1, 0), (1, -1), 0.5, GRID),
        ("LINEBELOW", (0, 1), (-1, 1), 0.3, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return KeepTogether([Spacer(1, 5 * mm), table])
