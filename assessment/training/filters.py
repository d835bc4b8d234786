"""SEARCH-1 for training: one FilterSet per list shared by the page, the exports and the API."""
from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qsm import search
from qsm.api.filters import FilterSet, LocalDayFilter, StatusFilter
from qsm.org.models import Department, User

from .models import Topic, TrainingPlan, TrainingSession

# The search box: the number exactly, the title (and a session's place and external trainer) as
# substrings, Chinese too (the grams indexes of the models).
PLAN_SEARCH = search.register(TrainingPlan, search.Exact("number"), search.Text("number", "title"))
SESSION_SEARCH = search.register(TrainingSession, search.Exact("number"),
                                 search.Text("number", "title", "place", "trainer_name"))


class TrainingPlanFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = StatusFilter(choices=TrainingPlan.Status.choices, label=_("Status"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))
    topic = django_filters.ChoiceFilter(choices=Topic.choices, method="filter_topic", label=pgettext_lazy("training", "Topic"))
    period_from = django_filters.DateFilter(field_name="period_end", lookup_expr="gte", label=_("Period from"))
    period_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte", label=_("Period to"))

    class Meta:
        model = TrainingPlan
        fields = ["q", "status", "department", "topic", "period_from", "period_to"]

    def filter_q(self, queryset, name, value):
        return search.apply(queryset, value)

    def filter_topic(self, queryset, name, value):
        return queryset.filter(topics__contains=[value])


class TrainingSessionFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = StatusFilter(choices=TrainingSession.Status.choices, label=_("Status"))
    topic = django_filters.ChoiceFilter(choices=Topic.choices, label=pgettext_lazy("training", "Topic"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))
    trainer = django_filters.ModelChoiceFilter(queryset=User.objects.filter(is_active=True), label=_("Trainer"))
    plan = django_filters.ModelChoiceFilter(queryset=TrainingPlan.objects.all(), label=_("Training plan"))
    starts_from = LocalDayFilter(field_name="starts_at", bound="from", label=_("From"))
    starts_to = LocalDayFilter(field_name="starts_at", bound="to", label=_("To"))

    class Meta:
        model = TrainingSession
        fields = ["q", "status", "topic", "department", "trainer", "plan", "starts_from", "starts_to"]

    def filter_q(self, queryset, name, value):
        return search.apply(queryset, value)
