"""SEARCH-1 for rectification notices: one FilterSet shared by the list page, the exports and the API."""
from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qsm import search
from qsm.api.condition_filter import ConditionFilter
from qsm.api.filters import FilterSet, StatusFilter
from qsm.org.models import Department

from .models import Notice

# The search box: the number exactly; the title and the inspected record's number as substrings
# (Chinese too: the grams index of the notice).
NOTICE_SEARCH = search.register(
    Notice,
    search.Exact("number"),
    search.Text("number", "title", "record_number"),
)


def overdue_condition(today=None) -> Q:
    """QC-3: a notice still waiting for its rectification past the deadline (the partial deadline index)."""
    today = today or timezone.localdate()
    return Q(status__in=(Notice.Status.ISSUED, Notice.Status.RECTIFYING), deadline__lt=today)


class NoticeFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = StatusFilter(choices=Notice.Status.choices, label=_("Status"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(),
                                                  label=_("Responsible department"))
    source = django_filters.ChoiceFilter(choices=Notice.Source.choices, label=_("Source"))
    deadline_from = django_filters.DateFilter(field_name="deadline", lookup_expr="gte", label=_("Deadline from"))
    deadline_to = django_filters.DateFilter(field_name="deadline", lookup_expr="lte", label=_("Deadline to"))
    overdue = ConditionFilter(overdue_condition, label=_("Overdue"))

    class Meta:
        model = Notice
        fields = ["q", "status", "department", "source", "deadline_from", "deadline_to", "overdue"]

    def filter_q(self, queryset, name, value):
        return search.apply(queryset, value)
