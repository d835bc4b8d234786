"""CMP-2, the investigation section of the complaint page: the departments and people involved (the
core discussion and its notes), the facts, the structured root cause and the responsibility, what
is still missing before a plan can be proposed, and similar past complaints. Evidence is attached
with the page's attachments (complaints.views.record). Each form posts to its own view: one service
call, then a redirect to the section, or the page again with the bound form (400 / 409 / 403;
another department's complaint is a 404)."""
from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _

from qsm.discussions.selectors import discussion_notes, discussion_of

from ..forms.work import InvestigationForm, InvolveForm, NoteForm
from ..models import Complaint
from ..rules import can_discuss_complaint, can_investigate
from ..selectors.work import similar_complaints
from ..services import investigation as services
from .record import ComplaintPostView

S = Complaint.Status
ANCHOR = "investigation"
SHOWN_IN = (S.INVESTIGATING, S.PLANNING, S.EXECUTING, S.CONFIRMING, S.CLOSED, S.CLOSED_UNRESOLVED)


def investigation_section(complaint: Complaint, user) -> dict | None:
    """What templates/complaints/_investigation.html shows (complaints.sections); nothing before the
    complaint is assigned. A refused form comes back bound under its own name (``investigation_form``,
    ``involve_form``, ``discussion_note_form``) and the template shows it instead of these."""
    if complaint.status not in SHOWN_IN and not complaint.investigated_at:
        return None
    working = complaint.status in services.INVESTIGATION_STATES
    can_work = working and can_investigate(user, complaint)
    discussion = discussion_of(complaint)
    form = InvestigationForm(initial=InvestigationForm.initial_for(complaint)) if can_work else None
    return {"investigation": {
        "can_work": can_work,
        "can_discuss": working and can_discuss_complaint(user, complaint),
        "missing": services.investigation_missing(complaint) if complaint.status == S.INVESTIGATING else {},
        "discussion": discussion,
        "invited_departments": list(discussion.invited_departments.order_by("name")) if discussion else [],
        "invited_users": list(discussion.invited_users.select_related("department")) if discussion else [],
        "notes": list(discussion_notes(discussion)) if discussion else [],
        "similar": similar_complaints(complaint=complaint, user=user) if complaint.status in (
            S.INVESTIGATING, S.PLANNING) else [],
        "form": form,
        "involve_form": InvolveForm(initial={"topic": discussion.topic if discussion else complaint.subject}),
        "note_form": NoteForm(),
    }}


class _InvestigationView(ComplaintPostView):
    anchor = ANCHOR


class InvestigationSaveView(_InvestigationView):
    form_class, form_key = InvestigationForm, "investigation_form"

    def get_form(self, complaint):
        return InvestigationForm(self.request.POST)

    def perform(self, *, complaint, form, data):
        return services.complaint_investigate(
            complaint=complaint, actor=self.request.user, facts=data["facts"], cause=data["cause"], whys=form.whys(),
            root_cause=data["root_cause"], responsible_department=data["responsible_department"],
            responsible_person=data["responsible_person"])

    def handle_error(self, exc, form) -> None:
        # The why-chain's problems belong to its first box.
        from qsm.views import add_validation_errors

        if hasattr(exc, "error_dict") and "whys" in exc.error_dict:
            for e in exc.error_dict.pop("whys"):
                form.add_error("why_1", e)
        add_validation_errors(self.request, exc, form)

    def success_message(self, complaint, result):
        return _("The investigation was saved.")


class InvolveView(_InvestigationView):
    form_class, form_key = InvolveForm, "involve_form"

    def perform(self, *, complaint, form, data):
        return services.complaint_involve(complaint=complaint, actor=self.request.user, topic=data["topic"],
                                          departments=data["departments"], users=data["users"])

    def success_message(self, complaint, result):
        return _("The departments and people were involved and told.")


class NoteAddView(_InvestigationView):
    form_class, form_key = NoteForm, "discussion_note_form"

    def perform(self, *, complaint, form, data):
        return services.complaint_discussion_note_add(complaint=complaint, actor=self.request.user, body=data["body"],
                                                      meeting_at=data["meeting_at"])

    def success_message(self, complaint, result):
        return _("The meeting notes were added.")


urlpatterns = [
    path("<int:pk>/investigation/", InvestigationSaveView.as_view(), name="complaint-investigate"),
    path("<int:pk>/investigation/involve/", InvolveView.as_view(), name="complaint-involve"),
    path("<int:pk>/investigation/notes/", NoteAddView.as_view(), name="complaint-discussion-note"),
]
