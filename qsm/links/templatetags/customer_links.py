"""``{% load customer_links %}`` for print pages: the QR code of a link, inline (no extra request,
so the token never appears in another URL or an access log)."""
from django import template
from django.utils.safestring import mark_safe

from ..qr import qr_svg as _qr_svg
from ..views import qr_token

register = template.Library()


@register.filter
def qr_svg(url: str) -> str:
    # segno writes only the modules' path and fixed attributes: nothing of the URL is echoed as markup.
    return mark_safe(_qr_svg(url))  # noqa: S308


@register.filter
def link_qr_token(url: str) -> str:
    """The signed value for ``{% url 'links:qr' 'png' %}?u=…`` (a downloadable image)."""
    return qr_token(url)
