"""Progress updates and customer questions on the order page (ORD-2)."""
from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from qsm.contacts.models import ContactEntry

from .. import services
from ..forms import (
    AnswerForm,
    ProductionStepForm,
    ProgressNoteForm,
)
from .record import OrderPostView


class ProgressNoteAddView(OrderPostView):
    form_class, form_key, anchor = ProgressNoteForm, "progress_form", "progress"

    def perform(self, *, order, form, data):
        return services.progress_note_add(order=order, actor=self.request.user, kind=data["kind"],
                                          channel=data["channel"], text=data["text"], occurred_at=data["occurred_at"])

    def success_message(self, order, result):
        if result.kind == ContactEntry.Kind.QUESTION:
            return _("The customer's question was logged.")
        return _("The progress update was logged.")


class ProgressAnswerView(OrderPostView):
    form_class, form_key, anchor = AnswerForm, "answer_form", "progress"

    def perform(self, *, order, form, data):
        note = next((n for n in order.progress_notes.all() if n.pk == self.kwargs.get("note_pk")), None)
        if note is None:
            raise Http404(_("No such question."))
        return services.progress_question_answer(note=note, actor=self.request.user, answer=data["answer"])

    def error_forms(self, form):
        return {self.form_key: form, "failed_action": "answer", "failed_pk": self.kwargs.get("note_pk")}

    def success_message(self, order, result):
        return _("The answer was recorded.")


class ProductionStepAddView(OrderPostView):
    """§3.2(2): the production department reports a production step on the order it produces."""

    form_class, form_key, anchor = ProductionStepForm, "production_form", "production"

    def perform(self, *, order, form, data):
        return services.production_step_add(order=order, actor=self.request.user, stage=data["stage"],
                                            note=data["note"], occurred_at=data["occurred_at"])

    def success_message(self, order, result):
        return _("The production step “%(step)s” was recorded.") % {"step": result.get_stage_display()}
