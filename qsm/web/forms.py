"""The form base and widgets every module's page forms share (STYLE.md: forms check shape only)."""
from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qsm.fields import CleanCharField
from qsm.org.forms import BootstrapFormMixin
from qsm.org.labels import person_label

__all__ = ["AttachmentForm", "BootstrapFormMixin", "DateInput", "DateTimeLocalInput", "SearchableSelect",
           "PeopleField", "SearchableSelectMultiple", "TransitionForm", "UserChoiceField", "now_local", "searchable"]


def now_local():
    """datetime-local inputs carry no zone: the user's wall clock (Asia/Shanghai), minutes only."""
    return timezone.localtime().replace(second=0, microsecond=0)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def searchable(widget: forms.Widget) -> forms.Widget:
    """Mark a select to become a searchable one (static/js/qsm.js, tom-select): type to filter,
    pick several without Ctrl-click, remove with a click. Without JavaScript it stays a plain select."""
    widget.attrs["data-searchable"] = ""
    widget.attrs["data-placeholder"] = _("Type to search…")
    widget.attrs["data-no-results"] = _("No matches")
    widget.attrs["data-remove-label"] = _("Remove")
    return widget


class SearchableSelect(forms.Select):
    """A long single select that can be searched (customers, products, people)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs=attrs, choices=choices)
        searchable(self)


class SearchableSelectMultiple(forms.SelectMultiple):
    """A multi-select that can be searched (invited people, engineers)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs=attrs, choices=choices)
        searchable(self)


class UserChoiceField(forms.ModelMultipleChoiceField):
    """People to pick, each with their department (invitations, engineers): always a searchable
    multi-select, whatever widget a form passes (its attrs are kept)."""

    widget = SearchableSelectMultiple

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        searchable(self.widget)

    def label_from_instance(self, obj):
        return f"{obj} · {obj.department}" if obj.department_id else str(obj)


class PeoplePicker(SearchableSelectMultiple):
    """A searchable multi-select that renders only the people already picked and finds the others
    as the user types (``data-lookup``: org:user-options, JSON). Rendering every active person made
    each page that offered the picker ~2,000 options long (170 KB, 270-350 ms at 2,000 users)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs=attrs, choices=choices)
        self.attrs["data-lookup"] = reverse_lazy("org:user-options")

    def optgroups(self, name, value, attrs=None):
        field = getattr(self.choices, "field", None)
        # Only ids that can be keys: a hostile value is left to the field's validation (an error).
        ids = [int(v) for v in value if isinstance(v, str) and v.isdigit() and len(v) <= 18]
        if field is None or not ids:
            return []
        people = field.queryset.filter(pk__in=ids)
        return [(None, [self.create_option(name, str(person.pk), field.label_from_instance(person), True, index,
                                           attrs=attrs)], index)
                for index, person in enumerate(people)]


class PersonPicker(SearchableSelect):
    """The one-person type-ahead (an owner, a responsible person): renders only the person already
    picked and finds the others as the user types, from ``lookup`` (a JSON options URL: the
    company's people, org:user-options, or a record's own scope such as the people taking part in
    it — see ``qsm.org.views.PeopleOptionsView``)."""

    def __init__(self, attrs=None, choices=(), lookup=None):
        super().__init__(attrs=attrs, choices=choices)
        self.attrs["data-lookup"] = lookup or reverse_lazy("org:user-options")
        self.known: dict[int, object] = {}

    def __deepcopy__(self, memo):
        # Each form gets its own copy of the class's field; the people it knows must not be shared.
        obj = super().__deepcopy__(memo)
        obj.known = dict(self.known)
        return obj

    def optgroups(self, name, value, attrs=None):
        field = getattr(self.choices, "field", None)
        ids = [int(v) for v in value if isinstance(v, str) and v.isdigit() and len(v) <= 18][:1]
        options = [(None, [self.create_option(name, "", "---------", not ids, 0, attrs=attrs)], 0)]
        if field is None or not ids:
            return options
        # A form that already holds the picked person (a row of a list) names them without a query.
        people = [self.known[ids[0]]] if ids[0] in self.known else field.queryset.filter(pk__in=ids)
        for index, person in enumerate(people, start=1):
            options.append((None, [self.create_option(name, str(person.pk), field.label_from_instance(person), True,
                                                      index, attrs=attrs)], index))
        return options


class PersonField(forms.ModelChoiceField):
    """One person picked by type-ahead, never a select of everyone. Validation is the model field's:
    the picked id must be in ``queryset`` (give the same scope as the lookup URL answers from)."""

    def __init__(self, *args, lookup=None, **kwargs):
        given = kwargs.get("widget")
        kwargs["widget"] = PersonPicker(attrs=getattr(given, "attrs", None), lookup=lookup)
        super().__init__(*args, **kwargs)

    def set_lookup(self, url: str) -> None:
        """Point the type-ahead at a record's own scope once the form knows the record."""
        self.widget.attrs["data-lookup"] = url

    def know(self, person) -> None:
        """The person already picked, read with the row (and their department): no query to name them."""
        if person is not None:
            self.widget.known[person.pk] = person

    def label_from_instance(self, obj):
        return person_label(obj)


class PeopleField(forms.ModelMultipleChoiceField):
    """People to pick from the whole company (invitations): a type-ahead, never a list of everyone.
    Validation is the model field's: every picked id must be in ``queryset``."""

    widget = PeoplePicker

    def __init__(self, *args, **kwargs):
        given = kwargs.get("widget")
        kwargs["widget"] = PeoplePicker(attrs=getattr(given, "attrs", None))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return person_label(obj)


class TransitionForm(BootstrapFormMixin, forms.Form):
    """The record page's plain action buttons: an action and an optional (sometimes required) comment."""

    comment = CleanCharField(multiline=True, label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(BootstrapFormMixin, forms.Form):
    """WF-3: one file and what it is."""

    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class TreeChoiceField(forms.ModelChoiceField):
    """A node of a two-level taxonomy (the shared cause categories): a top-level node, or one of
    its children shown under it as "parent / child"."""

    def label_from_instance(self, obj):
        return f"{obj.parent.name} / {obj.name}" if obj.parent_id else obj.name
