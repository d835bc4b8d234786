"""VIS-1/VIS-2: the customer's survey page behind a signed link (purpose ``visit_feedback``).

The core's ``LinkOpenView`` checks the token (forged, expired, used, revoked: its refusal page,
nothing recorded) and calls this handler. The page is public and phone-sized, in Chinese with an
English switch (``?lang=en``), and shows only the company's name, what was done (the customer-facing
summary the subject's module declares, ``qsm.summaries``) and the questions. A submission with
errors is answered 400 with the form (the core then rolls back and the link stays usable).
"""
from __future__ import annotations

from django.shortcuts import render
from django.utils import translation

from qsm.links.services import LinkRefused
from qsm.links.views import page_language
from qsm.org.accounts import client_ip
from qsm.summaries import customer_summary

from .models import Visit
from .services.visits import _questions, company_name, visit_feedback_record
from .visit_forms import AnswersForm


def _usable(visit: Visit, use) -> None:
    # Only the visit's current link opens it, and only while the survey is out.
    if visit.link_id != use.link.pk or visit.status != Visit.Status.LINK_SENT:
        raise LinkRefused("invalid")


class VisitFeedbackHandler:
    def _render(self, request, use, form, *, lang: str, status: int = 200, template="aftersales/survey.html"):
        visit = use.record
        with translation.override(lang):
            context = {
                "company": company_name(), "summary": customer_summary(visit.subject), "form": form,
                "lang": lang, "other_lang": "en" if lang == "zh-hans" else "zh-hans", "visit": visit,
            }
            return render(request, template, context, status=status)

    def get(self, request, use):
        _usable(use.record, use)
        lang = page_language(request)
        with translation.override(lang):
            form = AnswersForm(questions=_questions(use.record))
        return self._render(request, use, form, lang=lang)

    def post(self, request, use):
        from qsm.errors import ValidationError

        visit = use.record
        _usable(visit, use)
        lang = page_language(request)
        with translation.override(lang):
            form = AnswersForm(request.POST, questions=_questions(visit))
            if not form.is_valid():
                return self._render(request, use, form, lang=lang, status=400)
            try:
                visit_feedback_record(
                    visit=visit, use=use, satisfaction=form.cleaned_data["satisfaction"], answers=form.answers(),
                    comments=form.cleaned_data["comments"], suggestions=form.cleaned_data["suggestions"],
                    ip=client_ip(request) or None, user_agent=request.META.get("HTTP_USER_AGENT", ""))
            except ValidationError as exc:
                # on the form only: a public page has no messages (and no session to keep them in)
                for name, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                    for message in errors:
                        form.add_error(name if name in form.fields else None, message)
                return self._render(request, use, form, lang=lang, status=400)
        return self._render(request, use, None, lang=lang, template="aftersales/survey_done.html")


def register() -> None:
    from django.utils.translation import gettext_lazy

    from qsm.links.registry import LinkPurpose, register_purpose

    from .services.visits import VISIT_FEEDBACK

    register_purpose(LinkPurpose(code=VISIT_FEEDBACK, model=Visit, label=gettext_lazy("Visit survey"),
                                 handler=VisitFeedbackHandler()))
