"""Follow-up visit pages (VIS-1, VIS-2, SEARCH-1).

Thin, like the other modules: form -> selector -> service -> redirect or re-render. Every POST reads
the visit through ``visit_get`` (another department's visit is a 404) and calls one service; form
errors re-render the page with HTTP 400, an illegal step 409, a missing right is a 403.
"""
from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.errors import TransitionNotAllowed
from qsm.links.views import qr_token
from qsm.visibility import can_view
from qsm.web.actions import RecordDetailView, RecordPageMixin, TransitionView
from qsm.web.forms import TransitionForm, now_local
from qsm.web.views import RecordExportView, RecordListView, RecordPostView
from qsm.workflow.selectors import timeline

from ..models import Visit
from ..rules import can_record_visit
from ..services import visits as services
from ..visit_filters import VisitFilter
from ..visit_forms import (
    PhoneAttemptForm,
    PhoneRecordForm,
    RecheckForm,
    RecheckRequestForm,
    SendLinkForm,
)
from ..visit_selectors import visit_get, visit_list
from ..workflows import VISIT_WORKFLOW

V = Visit.Status
_LINK_SESSION = "aftersales-visit-link-%s"  # the raw URL of a link just issued (it is never stored)


# --- list, export ---------------------------------------------------------------------------------


class VisitListView(RecordListView):
    """SEARCH-1: filter, keyset pages (no COUNT, no OFFSET), export with the same filters."""

    filterset_class = VisitFilter
    template_name = "aftersales/visit_list.html"
    keys, rows_name, status_choices = ("planned_for", "id"), "visits", Visit.Status.choices

    def get_queryset(self):
        return visit_list(user=self.request.user)

    def decorate(self, rows) -> None:
        from qsm.followup.reasons import reasons

        labels = {code: str(label) for code, label in reasons().items()}  # translated once per page
        for v in rows:
            v.reason_label = labels.get(v.reason, v.reason)

    def get_context_data(self, **extra):
        return {"recheck_choices": [c for c in Visit.Recheck.choices if c[0]], "scores": range(1, 6), **extra}


class VisitExportView(RecordExportView):
    export_name = "aftersales.visits"  # aftersales.visit_selectors.register_exports


# --- the record page ------------------------------------------------------------------------------


def _questions(visit: Visit) -> list:
    version = visit.questionnaire_version
    return list(version.questions.all()) if version is not None else []


def _subject(user, visit: Visit):
    """The visited record, linked only for whoever can open it."""
    record = visit.subject
    if record is None:
        return None, "", ""
    label = getattr(record, "number", "") or str(record)
    url = record.get_absolute_url() if hasattr(record, "get_absolute_url") and can_view(user, record) else ""
    return record, label, url


def _issued_link(request, visit: Visit) -> dict | None:
    """The survey link just issued, for the panel (text to copy, QR code): kept in the session of the
    person who issued it, while it is the visit's current link."""
    held = request.session.get(_LINK_SESSION % visit.pk)
    if not held or held.get("link") != visit.link_id or visit.status != V.LINK_SENT:
        return None
    url = request.build_absolute_uri(held["url"])
    return {"url": url, "text": services.survey_message(url), "qr_png": reverse("links:qr", args=["png"]) + "?u="
            + qr_token(held["url"])}


def visit_page_context(request, visit: Visit, forms: dict | None = None) -> dict:
    user = request.user
    forms = forms or {}
    record, subject_label, subject_url = _subject(user, visit)
    can_record = visit.is_open and can_record_visit(user, visit)
    can_recheck = services.can_recheck_visit(user, visit)
    answers = {a.question_id: a for a in visit.answers.all()}
    opened_case = visit.opened_cases.order_by("pk").first() if visit.status == V.DONE else None
    actions = [{"action": t.action, "label": t.label, "style": t.style, "comment_required": t.comment_required}
               for t in VISIT_WORKFLOW.available(visit, user) if t.action == "cancel"]
    return {
        "visit": visit,
        "now": timezone.now(),
        "subject_label": subject_label,
        "subject_url": subject_url,
        "subject_model": record._meta.verbose_name if record is not None else "",
        "questions": [(q, answers.get(q.pk)) for q in _questions(visit)],
        "attempts": list(visit.attempts.all()),
        "actions": actions,
        "can_record": can_record,
        "link_offered": can_record and services.link_offered(visit),
        "issued_link": _issued_link(request, visit) if can_record else None,
        "can_request_recheck": can_recheck and visit.status == V.DONE and visit.method == Visit.Method.PHONE
        and not visit.recheck_status,
        "can_record_recheck": can_recheck and visit.recheck_status == Visit.Recheck.REQUESTED,
        "low_score": services.low_score(visit),
        "can_open_case": services.low_score(visit) and services.can_open_case_from_visit(user, visit),
        "opened_case": opened_case if opened_case is not None and can_view(user, opened_case) else None,
        "timeline": timeline(visit),
        "failed_action": forms.get("failed_action", ""),
        "record_form": forms.get("record_form") or PhoneRecordForm(questions=_questions(visit),
                                                                  initial={"called_at": now_local()}),
        "attempt_form": forms.get("attempt_form") or PhoneAttemptForm(),
        "link_form": forms.get("link_form") or SendLinkForm(),
        "recheck_request_form": forms.get("recheck_request_form") or RecheckRequestForm(),
        "recheck_form": forms.get("recheck_form") or RecheckForm(),
        "transition_form": forms.get("transition_form") or TransitionForm(),
    }


def render_visit_page(request, visit: Visit, *, forms: dict | None = None, status: int = 200):
    return render(request, "aftersales/visit_detail.html", visit_page_context(request, visit, forms), status=status)


class VisitPage(RecordPageMixin):
    """How the visit page's views read and re-render the visit (``qsm.web.actions``)."""

    record_selector, record_name = staticmethod(visit_get), "visit"

    def render_record(self, record, *, forms, status):
        return render_visit_page(self.request, record, forms=forms, status=status)


class VisitDetailView(VisitPage, RecordDetailView):
    pass


class VisitPostView(VisitPage, RecordPostView):
    pass


class VisitRecordView(VisitPostView):
    """VIS-1 by phone: the call script's answers, the overall score, comments, suggestions, the call."""

    form_key, anchor = "record_form", "record"

    def get_form(self, visit):
        return PhoneRecordForm(self.request.POST, questions=_questions(visit))

    def perform(self, *, visit, form, data):
        return services.visit_record(
            visit=visit, actor=self.request.user, satisfaction=data["satisfaction"], answers=form.answers(),
            comments=data["comments"], suggestions=data["suggestions"], called_at=data["called_at"],
            call_seconds=form.call_seconds())

    def success_message(self, visit, result):
        return _("Visit %(number)s was recorded.") % {"number": visit.number}


class VisitAttemptView(VisitPostView):
    form_class, form_key, anchor = PhoneAttemptForm, "attempt_form", "attempts"

    def perform(self, *, visit, form, data):
        return services.visit_attempt_add(visit=visit, actor=self.request.user, outcome=data["outcome"],
                                          note=data["note"])

    def success_message(self, visit, result):
        return _("The call was recorded: %(outcome)s.") % {"outcome": result.get_outcome_display()}


class VisitSendLinkView(VisitPostView):
    """VIS-1: issue (or issue again) the survey link; the page then shows the text to copy and the QR code."""

    form_class, form_key, anchor = SendLinkForm, "link_form", "link"

    def perform(self, *, visit, form, data):
        visit, url = services.visit_send_link(visit=visit, actor=self.request.user, contact_name=data["contact_name"])
        self.request.session[_LINK_SESSION % visit.pk] = {"link": visit.link_id, "url": url}
        return visit

    def success_message(self, visit, result):
        return _("The survey link was issued: copy the text or print the QR code below.")


class VisitTransitionView(VisitPage, TransitionView):
    """The action bar's buttons that are plain transitions (cancel, with its reason)."""

    workflow = VISIT_WORKFLOW
    success_text = gettext_lazy("The visit is now “%(state)s”.")

    def fire(self, visit, action, data):
        if action != "cancel":
            raise TransitionNotAllowed(_("Unknown action “%(action)s”.") % {"action": action}, action=action)
        return services.visit_cancel(visit=visit, actor=self.request.user, comment=data.get("comment", ""))


class VisitRecheckRequestView(VisitPostView):
    form_class, form_key, anchor = RecheckRequestForm, "recheck_request_form", "recheck"

    def perform(self, *, visit, form, data):
        return services.visit_recheck_request(visit=visit, actor=self.request.user, note=data["note"])

    def success_message(self, visit, result):
        return _("The visit is marked for re-check.")


class VisitRecheckView(VisitPostView):
    form_class, form_key, anchor = RecheckForm, "recheck_form", "recheck"

    def perform(self, *, visit, form, data):
        return services.visit_recheck_record(visit=visit, actor=self.request.user, result=data["result"],
                                             note=data["note"])

    def success_message(self, visit, result):
        return _("The re-check was recorded: %(result)s.") % {"result": result.get_recheck_status_display()}


class VisitOpenCaseView(VisitPostView):
    """VIS-1: one click on a low score opens a new after-sales case linked to the visit."""

    def perform(self, *, visit, form, data):
        self.case, self.created = services.visit_open_case(visit=visit, actor=self.request.user)
        return self.case

    def success_message(self, visit, result):
        if self.created:
            return _("After-sales case %(number)s was opened from the visit.") % {"number": result.number}
        return _("This visit already opened after-sales case %(number)s.") % {"number": result.number}

    def success_url(self, visit) -> str:
        return self.case.get_absolute_url() or visit.get_absolute_url()
