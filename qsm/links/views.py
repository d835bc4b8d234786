"""The public page behind a customer link, and the QR code of a link for staff."""
from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from qsm.org.accounts import client_ip

from .qr import qr_png, qr_svg
from .registry import purpose_for
from .services import LinkRefused, link_check, link_consume

QR_SALT = "qsm.links.qr"
QR_MAX_AGE = 3600  # a print page's QR image is fetched right after the page


PAGE_LANGUAGES = ("zh-hans", "en")


def page_language(request) -> str:
    """The language a customer's link page answers in: ``?lang=`` / the posted ``lang``, Chinese first."""
    lang = request.POST.get("lang") or request.GET.get("lang") or ""
    return lang if lang in PAGE_LANGUAGES else "zh-hans"


def _refused(request, refused: LinkRefused) -> HttpResponse:
    # The customer has no account and no saved language: say it in Chinese and in English.
    messages = []
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            messages.append(str(refused.message))
    response = render(request, "links/refused.html", {"messages": messages, "reason": refused.reason},
                      status=refused.status)
    return response


def _throttled(request) -> bool:
    """The public page's limit per client address (SEC-2): at most QSM_LINK_RATE_LIMIT requests in
    a window of QSM_LINK_RATE_WINDOW seconds, counted in the shared cache. Guessing tokens is
    hopeless anyway (256 bits); this keeps a script from hammering the page and the database.
    A cache that does not answer does not lock customers out."""
    limit = getattr(settings, "QSM_LINK_RATE_LIMIT", 60)
    window = max(int(getattr(settings, "QSM_LINK_RATE_WINDOW", 60)), 1)
    if not limit:
        return False
    key = f"links:open:{client_ip(request)}:{int(time.time() // window)}"
    try:
        cache.add(key, 0, timeout=window + 1)
        count = cache.incr(key)
    except Exception:  # noqa: BLE001 - a cache outage is not the customer's fault
        return False
    return count > limit


@method_decorator([never_cache, csrf_protect], name="dispatch")
class LinkOpenView(View):
    """No login: the token is the authority, for one record, one purpose, once, until it expires."""

    def dispatch(self, request, *args, **kwargs):
        if _throttled(request):
            response = _refused(request, LinkRefused("throttled"))
            response["Retry-After"] = str(getattr(settings, "QSM_LINK_RATE_WINDOW", 60))
        else:
            response = super().dispatch(request, *args, **kwargs)
        # never_cache already says private, no-store; keep the token out of Referer headers too.
        # "same-origin": no other site ever gets the URL (the token) in a Referer header, and the
        # page's own form still posts with its Origin ("no-referrer" makes browsers send
        # "Origin: null", which Django's CSRF check refuses: the customer could not submit).
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex"
        return response

    def get(self, request, token: str):
        try:
            use = link_check(token)
        except LinkRefused as refused:
            return _refused(request, refused)
        purpose = purpose_for(use.link.purpose)
        if purpose is None:  # a module that issued it was removed
            return _refused(request, LinkRefused("invalid"))
        try:
            return purpose.handler.get(request, use)
        except LinkRefused as refused:  # the handler's own check (a superseded link of its record)
            return _refused(request, refused)

    def post(self, request, token: str):
        try:
            use = link_check(token)
            purpose = purpose_for(use.link.purpose)
            if purpose is None:
                raise LinkRefused("invalid")
            with link_consume(token, purpose.code) as use:
                response = purpose.handler.post(request, use)
                if response.status_code >= 400:
                    use.abandon()
        except LinkRefused as refused:
            return _refused(request, refused)
        return response


def qr_token(url: str) -> str:
    """A signed, short-lived reference to a link's URL for the staff QR image (see LinkQRView)."""
    return signing.dumps(url, salt=QR_SALT, compress=True)


class LinkQRView(LoginRequiredMixin, View):
    """The QR code of a link just issued, as SVG or PNG, for staff printing it.

    The raw token is never stored, so the issuing page passes the URL it was given, signed
    (``qr_token``): no one can make this view draw an arbitrary URL.
    """

    def get(self, request, fmt: str):
        if fmt not in ("svg", "png"):
            raise Http404
        try:
            url = signing.loads(request.GET.get("u", ""), salt=QR_SALT, max_age=QR_MAX_AGE)
        except signing.BadSignature:
            raise Http404 from None
        absolute = request.build_absolute_uri(url)
        if fmt == "svg":
            response = HttpResponse(qr_svg(absolute), content_type="image/svg+xml")
        else:
            response = HttpResponse(qr_png(absolute), content_type="image/png")
        response["Content-Disposition"] = f'inline; filename="link-qr.{fmt}"'
        response["Cache-Control"] = "private, no-store"
        return response
