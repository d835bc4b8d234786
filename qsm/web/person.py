"""One person picked from the whole company (a measure's owner, a responsible person): a type-ahead
single select. Like ``qsm.web.forms.PeoplePicker`` (several people) it renders only the person
already picked; the others are found as the user types (org:user-options, JSON), so a form offering
it does not render every active person. Validation is the model field's: the id must be in
``queryset`` (a hostile value is a form error)."""
from __future__ import annotations

from django import forms
from django.urls import reverse_lazy

from qsm.org.labels import person_label

from .forms import searchable


class PersonPicker(forms.Select):
    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs=attrs, choices=choices)
        searchable(self)
        self.attrs["data-lookup"] = reverse_lazy("org:user-options")

    def optgroups(self, name, value, attrs=None):
        field = getattr(self.choices, "field", None)
        ids = [int(v) for v in value if isinstance(v, str) and v.isdigit() and len(v) <= 18]
        options = [self.create_option(name, "", "---------", not ids, 0, attrs=attrs)]
        if field is not None and ids:
            person = field.queryset.filter(pk=ids[0]).first()
            if person is not None:
                options.append(self.create_option(name, str(person.pk), field.label_from_instance(person), True, 1,
                                                  attrs=attrs))
        return [(None, options, 0)]


class PersonField(forms.ModelChoiceField):
    widget = PersonPicker

    def __init__(self, *args, **kwargs):
        given = kwargs.get("widget")
        kwargs["widget"] = PersonPicker(attrs=getattr(given, "attrs", None))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return person_label(obj)
