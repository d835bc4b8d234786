"""ORD-3: the printable installation and commissioning acceptance form (安装调试验收单).

The engineer prints it on site, the customer checks the work, ticks a decision and signs; the
signed scan is attached to the order (WF-3). The form carries what the system knows (customer,
site, lines, the engineers and installation date in force, the latest commissioning round and the
latest acceptance round) and leaves blank boxes for what is written by hand.

The Chinese font is embedded (a subset of a TrueType font: ``settings.QSM_PDF_FONT`` or Debian's
fonts-wqy-microhei), so the form prints the same on any viewer or printer. ReportLab cannot embed
Noto CJK (PostScript outlines); without a TrueType CJK font the form falls back to the built-in
STSong-Light CID font, which is *not* embedded, and says so in the log and the system checks.
Pages are numbered "第 1 页 / 共 2 页"; the signature block is kept with the last table, never
alone on a page.
"""
from __future__ import annotations

import io
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

from qsm import pdf as qpdf
from qsm.org.models import Customer, Product

from .models import AcceptanceRound, CommissioningRound, Installation, Order, OrderLine, ReviewFinding
from .selectors import installation_of, order_get

log = logging.getLogger(__name__)

PAGE_WIDTH, CONTENT_WIDTH, MARGIN, GRID, SHADE = qpdf.PAGE_WIDTH, qpdf.CONTENT_WIDTH, qpdf.MARGIN, qpdf.GRID, qpdf.SHADE
# The shared parts of the printed forms live in the core (qsm/pdf.py); the short names stay.
form_font, font_file = qpdf.form_font, qpdf.font_file
_style, _numbered_canvas, _p, _label, _date = qpdf.style, qpdf.numbered_canvas, qpdf.para, qpdf.label, qpdf.date_text
_grid, _field, _heading, _box, _is_heading = qpdf.grid, qpdf.field_label, qpdf.heading, qpdf.box, qpdf.is_heading


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
    footer_left = f"{order.number}    " + _("Printed at %(time)s") % {"time": printed}

    body = [_p(title, _style("title")), _header(order, installation), *_lines(order), *_work(installation),
            *_latest_round(installation)]
    doc.build(_keep_signatures_with_last_table(body, [*_decision(), *_signatures()]),
              canvasmaker=_numbered_canvas(footer_left))
    return buffer.getvalue()


def _keep_signatures_with_last_table(body: list, tail: list) -> list:
    """The customer's decision and the signatures never stand alone on a page: they are kept
    together with the last table of the form (and its heading), which moves with them if need be."""
    last_table = max((n for n, part in enumerate(body) if isinstance(part, Table)), default=None)
    if last_table is None:
        return [*body, KeepTogether(tail)]
    start = last_table
    while start > 0 and (isinstance(body[start - 1], Spacer) or _is_heading(body[start - 1])):
        start -= 1
    return [*body[:start], KeepTogether([*body[start:], *tail])]


# --- parts of the form ----------------------------------------------------------------------------

def _header(order: Order, installation: Installation) -> Table:
    customer = order.customer
    engineers = "、".join(str(e) for e in installation.engineers.all())
    label_width = 32 * mm
    value_width = CONTENT_WIDTH / 2 - label_width
    rows = [
        [_label(_field(Order, "number")), _p(order.number), _label(_field(Order, "customer_reference")),
         _p(order.customer_reference)],
        [_label(_field(Order, "customer")), _p(customer.name), _label(_field(Customer, "phone")), _p(customer.phone)],
        [_label(_field(Order, "site_address")), _p(order.site_address or customer.address),
         _label(_field(Order, "site_contact")), _p(order.site_contact)],
        [_label(_field(Order, "department")), _p(f"{order.department} / {order.owner}"),
         _label(_field(Installation, "engineers")), _p(engineers)],
        # The date and engineers in force: a rescheduled installation prints its new date (ORD-3).
        [_label(_field(Installation, "scheduled_for")), _p(_date(installation.scheduled_for)),
         _label(_field(Installation, "commissioned_at")), _p(_date(installation.commissioned_at))],
    ]
    return _grid(rows, [label_width, value_width, label_width, value_width], label_columns=(0, 2))


def _lines(order: Order) -> list:
    rows = [[_label("#"), _label(_field(Product, "code")), _label(_field(OrderLine, "product")),
             _label(_field(OrderLine, "quantity")), _label(_field(OrderLine, "delivered_quantity"))]]
    for n, line in enumerate(order.lines.all(), start=1):
        rows.append([_p(n), _p(line.product.code), _p(line.product.name), _p(line.quantity.normalize()),
                     _p(line.delivered_quantity.normalize())])
    widths = [10 * mm, 32 * mm, CONTENT_WIDTH - 92 * mm, 22 * mm, 28 * mm]
    return [_heading(_("Equipment and services")), _grid(rows, widths, header=True)]


def _work(installation: Installation) -> list:
    """The latest commissioning round (the one the customer accepts now), numbered; blank rows to
    fill in by hand before the first one."""
    rounds = list(installation.commissioning_rounds.all())
    current: CommissioningRound | None = rounds[-1] if rounds else None
    heading = _field(CommissioningRound, "checklist")
    if current is not None:
        heading = _("%(what)s (round %(number)s, %(date)s)") % {
            "what": heading, "number": current.number, "date": _date(current.commissioned_at)}
    parts = [_heading(_field(CommissioningRound, "site_work")), _box(current.site_work if current else "", 14 * mm),
             _heading(heading)]
    checklist = current.checklist if current else []
    rows = [[_label("#"), _label(_("Test item")), _label(_field(ReviewFinding, "result"))]]
    for n, check in enumerate(checklist, start=1):
        rows.append([_p(n), _p(check.get("item")),
                     _p(ReviewFinding.Result.PASS.label if check.get("ok") else ReviewFinding.Result.FAIL.label)])
    if not checklist:
        rows += [["", "", ""] for _row in range(4)]
    parts.append(_grid(rows, [10 * mm, CONTENT_WIDTH - 40 * mm, 30 * mm], header=True))
    measurements = current.measurements if current else []
    rows = [[_label(_field(CommissioningRound, "measurements")), _label(_("Value")), _label(_("Unit"))]]
    for m in measurements:
        rows.append([_p(m.get("name")), _p(m.get("value")), _p(m.get("unit"))])
    if not measurements:
        rows += [["", "", ""] for _row in range(3)]
    parts += [Spacer(1, 2 * mm), _grid(rows, [CONTENT_WIDTH - 60 * mm, 35 * mm, 25 * mm], header=True)]
    if current is not None and current.notes:
        parts += [Spacer(1, 1.5 * mm), _p(f"{_field(CommissioningRound, 'notes')}: {current.notes}")]
    if len(rounds) > 1:
        earlier = "; ".join(_("round %(number)s, %(date)s") % {"number": r.number, "date": _date(r.commissioned_at)}
                            for r in rounds[:-1])
        parts += [Spacer(1, 1.5 * mm), _p(_("Earlier commissioning rounds: %(rounds)s") % {"rounds": earlier})]
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
        [_label(_field(AcceptanceRound, "number")), _p(last.number), _label(_field(AcceptanceRound, "result")),
         _p(last.get_result_display())],
        [_label(_field(AcceptanceRound, "remarks")), _p(last.remarks),
         _label(_field(AcceptanceRound, "decided_at")), _p(_date(last.decided_at))],
        [_label(_field(AcceptanceRound, "customer_feedback")), _p(last.customer_feedback),
         _label(_field(AcceptanceRound, "customer_signatory")), _p(last.customer_signatory)],
    ]
    return [_heading(_("Latest acceptance round")),
            _grid(rows, [label_width, value_width, label_width, value_width], label_columns=(0, 2))]


def _decision() -> list:
    boxes = "　　".join(f"□ {label}" for label in AcceptanceRound.Result.labels)
    return [
        _heading(_("Customer's acceptance")),
        _p(boxes),
        Spacer(1, 2 * mm),
        _label(_field(AcceptanceRound, "remarks") + ":"),
        _box("", 14 * mm),
    ]


def _signatures() -> list:
    # A list, not a KeepTogether: it is kept together with the last table by the caller, and a
    # KeepTogether nested in another always reports a page's height (ReportLab) and forces a break.
    half = CONTENT_WIDTH / 2
    rows = [
        [_label(_("Customer representative (signature)")), _label(_("Installing engineer (signature)"))],
        ["", ""],
        [_label(_("Date") + ":"), _label(_("Date") + ":")],
    ]
    table = Table(rows, colWidths=[half, half], rowHeights=[None, 16 * mm, 8 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), form_font()),
        ("BOX", (0, 0), (0, -1), 0.5, GRID),
        ("BOX", (1, 0), (1, -1), 0.5, GRID),
        ("LINEBELOW", (0, 1), (-1, 1), 0.3, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return [Spacer(1, 3 * mm), table]
