"""The form base and widgets every module's page forms share (STYLE.md: forms check shape only)."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qsm.org.forms import BootstrapFormMixin

__all__ = ["AttachmentForm", "BootstrapFormMixin", "DateInput", "DateTimeLocalInput", "SearchableSelect",
           "SearchableSelectMultiple", "TransitionForm", "UserChoiceField", "now_local", "searchable"]


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


class TransitionForm(BootstrapFormMixin, forms.Form):
    """The record page's plain action buttons: an action and an optional (sometimes required) comment."""

    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(BootstrapFormMixin, forms.Form):
    """WF-3: one file and what it is."""

    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
