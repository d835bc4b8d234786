"""SEARCH-1 for follow-up visits: one FilterSet shared by the list page, the export and the API."""
from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qsm import search
from qsm.api.filters import FilterSet, StatusFilter
from qsm.followup.reasons import reasons
from qsm.org.models import Customer, Department, User

from .models import Visit
from .services.visits import LOW_SCORE

# The search box: the number exactly; the customer's name, the comments and suggestions as substrings.
VISIT_SEARCH = search.register(
    Visit,
    search.Exact("number"),
    search.Text("comments", "suggestions"),
    search.Related("customer", search.Text("name")),
)

SCORES = [(n, str(n)) for n in range(1, 6)]


def _reason_choices():
    return sorted(((code, str(label)) for code, label in reasons().items()), key=lambda c: c[1])


class VisitFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = StatusFilter(choices=Visit.Status.choices, label=_("Status"))
    method = django_filters.ChoiceFilter(choices=Visit.Method.choices, label=_("Method"))
    reason = django_filters.ChoiceFilter(choices=[], label=_("Reason"))  # the registered reasons (__init__)
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.filter(is_active=True), label=_("Owner"))
    customer = django_filters.ModelChoiceFilter(queryset=Customer.objects.all(), label=_("Customer"))
    satisfaction = django_filters.TypedChoiceFilter(choices=SCORES, coerce=int, label=_("Satisfaction"))
    low_score = django_filters.BooleanFilter(method="filter_low_score", label=_("Low score (1–2)"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    recheck_status = django_filters.ChoiceFilter(
        choices=[c for c in Visit.Recheck.choices if c[0]], label=_("Re-check"))
    planned_from = django_filters.DateFilter(field_name="planned_for", lookup_expr="gte", label=_("Planned from"))
    planned_to = django_filters.DateFilter(field_name="planned_for", lookup_expr="lte", label=_("Planned to"))

    class Meta:
        model = Visit
        fields = ["q", "status", "method", "reason", "department", "owner", "customer", "satisfaction", "low_score",
                  "overdue", "recheck_status", "planned_from", "planned_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Registered by the modules at start-up, named in the reader's language.
        reason = self.filters["reason"]
        reason.extra["choices"] = _reason_choices()
        reason.__dict__.pop("_field", None)  # a field built before (a copy of the declared one) had none

    def filter_q(self, queryset, name, value):
        return search.apply(queryset, value)

    def filter_low_score(self, queryset, name, value):
        if value is True:
            return queryset.filter(satisfaction__lte=LOW_SCORE)
        if value is False:
            return queryset.exclude(satisfaction__lte=LOW_SCORE)
        return queryset

    def filter_overdue(self, queryset, name, value):
        # Reads the partial index on open visits by deadline.
        open_states = list(Visit.OPEN_STATES)
        if value is True:
            return queryset.filter(status__in=open_states, due_at__lt=timezone.now())
        if value is False:
            return queryset.exclude(status__in=open_states, due_at__lt=timezone.now())
        return queryset
