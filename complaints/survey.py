"""CMP-4: the customer's confirmation page behind a signed link (purpose ``complaint_confirm``).

The core's ``LinkOpenView`` checks the token (forged, expired, used, revoked, another purpose: its
refusal page, nothing recorded), rate-limits the page per address and sends it with
``Referrer-Policy: same-origin`` and no-store; this handler renders the page and records the answer.
The page is public and phone-sized, in Chinese with an English switch, and shows ONLY the
customer-facing outcome summary (``qsm.summaries``: number, subject, the measures taken as
descriptions): no investigator notes, no responsible department or person, no internal fields.
A submission with errors is answered 400 with the form (the core then rolls back and the link
stays usable).
"""
from __future__ import annotations

from django.shortcuts import render
from django.utils import translation

from aftersales.services.visits import company_name
from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.links.services import LinkRefused
from qsm.links.views import page_language
from qsm.org.accounts import client_ip
from qsm.summaries import customer_summary

from .forms.confirmation import AnswerForm
from .models import Complaint
from .services.confirmation import COMPLAINT_CONFIRM, complaint_answer_via_link, usable_check


class ComplaintConfirmHandler:
    def _render(self, request, use, form, *, lang: str, status: int = 200, template="complaints/confirm.html",
                answer=None):
        with translation.override(lang):
            context = {"company": company_name(), "summary": customer_summary(use.record), "form": form,
                       "lang": lang, "other_lang": "en" if lang == "zh-hans" else "zh-hans", "answer": answer}
            return render(request, template, context, status=status)

    def get(self, request, use):
        usable_check(use.record, use.link)
        lang = page_language(request)
        with translation.override(lang):
            form = AnswerForm()
        return self._render(request, use, form, lang=lang)

    def post(self, request, use):
        lang = page_language(request)
        with translation.override(lang):
            form = AnswerForm(request.POST)
            if not form.is_valid():
                return self._render(request, use, form, lang=lang, status=400)
            try:
                answer = complaint_answer_via_link(
                    complaint=use.record, use=use, satisfied=form.cleaned_data["satisfied"],
                    objections=form.cleaned_data["objections"], ip=client_ip(request) or None,
                    user_agent=request.META.get("HTTP_USER_AGENT", ""))
            except TransitionNotAllowed:  # answered by phone a moment ago: nothing to answer any more
                raise LinkRefused("invalid") from None
            except ValidationError as exc:
                for name, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                    for message in errors:
                        form.add_error(name if name in form.fields else None, message)
                return self._render(request, use, form, lang=lang, status=400)
        return self._render(request, use, None, lang=lang, template="complaints/confirm_done.html", answer=answer)


def register() -> None:
    """At start-up (apps.ready): the link purpose, the customer-facing summary, the follow-up reason."""
    from django.utils.translation import gettext_lazy

    from qsm import summaries
    from qsm.followup.reasons import register_reason
    from qsm.links.registry import LinkPurpose, register_purpose

    from .summary import complaint_customer_summary
    from .workflows import COMPLAINT_CLOSED

    register_purpose(LinkPurpose(code=COMPLAINT_CONFIRM, model=Complaint,
                                 label=gettext_lazy("Complaint confirmation"), handler=ComplaintConfirmHandler()))
    summaries.register(Complaint, complaint_customer_summary)
    # CMP-5/VIS-1: the visit after a closed complaint. The reason is this module's (aftersales only
    # plans the visit: its rule and questionnaire for the code are reference data there).
    register_reason(COMPLAINT_CLOSED, gettext_lazy("Complaint closed"))
    # The timeline lines of the confirmation link (raw values, read in the reader's language).
    from qsm.workflow.selectors import register_event_text

    register_event_text(Complaint, "confirm_link_issued", _link_text,
                        label=gettext_lazy("Confirmation link issued"))
    register_event_text(Complaint, "confirm_link_reissued", _link_text,
                        label=gettext_lazy("Confirmation link issued again"))
    register_event_text(Complaint, "confirm_link_revoked", _revoked_text,
                        label=gettext_lazy("Confirmation link withdrawn"))


def _link_text(data: dict) -> str:
    from django.utils.translation import gettext

    from aftersales.visit_setup import _local  # the stored instant on the reader's clock

    return gettext("Confirmation link #%(link)s, valid until %(until)s") % {
        "link": data.get("link", ""), "until": _local(data.get("expires_at"))}


def _revoked_text(data: dict) -> str:
    from django.utils.translation import gettext

    return gettext("%(count)s open link(s) withdrawn") % {"count": data.get("count", 0)}
