"""VIS-1: the form that edits a questionnaire version's questions (rows: add, reorder, remove)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qsm.org.forms import BootstrapFormMixin
from qsm.parsing import parse_count

from .models import Question

EXTRA_ROWS = 3
MAX_ROWS = 40


def _posted_rows(data, prefix: str) -> int:
    # Only ASCII row numbers count (``q_text_²`` is not row 2: SEC-1, qsm.parsing).
    numbers = [n for k in data if k.startswith(prefix)
               for n in [parse_count(k[len(prefix):], maximum=1000)] if n is not None]
    return min(max(numbers) + 1, MAX_ROWS) if numbers else 0


def choices_split(text: str) -> list[str]:
    """Options as a person types them: one a line (a "/" or "；" also separates)."""
    out = []
    for line in (text or "").replace("；", "\n").replace(";", "\n").replace("/", "\n").splitlines():
        if line.strip():
            out.append(line.strip())
    return out


class QuestionsForm(BootstrapFormMixin, forms.Form):
    """One row per question: position (the order), text, kind, options of a choice, required, and
    "remove". Blank rows are left out; a row with something in it but no position goes last."""

    note = forms.CharField(label=_("What changed"), required=False, max_length=200)

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        questions = list(questions)
        data = self.data if self.is_bound else {}
        posted = _posted_rows(data, "q_text_")
        self.row_count = posted if self.is_bound else min(len(questions) + EXTRA_ROWS, MAX_ROWS)
        for i in range(self.row_count):
            self.fields[f"q_position_{i}"] = forms.CharField(
                label=_("Position"), required=False, max_length=3, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
            self.fields[f"q_text_{i}"] = forms.CharField(label=_("Question text"), required=False, max_length=300)
            self.fields[f"q_kind_{i}"] = forms.ChoiceField(label=_("Kind of answer"), required=False,
                                                           choices=Question.Kind.choices)
            self.fields[f"q_choices_{i}"] = forms.CharField(
                label=_("Options (one a line)"), required=False, max_length=1500,
                widget=forms.Textarea(attrs={"rows": 3}))
            self.fields[f"q_required_{i}"] = forms.BooleanField(label=_("Required"), required=False)
            self.fields[f"q_remove_{i}"] = forms.BooleanField(label=_("Remove"), required=False)
            if not self.is_bound and i < len(questions):
                q = questions[i]
                self.initial.update({f"q_position_{i}": q.position, f"q_text_{i}": q.text, f"q_kind_{i}": q.kind,
                                     f"q_choices_{i}": "\n".join(q.choices or []), f"q_required_{i}": q.required})
            elif not self.is_bound:
                self.initial.update({f"q_kind_{i}": Question.Kind.SCALE, f"q_required_{i}": True})
        for name, field in self.fields.items():
            if name.startswith("q_") and not name.startswith(("q_required_", "q_remove_")):
                field.widget.attrs["class"] = "form-control form-control-sm" if not name.startswith("q_kind_") \
                    else "form-select form-select-sm"
        self._row_of: list[int] = []

    @property
    def rows(self) -> list[dict]:
        return [{"index": i, "position": self[f"q_position_{i}"], "text": self[f"q_text_{i}"],
                 "kind": self[f"q_kind_{i}"], "choices": self[f"q_choices_{i}"], "required": self[f"q_required_{i}"],
                 "remove": self[f"q_remove_{i}"]} for i in range(self.row_count)]

    def questions(self) -> list[dict]:
        """The rows kept, as the service takes them (``self.row_of(n)`` maps back to the row)."""
        data = self.cleaned_data
        kept: list[tuple[int, dict]] = []
        last = 0
        for i in range(self.row_count):
            if data.get(f"q_remove_{i}"):
                continue
            raw_position = (data.get(f"q_position_{i}") or "").strip()
            text = (data.get(f"q_text_{i}") or "").strip()
            options = choices_split(data.get(f"q_choices_{i}") or "")
            if not raw_position and not text and not options:
                continue  # a blank row
            position = parse_count(raw_position, maximum=1000) if raw_position else None
            if raw_position and position is None:
                position = -1  # not a number: the service says so on this row
            if position is not None and position > 0:
                last = max(last, position)
            kept.append((i, {"position": position, "text": text, "kind": data.get(f"q_kind_{i}") or "",
                             "choices": options, "required": bool(data.get(f"q_required_{i}"))}))
        for _i, row in kept:  # a new row without a position goes last
            if row["position"] is None:
                last += 1
                row["position"] = last
        self._row_of = [i for i, _row in kept]
        return [row for _i, row in kept]

    def field_map(self) -> dict[str, str | None]:
        """The service's ``questions.<n>.<field>`` keys as this form's fields."""
        names = {"position": "q_position_", "text": "q_text_", "kind": "q_kind_", "choices": "q_choices_"}
        out: dict[str, str | None] = {"questions": None}
        for n, i in enumerate(self._row_of):
            for key, prefix in names.items():
                out[f"questions.{n}.{key}"] = f"{prefix}{i}"
        return out
