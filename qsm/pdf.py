"""Printable Chinese PDFs (ORD-3 acceptance form, CMP-5 case report): the parts every form shares.

Moved here from ``orders/pdf.py`` when the complaints' case report became the second form, so the
font, the styles, the numbered pages and the table helpers exist once.

The Chinese font is embedded (a subset of a TrueType font: ``settings.QSM_PDF_FONT`` or Debian's
fonts-wqy-microhei), so a form prints the same on any viewer or printer. ReportLab cannot embed
Noto CJK (PostScript outlines); without a TrueType CJK font forms fall back to the built-in
STSong-Light CID font, which is *not* embedded, and say so in the log and the system checks.
Pages are numbered "第 1 页 / 共 2 页".
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

log = logging.getLogger(__name__)

# TrueType fonts with Chinese glyphs from Debian's packages, in order of preference (path, face in a .ttc).
FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
]
EMBEDDED_FONT = "QSM-CJK"
CID_FONT = "STSong-Light"  # the fallback: a name every viewer substitutes, nothing embedded


def font_file() -> tuple[str, int] | None:
    """The TrueType font file the forms embed: the setting, else the first Debian font installed."""
    if settings.QSM_PDF_FONT:
        return settings.QSM_PDF_FONT, 0
    return next(((path, face) for path, face in FONT_CANDIDATES if Path(path).is_file()), None)


@functools.cache
def form_font() -> str:
    """Register the forms' font once per process and return its name."""
    found = font_file()
    if found is not None:
        try:
            pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, found[0], subfontIndex=found[1]))
            return EMBEDDED_FONT
        except Exception:  # a broken or PostScript-outlined file: the form must still print
            log.warning("cannot embed the PDF font %s; using %s, which is not embedded", found[0], CID_FONT,
                        exc_info=True)
    else:
        log.warning("no TrueType Chinese font found (set QSM_PDF_FONT or install fonts-wqy-microhei); "
                    "printed forms use %s, which is not embedded", CID_FONT)
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
GRID = colors.HexColor("#555555")
SHADE = colors.HexColor("#eeeeee")


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    # wordWrap="CJK": Chinese text has no spaces, so lines may break between any two characters.
    body = ParagraphStyle("body", fontName=form_font(), fontSize=9.5, leading=13, wordWrap="CJK")
    return {
        "body": body,
        "label": ParagraphStyle("label", parent=body, textColor=colors.HexColor("#333333")),
        "title": ParagraphStyle("title", parent=body, fontSize=18, leading=24, alignment=TA_CENTER,
                                spaceAfter=2 * mm),
        "section": ParagraphStyle("section", parent=body, fontSize=11, leading=15, spaceBefore=3 * mm,
                                  spaceAfter=1.5 * mm),
    }


def style(name: str) -> ParagraphStyle:
    """One of the forms' paragraph styles: body, label, title, section."""
    return _styles()[name]


def numbered_canvas(footer_left: str):
    """A canvas that holds its pages back until the end, so each footer says "page n of N"."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            # Not Helvetica (a font no PDF embeds): every font of the form is the embedded one.
            kwargs["initialFontName"] = form_font()
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            self.saveState()
            self.setFont(form_font(), 8)
            self.setFillColor(colors.HexColor("#555555"))
            self.drawString(MARGIN, MARGIN - 2 * mm, footer_left)
            self.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 2 * mm,
                                 _("Page %(page)s of %(pages)s") % {"page": self._pageNumber, "pages": total})
            self.restoreState()

    return NumberedCanvas


_SPELLED_OUT = str.maketrans({"℃": "°C", "℉": "°F"})


def para(text, paragraph_style: ParagraphStyle | None = None) -> Paragraph:
    """User text is data, not markup: escape it and keep its line breaks. "℃" is written "°C": the
    embedded WenQuanYi font maps it to an empty glyph, and the unit must not vanish from a measurement."""
    text = str(text or "").translate(_SPELLED_OUT)
    return Paragraph(escape(text).replace("\n", "<br/>"), paragraph_style or style("body"))


def label(text) -> Paragraph:
    return para(text, style("label"))


def heading(text: str) -> Paragraph:
    return Paragraph(escape(str(text)), style("section"))


def is_heading(part) -> bool:
    return isinstance(part, Paragraph) and part.style.name == "section"


def date_text(value) -> str:
    """A date or a moment as the forms print it (local time)."""
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    return date_format(value, "Y-m-d")


def grid(rows, widths, *, header: bool = False, label_columns: tuple[int, ...] = ()) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    table_style = [
        ("FONTNAME", (0, 0), (-1, -1), form_font()),  # empty cells too: no unembedded Helvetica
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        table_style.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    for column in label_columns:
        table_style.append(("BACKGROUND", (column, 0), (column, -1), SHADE))
    table.setStyle(TableStyle(table_style))
    return table


def field_label(model, name: str) -> str:
    """A field's own (translated) name, so the form says what the record's page says."""
    return capfirst(str(model._meta.get_field(name).verbose_name))


def box(text: str, height: float) -> Table:
    """A framed text block, or an empty box of ``height`` to write in by hand."""
    table = Table([[para(text)]], colWidths=[CONTENT_WIDTH], rowHeights=[None if text else height])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), form_font()), ("BOX", (0, 0), (-1, -1), 0.5, GRID),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    if text:
        table.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return table
