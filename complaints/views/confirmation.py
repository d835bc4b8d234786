"""CMP-4 pages: the customer's answer by phone, the confirmation link (text to copy + QR code) and
withdrawing it. (Closing unresolved is the complaint's own action on its page.)

Thin: form -> selector (another department's complaint is a 404) -> service -> redirect to the
record page. The forms live in the record page's confirmation section; a form with errors is shown
again on its own small page (400; an illegal step 409), so this module does not re-render the
whole record page.
"""
from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from qsm.links.views import qr_token

from ..forms.confirmation import ConfirmLinkForm, PhoneAnswerForm, RevokeLinkForm
from ..selectors import complaint_get
from ..services import confirmation
from .record import ComplaintPostView

LINK_SESSION = "complaints-confirm-link-%s"  # the raw URL of a link just issued (it is never stored)


def issued_link(request, complaint) -> dict | None:
    """The confirmation link just issued by this person, while it still works: its text to copy and QR."""
    held = request.session.get(LINK_SESSION % complaint.pk)
    if not held or not confirmation.open_links(complaint).filter(pk=held.get("link")).exists():
        return None
    url = request.build_absolute_uri(held["url"])
    return {"url": url, "text": confirmation.confirmation_message(url, complaint),
            "qr_png": reverse("links:qr", args=["png"]) + "?u=" + qr_token(held["url"])}


class ComplaintIssuedLinkView(LoginRequiredMixin, View):
    """CMP-4: the link just issued (text to copy, QR code), shown to the person who issued it (the raw
    token lives only in their session); once used, withdrawn or reissued it is gone."""

    def get(self, request, pk: int):
        complaint = complaint_get(user=request.user, pk=pk)
        link = issued_link(request, complaint)
        if link is None:
            return redirect(record_url(complaint, "confirmation"))
        return render(request, "complaints/confirm_link.html", {
            "complaint": complaint, "issued_link": link,
            "open_link": confirmation.open_links(complaint).order_by("-created_at").first()})


def record_url(complaint, anchor: str) -> str:
    """The complaint's page at ``anchor`` (its case report page while the record page is not there)."""
    url = complaint.get_absolute_url() or reverse("complaints:case-report", args=[complaint.pk])
    return f"{url}#{anchor}"


class ComplaintActionView(ComplaintPostView):
    """A form of the record page's confirmation/report sections: one service call, then the record
    page at the section; a refusal re-renders the record page with the bound form (400 / 409)."""

    anchor = "confirmation"

    def complaint_of(self, record):
        """The complaint whose page the form belongs to (the record itself, or its parent)."""
        return record

    def success_url(self, record) -> str:
        return record_url(self.complaint_of(record), self.anchor)


class ComplaintAnswerView(ComplaintActionView):
    """CMP-4 by phone: the caller records the customer's answer."""

    form_class, form_key = PhoneAnswerForm, "answer_form"


    def perform(self, *, complaint, form, data):
        return confirmation.complaint_answer_record(
            complaint=complaint, actor=self.request.user, satisfied=data["satisfied"],
            objections=data["objections"], answered_at=data.get("answered_at"))

    def success_message(self, complaint, answer):
        if answer.satisfied:
            return _("The customer is satisfied: complaint %(number)s is closed.") % {"number": complaint.number}
        return _("The customer is not satisfied: a new plan version is drafted (round %(round)s).") % {
            "round": answer.round + 1}


class ComplaintConfirmLinkView(ComplaintActionView):
    """CMP-4: issue (or issue again) the confirmation link; the page then shows the text and QR code."""

    form_class, form_key = ConfirmLinkForm, "confirm_link_form"


    def perform(self, *, complaint, form, data):
        link, url = confirmation.complaint_link_issue(complaint=complaint, actor=self.request.user,
                                                      contact_name=data["contact_name"])
        self.request.session[LINK_SESSION % complaint.pk] = {"link": link.pk, "url": url}
        return link

    def success_message(self, complaint, link):
        return _("The confirmation link was issued: copy the text or print the QR code.")

    def success_url(self, complaint) -> str:
        return reverse("complaints:confirm-link-issued", args=[complaint.pk])


class ComplaintConfirmLinkRevokeView(ComplaintActionView):
    form_class, form_key = RevokeLinkForm, "revoke_link_form"


    def perform(self, *, complaint, form, data):
        self.request.session.pop(LINK_SESSION % complaint.pk, None)
        return confirmation.complaint_link_revoke(complaint=complaint, actor=self.request.user)

    def success_message(self, complaint, count):
        return _("The confirmation link was withdrawn.") if count else _("There was no open link to withdraw.")
