"""SEARCH-1 for orders, deliveries and installations: shared by the pages, exports and the API."""
from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qsm import search
from qsm.api.filters import FilterSet, LocalDayFilter, StatusFilter
from qsm.followup.selectors import waiting_follow_up
from qsm.org.models import Customer, Department, User

from .models import Delivery, Installation, Order
from .selectors import at_risk_q, late_q, review_overdue_q

# The search boxes: numbers exactly, the customer's name and the free-text columns as substrings.
ORDER_SEARCH = search.register(
    Order,
    search.Exact("number"),
    search.Exact("source_inquiry__number"),
    search.Text("customer_reference"),
    search.Related("customer", search.Text("name")),
)
DELIVERY_SEARCH = search.register(
    Delivery,
    search.Exact("order__number"),
    search.Text("carrier"),
    search.Related("order__customer", search.Text("name")),
)
INSTALLATION_SEARCH = search.register(
    Installation,
    search.Exact("order__number"),
    search.Related("order__customer", search.Text("name")),
)


class OrderFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = StatusFilter(choices=Order.Status.choices, label=_("Status"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.filter(is_active=True), label=_("Owner"))
    customer = django_filters.ModelChoiceFilter(queryset=Customer.objects.all(), label=_("Customer"))
    created_from = LocalDayFilter(field_name="created_at", bound="from", label=_("Created from"))
    created_to = LocalDayFilter(field_name="created_at", bound="to", label=_("Created to"))
    promised_from = django_filters.DateFilter(field_name="promised_date", lookup_expr="gte", label=_("Promised from"))
    promised_to = django_filters.DateFilter(field_name="promised_date", lookup_expr="lte", label=_("Promised to"))
    installation_required = django_filters.BooleanFilter(label=_("Installation needed"))
    late = django_filters.BooleanFilter(method="filter_late", label=_("Late"))
    at_risk = django_filters.BooleanFilter(method="filter_at_risk", label=_("At risk"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Review overdue"))
    visit_due = django_filters.BooleanFilter(method="filter_visit_due", label=_("Follow-up visit due"))

    class Meta:
        model = Order
        fields = ["q", "status", "department", "owner", "customer", "created_from", "created_to", "promised_from",
                  "promised_to", "installation_required", "late", "at_risk", "overdue", "visit_due"]

    def filter_q(self, queryset, name, value):
        return search.apply(queryset, value)

    def filter_late(self, queryset, name, value):
        late = late_q(timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late) if value is False else queryset

    def filter_at_risk(self, queryset, name, value):
        risk = at_risk_q()
        return queryset.filter(risk) if value else queryset.exclude(risk) if value is False else queryset

    def filter_overdue(self, queryset, name, value):
        overdue = review_overdue_q(timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue) if value is False else queryset

    def filter_visit_due(self, queryset, name, value):
        due = Q(waiting_follow_up(Order))
        return queryset.filter(due) if value else queryset.exclude(due) if value is False else queryset


class DeliveryFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = StatusFilter(choices=Delivery.Status.choices, label=_("Status"))
    department = django_filters.ModelChoiceFilter(field_name="order__department", queryset=Department.objects.all(),
                                                  label=_("Department"))
    customer = django_filters.ModelChoiceFilter(field_name="order__customer", queryset=Customer.objects.all(),
                                                label=_("Customer"))
    shipped_from = LocalDayFilter(field_name="shipped_at", bound="from", label=_("Shipped from"))
    shipped_to = LocalDayFilter(field_name="shipped_at", bound="to", label=_("Shipped to"))

    class Meta:
        model = Delivery
        fields = ["q", "status", "department", "customer", "shipped_from", "shipped_to"]

    def filter_q(self, queryset, name, value):
        return search.apply(queryset, value)


class InstallationFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = StatusFilter(choices=Installation.Status.choices, label=_("Status"))
    department = django_filters.ModelChoiceFilter(field_name="order__department", queryset=Department.objects.all(),
                                                  label=_("Department"))
    customer = django_filters.ModelChoiceFilter(field_name="order__customer", queryset=Customer.objects.all(),
                                                label=_("Customer"))
    engineer = django_filters.ModelChoiceFilter(field_name="engineers", queryset=User.objects.filter(is_active=True),
                                                label=_("Engineer"))
    scheduled_from = django_filters.DateFilter(field_name="scheduled_for", lookup_expr="gte", label=_("Scheduled from"))
    scheduled_to = django_filters.DateFilter(field_name="scheduled_for", lookup_expr="lte", label=_("Scheduled to"))

    class Meta:
        model = Installation
        fields = ["q", "status", "department", "customer", "engineer", "scheduled_from", "scheduled_to"]

    def filter_q(self, queryset, name, value):
        return search.apply(queryset, value)
