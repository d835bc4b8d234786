"""QR codes of customer links for print (segno: pure Python, no image library needed)."""
from __future__ import annotations

import io

import segno


def _qr(url: str):
    # Level M survives a crease or a smudge on a printed form; the URL is short enough.
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, *, scale: int = 4) -> str:
    """Inline SVG markup (no XML declaration) to place in a printed page."""
    out = io.BytesIO()
    _qr(url).save(out, kind="svg", scale=scale, xmldecl=False, svgns=True, nl=False)
    return out.getvalue().decode()


def qr_png(url: str, *, scale: int = 6) -> bytes:
    out = io.BytesIO()
    _qr(url).save(out, kind="png", scale=scale)
    return out.getvalue()
