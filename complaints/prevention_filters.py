"""SEARCH-1 for preventive measures (CMP-5): one FilterSet for the list page, the export and the API."""
from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qsm.api.filters import FilterSet, StatusFilter
from qsm.org.models import Department, User

from .models import PreventiveMeasure


class PreventiveFilter(FilterSet):
    q = django_filters.CharFilter(field_name="complaint__number", lookup_expr="iexact", label=_("Complaint number"))
    status = StatusFilter(choices=PreventiveMeasure.Status.choices, label=_("Status"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.filter(is_active=True), label=_("Owner"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    due_from = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label=_("Due from"))
    due_to = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due to"))

    class Meta:
        model = PreventiveMeasure
        fields = ["q", "status", "department", "owner", "overdue", "due_from", "due_to"]

    def filter_overdue(self, queryset, name, value):
        late = {"status": PreventiveMeasure.Status.OPEN, "due_date__lt": timezone.localdate()}
        if value is True:
            return queryset.filter(**late)
        if value is False:
            return queryset.exclude(**late)
        return queryset
