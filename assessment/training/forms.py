"""QC-5 page forms: a plan, a session, adding attendees, attendance and scores, the score import.
They check the shape of the input; the services decide."""
from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from qsm.fields import CleanCharField
from qsm.org.forms import BootstrapFormMixin
from qsm.org.models import Department, User
from qsm.web.forms import DateInput, DateTimeLocalInput, PeoplePicker, PersonPicker, UserChoiceField

from ..standards.models import Standard
from .models import Topic, TrainingPlan, TrainingSession


def _notes_field(model) -> CleanCharField:
    """The notes of a plan or a session: multi-line text, 5,000 characters (SEC-1; declared here
    because a model's TextField gives its form field no length)."""
    return CleanCharField(multiline=True, label=capfirst(model._meta.get_field("notes").verbose_name), required=False,
                          widget=forms.Textarea(attrs={"rows": 3}))


class PlanForm(BootstrapFormMixin, forms.ModelForm):
    topics = forms.MultipleChoiceField(label=_("Topics"), choices=Topic.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    notes = _notes_field(TrainingPlan)

    class Meta:
        model = TrainingPlan
        fields = ["title", "department", "period_start", "period_end", "target_hours", "topics", "notes"]
        widgets = {"period_start": DateInput(), "period_end": DateInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from qsm.org.rules import sees_everything

        if self.instance.pk:
            del self.fields["department"]
        elif user is not None and not sees_everything(user):
            self.fields["department"].queryset = Department.objects.filter(pk=user.department_id)
            self.fields["department"].initial = user.department_id

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return data


class SessionForm(BootstrapFormMixin, forms.ModelForm):
    trainer = forms.ModelChoiceField(label=_("Trainer"), queryset=User.objects.filter(is_active=True),
                                     required=False, widget=PersonPicker)
    standards = forms.ModelMultipleChoiceField(label=_("Standards"), queryset=Standard.objects.none(),
                                               required=False)
    hours = forms.DecimalField(label=_("Hours"), max_digits=5, decimal_places=1, required=False,
                               min_value=0.5, max_value=200,
                               help_text=_("Left empty: computed from the times, to the half hour."))
    notes = _notes_field(TrainingSession)

    class Meta:
        model = TrainingSession
        fields = ["title", "topic", "trainer", "trainer_name", "starts_at", "ends_at", "hours", "place",
                  "standards", "notes"]
        widgets = {"starts_at": DateTimeLocalInput(), "ends_at": DateTimeLocalInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standards"].queryset = Standard.objects.filter(retired=False).order_by("number")
        self.fields["standards"].widget.attrs["data-searchable"] = ""
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The session ends before it starts."))
        if not data.get("trainer") and not (data.get("trainer_name") or "").strip():
            self.add_error("trainer", _("Name a trainer: a colleague or an external trainer."))
        return data


class AttendeesForm(BootstrapFormMixin, forms.Form):
    people = UserChoiceField(label=_("Add attendees"), queryset=User.objects.filter(is_active=True),
                             widget=PeoplePicker)


class AttendanceForm(forms.Form):
    """One row per attendee: ``attended_<person>`` (yes / no / empty) and ``score_<person>``."""

    def __init__(self, *args, attendances=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.attendances = list(attendances)
        choices = [("", "—"), ("yes", _("Attended")), ("no", _("Absent"))]
        for a in self.attendances:
            self.fields[f"attended_{a.person_id}"] = forms.ChoiceField(
                choices=choices, required=False,
                initial="" if a.attended is None else ("yes" if a.attended else "no"))
            self.fields[f"score_{a.person_id}"] = forms.DecimalField(
                required=False, min_value=0, max_value=100, decimal_places=1, max_digits=4, initial=a.score,
                widget=forms.NumberInput(attrs={"step": "0.5", "class": "form-control form-control-sm"}))
            self.fields[f"comment_{a.person_id}"] = forms.CharField(
                required=False, max_length=500, initial=a.comment,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))

    def rows(self):
        from .services import AttendanceRow

        rows = []
        for a in self.attendances:
            mark = self.cleaned_data.get(f"attended_{a.person_id}")
            score = self.cleaned_data.get(f"score_{a.person_id}")
            if not mark and score is None:
                continue
            rows.append(AttendanceRow(person_id=a.person_id, attended=None if not mark and score is None
                                      else (mark != "no"), score=score,
                                      comment=self.cleaned_data.get(f"comment_{a.person_id}") or ""))
        return rows

    def bound_rows(self):
        return [{"attendance": a, "attended": self[f"attended_{a.person_id}"], "score": self[f"score_{a.person_id}"],
                 "comment": self[f"comment_{a.person_id}"]} for a in self.attendances]


class ScoreImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("Filled sign-in sheet (.xlsx)"))
