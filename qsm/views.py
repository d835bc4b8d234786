"""Core pages: my work (INBOX-1), notifications (NTF-1), language switch; and two helpers every
module's pages share: the domain-error mixin and keyset pagination."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import models
from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from qsm import registry
from qsm.errors import TransitionNotAllowed
from qsm.notify.selectors import notification_list
from qsm.notify.services import notification_mark_read
from qsm.org.services import user_language_set
from qsm.parsing import BIGINT_MAX, has_control_chars, has_lone_surrogate, parse_count, parse_id


class DomainErrorMixin:
    """Turns the core's domain errors into page feedback (STYLE.md: one page mixin).

    ``result, error = self.run_service(fn, form=form, **kwargs)``: a ValidationError becomes form
    errors (or a message when there is no form), TransitionNotAllowed an error message (the view
    re-renders with HTTP 409, see ``error_status``), PermissionDenied propagates to Django's 403.
    """

    def run_service(self, fn, *, form=None, **kwargs):
        try:
            return fn(**kwargs), None
        except ValidationError as exc:
            add_validation_errors(self.request, exc, form)
            return None, exc
        except TransitionNotAllowed as exc:
            messages.error(self.request, exc.message)
            return None, exc
        except PermissionDenied:
            raise

    @staticmethod
    def error_status(exc) -> int:
        return 409 if isinstance(exc, TransitionNotAllowed) else 200


def add_validation_errors(request, exc: ValidationError, form=None, *, field_map: dict | None = None) -> None:
    """Put a service's ValidationError on the form's fields (``field_map`` renames service keys)."""
    field_map = field_map or {}
    if form is None:
        for m in exc.messages:
            messages.error(request, m)
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            name = field_map.get(field, field)
            target = name if name in form.fields else None
            for e in errors:
                for m in e.messages:
                    # add_error() drops a field from cleaned_data; the form is re-rendered, not reused.
                    form.add_error(target, m)
    else:
        for m in exc.messages:
            form.add_error(None, m)
    messages.error(request, _("Nothing was saved: please correct the marked fields."))


# --- keyset pagination: no COUNT(*), no OFFSET (STYLE.md anti-pattern 6) ----------------------------

PAGE_SIZES = (25, 50, 100)


@dataclass
class KeysetPage:
    rows: list
    size: int
    next_cursor: str | None
    prev_cursor: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.prev_cursor)


def _encode(values: list) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, dt.datetime) else v for v in values], default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, fields: list[models.Field]) -> list:
    """The key values of a cursor, each checked against its field (SEC-1).

    A cursor comes from the URL: one that does not decode, or holds a value its field cannot
    take (``1e999`` or a date for an id, a NUL, an id past bigint), is a 400, never a 500.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        values = json.loads(raw, parse_constant=_refuse_constant)
        if not isinstance(values, list) or len(values) != len(fields):
            raise ValueError("shape")
        return [_key_value(field, value) for field, value in zip(fields, values, strict=True)]
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError, RecursionError, binascii.Error) as exc:
        raise BadRequest(_("The page link is not valid; start again from the first page.")) from exc


def _refuse_constant(name):
    raise ValueError(name)


def _key_value(field: models.Field, value):
    if isinstance(field, models.DateTimeField):
        if not isinstance(value, str):
            raise TypeError("datetime expected")
        return dt.datetime.fromisoformat(value)
    if isinstance(field, models.DateField):
        if not isinstance(value, str):
            raise TypeError("date expected")
        return dt.date.fromisoformat(value)
    if isinstance(field, (models.AutoField, models.BigAutoField, models.IntegerField)):
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > BIGINT_MAX:
            raise TypeError("integer expected")
        return value
    if not isinstance(value, str) or has_control_chars(value) or has_lone_surrogate(value):
        raise TypeError("text expected")
    return value


def _beyond(keys: list[str], values: list, *, greater: bool):
    """Rows strictly after the cursor in the keys' order, as one row-value comparison:
    ``(received_at, id) < (X, Y)``. PostgreSQL reads that as an index condition on the list's
    ``(received_at, id)`` index and starts the scan at the cursor; the equivalent
    ``a < X OR (a = X AND id < Y)`` is only a filter, so a page deep in a big table walked every
    row before it (PERF-1). The keys are non-null columns of the model (``keyset_paginate``)."""
    lookup = TupleGreaterThan if greater else TupleLessThan
    return lookup(Tuple(*(F(key) for key in keys)), tuple(values))


def keyset_paginate(queryset, request, *, keys: tuple[str, ...], descending: bool = True,
                    default_size: int = PAGE_SIZES[0]) -> KeysetPage:
    """One page of ``queryset`` ordered by ``keys`` (unique together, e.g. ("received_at", "id")).

    Reads ``?after=`` / ``?before=`` cursors and ``?per_page=``; fetches one row more than the page
    to know whether another page follows, so the cost does not depend on the table's size.
    """
    size = parse_count(request.GET.get("per_page", ""), default=default_size)
    if size not in PAGE_SIZES:
        size = default_size
    model_fields = [queryset.model._meta.pk if k in ("id", "pk") else queryset.model._meta.get_field(k) for k in keys]
    forward = [f"-{k}" if descending else k for k in keys]
    backward = [k if descending else f"-{k}" for k in keys]
    after = _decode(request.GET.get("after", ""), model_fields) if request.GET.get("after") else None
    before = _decode(request.GET.get("before", ""), model_fields) if request.GET.get("before") else None

    def cursor(row) -> str:
        return _encode([getattr(row, k) for k in keys])

    if before is not None:
        rows = list(queryset.filter(_beyond(list(keys), before, greater=descending)).order_by(*backward)[: size + 1])
        has_prev = len(rows) > size
        rows = list(reversed(rows[:size]))
        return KeysetPage(rows=rows, size=size, next_cursor=cursor(rows[-1]) if rows else None,
                          prev_cursor=cursor(rows[0]) if rows and has_prev else None)
    qs = queryset
    if after is not None:
        qs = qs.filter(_beyond(list(keys), after, greater=not descending))
    rows = list(qs.order_by(*forward)[: size + 1])
    has_next = len(rows) > size
    rows = rows[:size]
    return KeysetPage(rows=rows, size=size, next_cursor=cursor(rows[-1]) if has_next else None,
                      prev_cursor=cursor(rows[0]) if rows and after is not None else None)


# --- pages ---------------------------------------------------------------------------------------


class InboxView(LoginRequiredMixin, TemplateView):
    """INBOX-1: what waits on me across every module, by deadline, overdue first."""

    template_name = "inbox.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        items = registry.inbox_items(self.request.user)
        now = timezone.now()
        ctx["items"] = items
        ctx["now"] = now
        ctx["overdue_count"] = sum(1 for i in items if i.due_at and i.due_at <= now)
        ctx["can_add_inquiry"] = self.request.user.has_perm("presales.add_inquiry")
        return ctx


class NotificationListView(LoginRequiredMixin, TemplateView):
    """NTF-1: my notifications, newest first, keyset-paged; unread ones highlighted."""

    template_name = "notifications.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        page = keyset_paginate(notification_list(user=self.request.user), self.request, keys=("created_at", "id"),
                               default_size=50)
        ctx["page"] = page
        ctx["notifications"] = page.rows
        return ctx


class NotificationMarkReadView(LoginRequiredMixin, View):
    """Mark the given notifications (``id`` repeated) or all of mine as read; then follow ``next``."""

    def post(self, request):
        ids = [i for i in map(parse_id, request.POST.getlist("id")) if i is not None]
        notification_mark_read(user=request.user, ids=ids or None)
        next_url = request.POST.get("next", "")
        if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            return HttpResponseRedirect(next_url)
        return redirect("notifications")


class LanguageSwitchView(View):
    """Switch between 简体中文 and English; a signed-in user's choice is saved on the account."""

    def post(self, request):
        language = user_language_set(user=request.user, language=request.POST.get("language", ""))
        translation.activate(language)
        next_url = request.POST.get("next") or "/"
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = "/"
        response = HttpResponseRedirect(next_url)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
        return response


def bad_request(request, exception):
    """``handler400``: a malformed link or parameter (a forged page cursor) explained on a page."""
    from django.shortcuts import render

    return render(request, "400.html", status=400)
