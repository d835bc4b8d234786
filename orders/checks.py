"""System checks of the in-sale module."""
from __future__ import annotations

from pathlib import Path

from django.core import checks


@checks.register(checks.Tags.compatibility, deploy=True)
def acceptance_form_font(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """ORD-3: the printed acceptance form embeds a TrueType Chinese font; without one it falls back
    to a font that is not embedded (a printer or viewer without it shows boxes or another face)."""
    from qsm.pdf import font_file  # imported here: the PDF library loads only when needed

    found = font_file()
    if found is not None and Path(found[0]).is_file():
        return []
    return [checks.Warning(
        "No TrueType Chinese font for the printed acceptance form: it will not embed its font.",
        hint="Install Debian's fonts-wqy-microhei, or set QSM_PDF_FONT to a .ttf/.ttc file.",
        id="orders.W001",
    )]
