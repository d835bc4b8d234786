"""SEARCH-1 for complaint measures: one FilterSet shared by the measure list page, its export and the
API (``/api/complaints/measures/``)."""
from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qsm import search
from qsm.api.filters import FilterSet, StatusFilter
from qsm.org.models import Customer, Department, User

from .models import Complaint, Measure

# The search box: the complaint's number exactly, its subject (and the rest of its search columns)
# as substrings, and its customer's name: each an index read of the complaint, joined to its measures.
MEASURE_SEARCH = search.register(
    Measure,
    search.Related("plan__complaint", search.Exact("number")),
    search.Related("plan__complaint", search.Text(
        "subject", index=("subject", "description", "contact_name", "contact_phone"))),
    search.Related("plan__complaint__customer", search.Text("name")),
)

# The list shows the measures of approved plans: a draft's or a submitted plan's are not work yet.
LIST_STATUS_CHOICES = [c for c in Measure.Status.choices if c[0] != Measure.Status.PLANNED]


class MeasureFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = StatusFilter(choices=LIST_STATUS_CHOICES, label=_("Status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.all(), label=_("Person responsible"))
    due_from = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label=_("Due from"))
    due_to = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due to"))
    customer = django_filters.ModelChoiceFilter(field_name="plan__complaint__customer", queryset=Customer.objects.all(),
                                                label=_("Customer"))
    severity = django_filters.ChoiceFilter(field_name="plan__complaint__severity",
                                           choices=Complaint.Severity.choices, label=_("Complaint severity"))

    class Meta:
        model = Measure
        fields = ["q", "status", "overdue", "department", "owner", "customer", "due_from", "due_to", "severity"]

    def filter_q(self, queryset, name, value):
        return search.apply(queryset, value)

    def filter_overdue(self, queryset, name, value):
        # Open measures past their deadline (the partial index on open measures by deadline).
        overdue = {"status": Measure.Status.OPEN, "due_date__lt": timezone.localdate()}
        if value is True:
            return queryset.filter(**overdue)
        if value is False:
            return queryset.exclude(**overdue)
        return queryset
