"""The URL scheme's old addresses, kept working (issue 7).

Until the scheme was tidied the order list was ``/orders/orders/``, an inquiry
``/presales/inquiries/<id>/`` and a customer ``/org/customers/<id>/``; links in e-mails, bookmarks and
the notifications already stored still point there. Each old prefix answers with a permanent
redirect to the same page under the new prefix, query string kept: 301 for GET/HEAD, 308 for
anything else so that a form posted to an old address is posted again, not turned into a GET.

The favicon: browsers ask for ``/favicon.ico`` on every page whatever the page links; it is a
permanent redirect to the static file (hashed name when the manifest storage is on).
"""
from __future__ import annotations

from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import path, re_path


class HttpResponsePermanentRedirectKeepMethod(HttpResponsePermanentRedirect):
    status_code = 308


# old prefix -> new prefix (both without the leading slash)
MOVED = [
    ("orders/orders/", "orders/"),
    ("presales/inquiries/", "presales/"),
    ("org/customers/", "customers/"),
]


def _moved(new_prefix: str):
    def view(request, rest: str = ""):
        target = f"/{new_prefix}{rest}"
        query = request.META.get("QUERY_STRING", "")
        if query:
            target = f"{target}?{query}"
        if request.method in ("GET", "HEAD"):
            return HttpResponsePermanentRedirect(target)
        return HttpResponsePermanentRedirectKeepMethod(target)
    return view


def favicon(request):
    return HttpResponsePermanentRedirect(static("img/favicon.ico"))


def legacy_urlpatterns() -> list:
    patterns = [path("favicon.ico", favicon, name="favicon")]
    for old, new in MOVED:
        patterns.append(re_path(rf"^{old}(?P<rest>.*)$", _moved(new)))
    patterns.append(path("org/", _moved("customers/")))  # the app's old root, never a page of its own
    return patterns
