"""The page views every module's record pages and lists subclass.

- ``RecordPostView``: one form on a record page -> one service call -> redirect to the record
  (with an anchor) on success; otherwise re-render the record page with the bound form:
  HTTP 400 for invalid input or a service's ValidationError (the errors on the form's fields),
  409 with the reason for an illegal transition (TransitionNotAllowed); PermissionDenied
  propagates to Django's 403 and a record outside the user's scope is the selector's 404.
  A module says how to read its record (``get_record``), how to render its page
  (``render_record``) and what each form does (``perform``).
- ``RecordListView`` / ``RecordExportView``: a django-filter filterset over the module's list
  selector, keyset pages (no COUNT, no OFFSET) and a CSV/.xlsx export with the same filters (the
  export is declared once per module in ``qsm.exports.registry``; .xlsx runs as a job).
- ``AttachmentDownloadView``: WF-3, a file is served only to those who may open its record.

The record page's forms are boosted by htmx; ``templates/base.html`` swaps 400 and 409 responses.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.exports import export_csv, export_spec
from qsm.views import add_validation_errors, keyset_paginate
from qsm.workflow.selectors import attachment_list

from .forms import TransitionForm

__all__ = ["AttachmentDownloadView", "RecordExportView", "RecordListView", "RecordPostView", "list_context"]

class RecordPostView(LoginRequiredMixin, View):
    """Base of a record page's forms: one form, one service call, then redirect or re-render."""

    form_class = TransitionForm
    form_key = "transition_form"  # the page context's name for the (bound) form
    anchor = ""  # where the redirect lands on the record page
    record_name = "record"  # the keyword ``perform`` receives the record under ("order", "inquiry")

    # --- what a module says ------------------------------------------------------------------------

    def get_record(self, pk: int):  # pragma: no cover - each module implements it
        """The record through the module's selector: another department's record is a 404."""
        raise NotImplementedError

    def render_record(self, record, *, forms: dict, status: int):  # pragma: no cover - each module implements it
        raise NotImplementedError

    def perform(self, *, form, data: dict, **record):  # pragma: no cover - each subclass implements it
        raise NotImplementedError

    def success_message(self, record, result) -> str:
        return _("Saved.")

    # --- hooks with defaults -----------------------------------------------------------------------

    def get_form(self, record):
        return self.form_class(self.request.POST, self.request.FILES)

    def form_is_valid(self, form) -> bool:
        return form.is_valid()

    def handle_error(self, exc: ValidationError, form) -> None:
        """Put a service's ValidationError on the form (override to map the service's keys)."""
        add_validation_errors(self.request, exc, form)

    def error_forms(self, form) -> dict:
        return {self.form_key: form}

    def success_url(self, record) -> str:
        return record.get_absolute_url() + (f"#{self.anchor}" if self.anchor else "")

    # --- the flow ----------------------------------------------------------------------------------

    def run(self, form, record):
        try:
            return self.perform(form=form, data=form.cleaned_data, **{self.record_name: record}), None
        except ValidationError as exc:
            self.handle_error(exc, form)
            return None, exc
        except TransitionNotAllowed as exc:
            messages.error(self.request, exc.message)
            return None, exc

    def post(self, request, pk: int, **kwargs):
        record = self.get_record(pk)
        self.kwargs.update(kwargs)
        self.record = record
        form = self.get_form(record)
        if self.form_is_valid(form):
            result, error = self.run(form, record)
            if error is None:
                messages.success(request, self.success_message(record, result))
                return redirect(self.success_url(record))
            status = 409 if isinstance(error, TransitionNotAllowed) else 400
        else:
            messages.error(request, _("Nothing was saved: please correct the marked fields."))
            status = 400
        record = self.get_record(pk)  # as it is now: the failed write changed nothing
        return self.render_record(record, forms=self.error_forms(form), status=status)


# --- lists and exports (SEARCH-1) -----------------------------------------------------------------


def list_context(request, filterset, page, **extra) -> dict:
    """What every list page's filter bar, table and footer read (``templates/qsm/_filter_*.html``,
    ``_list_footer.html``): the validated filter form, the page, the query without the cursor for
    the export links and the pager."""
    form = filterset.form
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    query = request.GET.copy()
    for key in ("after", "before", "per_page"):
        query.pop(key, None)
    return {
        "filter": filterset, "form": form, "page": page, "now": timezone.now(), "today": timezone.localdate(),
        "filter_customer": cleaned.get("customer"),
        "filter_owner": cleaned.get("owner"), "filter_engineer": cleaned.get("engineer"), "selected_status": set(request.GET.getlist("status")),
        "export_query": query.urlencode(), "has_filters": any(query.get(k) for k in query), **extra,
    }


class _Filtered:
    filterset_class = None

    def get_queryset(self):  # pragma: no cover - each module implements it
        """The module's list selector for ``self.request.user`` (the visibility scope)."""
        raise NotImplementedError

    def filtered(self):
        request = self.request
        return self.filterset_class(data=request.GET or None, queryset=self.get_queryset(), request=request)


class RecordListView(LoginRequiredMixin, _Filtered, View):
    """A filtered list in keyset pages; the rows are in the context as ``rows_name``."""

    template_name = ""
    keys: tuple[str, ...] = ("created_at", "id")
    rows_name = "rows"
    status_choices = ()

    def page_queryset(self, qs):
        return qs

    def decorate(self, rows) -> None:
        """Per-row values the table shows (e.g. late / at risk)."""

    def get_context_data(self, **extra) -> dict:
        return extra

    def get(self, request):
        filterset = self.filtered()
        page = keyset_paginate(self.page_queryset(filterset.qs), request, keys=self.keys, descending=True)
        self.decorate(page.rows)
        return render(request, self.template_name, list_context(
            request, filterset, page, **{self.rows_name: page.rows}, status_choices=self.status_choices,
            **self.get_context_data()))


class RecordExportView(LoginRequiredMixin, View):
    """The list's rows with the same filters and scope: CSV (default) streamed from the first row;
    ``?fmt=xlsx`` starts an export job (PERF-1) and redirects to its progress page, where the
    file is downloaded when a worker has written it. A module names its registered export
    (``qsm.exports.registry``); filters that do not validate are a 400, not an export of all."""

    export_name = ""  # e.g. "presales.inquiries"

    def get(self, request):
        from qsm.exports.services import export_job_create

        spec = export_spec(self.export_name)
        try:
            if request.GET.get("fmt") == "xlsx":
                return redirect(export_job_create(owner=request.user, export=spec.name, query=request.GET))
            rows = spec.filtered(user=request.user, query=request.GET)
        except ValidationError as exc:
            return _bad_export_request(request, exc)
        return export_csv(rows, spec.columns(), f"{spec.filename}-{timezone.localdate():%Y%m%d}")


def _bad_export_request(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)
    return render(request, "400.html", status=400)


class AttachmentDownloadView(LoginRequiredMixin, View):
    """WF-3: a file is served only to those who may open its record (never a public media URL)."""

    def get_record(self, pk: int):  # pragma: no cover - each module implements it
        raise NotImplementedError

    def get(self, request, pk: int, attachment_pk: int):
        record = self.get_record(pk)
        attachment = attachment_list(record).filter(pk=attachment_pk).first()
        if attachment is None:
            raise Http404(_("No such attachment."))
        return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)
