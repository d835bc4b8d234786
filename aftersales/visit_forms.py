"""The forms of follow-up visits: the answers (one field per question of the visit's questionnaire
version, shared by the caller's page and the customer's survey page), calls, links and re-checks."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qsm.fields import BoundedDateTimeField
from qsm.web.forms import DateTimeLocalInput

from .models import PhoneAttempt, Question, Visit
from .services.visits import MAX_CALL_SECONDS, MAX_TEXT, answer_key

SCORES = [(str(n), str(n)) for n in range(1, 6)]


class AnswersForm(forms.Form):
    """Overall satisfaction, one field per question (in order), comments and suggestions."""

    satisfaction = forms.TypedChoiceField(label=_("Overall satisfaction (1 = very dissatisfied, 5 = very satisfied)"),
                                          choices=SCORES, coerce=int, widget=forms.RadioSelect)
    comments = forms.CharField(label=_("Comments"), required=False, max_length=MAX_TEXT,
                               widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
    suggestions = forms.CharField(label=_("Suggestions"), required=False, max_length=MAX_TEXT,
                                  widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            name = answer_key(q)
            if q.kind == Question.Kind.SCALE:
                field = forms.TypedChoiceField(choices=SCORES, coerce=int, widget=forms.RadioSelect)
            elif q.kind == Question.Kind.CHOICE:
                field = forms.ChoiceField(choices=[(str(c), str(c)) for c in q.choices], widget=forms.RadioSelect)
            else:
                field = forms.CharField(max_length=MAX_TEXT,
                                        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
            field.label = q.text
            field.required = q.required
            field.question = q
            self.fields[name] = field

    def question_fields(self):
        return [self[answer_key(q)] for q in self.questions]

    def answers(self) -> dict[str, object]:
        return {answer_key(q): self.cleaned_data.get(answer_key(q)) for q in self.questions
                if self.cleaned_data.get(answer_key(q)) not in (None, "")}


class PhoneRecordForm(AnswersForm):
    """The caller's form: the call script's answers and the call itself (VIS-1)."""

    called_at = BoundedDateTimeField(past=True, label=_("Call started at"), required=False,
                                     widget=DateTimeLocalInput(attrs={"class": "form-control"}))
    call_minutes = forms.DecimalField(label=_("Call duration (minutes)"), required=False, min_value=0,
                                      max_value=MAX_CALL_SECONDS // 60, decimal_places=1,
                                      widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.5"}))

    def call_seconds(self) -> int | None:
        minutes = self.cleaned_data.get("call_minutes")
        return int(minutes * 60) if minutes is not None else None


class PhoneAttemptForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=PhoneAttempt.Outcome.choices,
                                widget=forms.Select(attrs={"class": "form-select"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=300,
                           widget=forms.TextInput(attrs={"class": "form-control"}))


class SendLinkForm(forms.Form):
    contact_name = forms.CharField(label=_("Sent to (contact)"), required=False, max_length=100,
                                   widget=forms.TextInput(attrs={"class": "form-control"}))


class RecheckRequestForm(forms.Form):
    note = forms.CharField(label=_("Why"), required=False, max_length=MAX_TEXT,
                           widget=forms.TextInput(attrs={"class": "form-control"}))


class RecheckForm(forms.Form):
    result = forms.ChoiceField(label=_("Re-check result"), widget=forms.RadioSelect, choices=[
        (Visit.Recheck.CONFIRMED, Visit.Recheck.CONFIRMED.label),
        (Visit.Recheck.DISCREPANCY, Visit.Recheck.DISCREPANCY.label)])
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
