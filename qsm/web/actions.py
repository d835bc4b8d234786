"""A record page's actions declared once: the action bar, its transition view, attachments.

A module says once how its record pages read and render their record, then declares each view::

    class CasePage(RecordPageMixin):
        record_selector, record_name = staticmethod(case_get), "case"  # another department's: 404

    class CaseDetailView(CasePage, RecordDetailView):
        pass

    class CaseTransitionView(CasePage, TransitionView):
        workflow, forms = CASE_WORKFLOW, {"reply": (ReplyForm, "reply_form")}
        success_text = gettext_lazy("%(action)s: the case is now “%(state)s”.")
        def fire(self, case, action, data): return services.case_fire(case=case, actor=..., action=action, ...)

    class CaseAttachView(CasePage, RecordAttachView):
        attach_service = staticmethod(services.case_attach)

    class CaseAttachmentDownloadView(CasePage, RecordAttachmentDownloadView):
        pass

and the page context shows the bar with ``**action_bar(CASE_WORKFLOW, case, user, anchors=...)``.
Every POST keeps ``RecordPostView``'s contract: redirect on success, else the record page again with
the bound form (400), the refusal (409) or Django's 403; the record is read through the selector.
"""
from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.translation import gettext as _
from django.views import View

from .forms import AttachmentForm, TransitionForm
from .pages import render_record_page
from .views import AttachmentDownloadView, RecordPostView

__all__ = ["ActionFormsMixin", "RecordAttachView", "RecordAttachmentDownloadView", "RecordDetailView",
           "RecordPageMixin", "TransitionView", "action_bar"]


def action_bar(workflow, record, user, *, hidden=(), anchors=None) -> dict:
    """The page's action bar: ``actions`` (a button each transition ``user`` may fire now, except the
    ``hidden`` ones that a form or a service of their own fires; ``anchors``: action -> the form on
    the page its button jumps to) and ``available`` (the names of all of them, for the forms)."""
    anchors = anchors or {}
    available = workflow.available(record, user)
    return {
        "actions": [{"action": t.action, "label": t.label, "style": t.style, "comment_required": t.comment_required,
                     "anchor": anchors.get(t.action)} for t in available if t.action not in hidden],
        "available": {t.action for t in available},
    }


class RecordPageMixin:
    """How a module's record views read and re-render their record: through the module's selector
    (``record_selector(user=, pk=)``, a 404 outside the user's scope) and the page the module names
    on its AppConfig (``record_pages``, ``qsm.web.pages``)."""

    record_selector = None  # staticmethod(case_get)

    def get_record(self, pk: int):
        return self.record_selector(user=self.request.user, pk=pk)

    def render_record(self, record, *, forms, status):
        return render_record_page(self.request, record, forms=forms, status=status)


class RecordDetailView(RecordPageMixin, LoginRequiredMixin, View):
    """GET the record page: the record through the module's selector, rendered by the module."""

    def get(self, request, pk: int):
        return self.render_record(self.get_record(pk), forms=None, status=200)


class ActionFormsMixin:
    """Which form for which action: the POST's ``action`` picks a form the page shows for it
    (``forms``: action -> (form class, its name in the page context)); any other action reads the
    plain comment form. A refusal re-renders the page with that form and the failed action."""

    forms: dict[str, tuple[type, str]] = {}
    success_anchors: dict[str, str] = {}  # action -> where the redirect lands on the record page

    @property
    def action(self) -> str:
        return self.request.POST.get("action", "")

    def get_form(self, record):
        form_class, self.form_key = self.forms.get(self.action, (self.form_class, type(self).form_key))
        return form_class(self.request.POST)

    def error_forms(self, form) -> dict:
        return {self.form_key: form, "failed_action": self.action}

    def success_url(self, record) -> str:
        anchor = self.success_anchors.get(self.action, self.anchor)
        return record.get_absolute_url() + (f"#{anchor}" if anchor else "")


class TransitionView(ActionFormsMixin, RecordPostView):
    """The action bar's POST: one service call fires ``action`` (``fire``), then "<action>: the
    record is now <state>" (``success_text``, with ``%(action)s`` and ``%(state)s``)."""

    form_class, form_key = TransitionForm, "transition_form"
    workflow = None
    success_text = ""  # gettext_lazy("%(action)s: the case is now “%(state)s”.")

    def fire(self, record, action: str, data: dict):  # pragma: no cover - each module declares it
        raise NotImplementedError

    def perform(self, *, form, data, **record):
        return self.fire(record[self.record_name], self.action, data)

    def action_label(self, result) -> str:
        return str(self.workflow.by_action[self.action].label)

    def success_message(self, record, result) -> str:
        return str(self.success_text) % {"action": self.action_label(result), "state": result.get_status_display()}


class RecordAttachView(RecordPostView):
    """WF-3: the record page's upload form -> the module's attach service
    (``attach_service(<record_name>=, actor=, upload=, description=)``)."""

    form_class, form_key, anchor = AttachmentForm, "attachment_form", "attachments"
    attach_service = None  # staticmethod(services.case_attach)

    def perform(self, *, form, data, **record):
        return self.attach_service(**record, actor=self.request.user, upload=data["file"],
                                   description=data["description"])

    def success_message(self, record, result) -> str:
        return _("%(name)s was attached.") % {"name": result.original_name}


class RecordAttachmentDownloadView(RecordPageMixin, AttachmentDownloadView):
    """WF-3: a record's file, served only to those who may open the record (its selector)."""
