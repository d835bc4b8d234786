"""SEARCH-1 for after-sales cases: one FilterSet shared by the list page, the export and the API."""
from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import Order
from qsm import search
from qsm.api.condition_filter import ConditionFilter
from qsm.api.filters import FilterSet, LocalDayFilter, StatusFilter, TreeNodeFilter
from qsm.contacts.models import Channel
from qsm.org.models import Customer, Department, Product, User

from .models import Case, CauseCategory

# The search box: the number exactly, subject, description and the contact (name, phone) as
# substrings (Chinese too: qsm.search's grams), and the customer's name.
CASE_SEARCH = search.register(
    Case,
    search.Exact("number"),
    search.Text("subject", "description", "contact_name", "contact_phone"),
    search.Related("customer", search.Text("name")),
)


class CaseFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = StatusFilter(choices=Case.Status.choices, label=_("Status"))
    case_type = django_filters.ChoiceFilter(choices=Case.Type.choices, label=_("Case type"))
    severity = django_filters.ChoiceFilter(choices=Case.Severity.choices, label=_("Severity"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.filter(is_active=True), label=_("Owner"))
    cause = TreeNodeFilter(queryset=CauseCategory.objects.all(), label=_("Cause"))
    customer = django_filters.ModelChoiceFilter(queryset=Customer.objects.all(), label=_("Customer"))
    order = django_filters.ModelChoiceFilter(queryset=Order.objects.all(), label=_("Order"))
    product = django_filters.ModelChoiceFilter(queryset=Product.objects.all(), label=_("Product"))
    received_from = LocalDayFilter(field_name="received_at", bound="from", label=_("Received from"))
    received_to = LocalDayFilter(field_name="received_at", bound="to", label=_("Received to"))
    # Reads the partial index on open cases by deadline.
    overdue = ConditionFilter(lambda: Q(status__in=list(Case.OPEN_STATES), due_at__lt=timezone.now()),
                              label=_("Overdue"))
    reopened = ConditionFilter(Q(reopen_count__gt=0), label=_("Reopened"))
    is_complex = django_filters.BooleanFilter(label=_("Complex problem"))

    class Meta:
        model = Case
        fields = ["q", "status", "case_type", "severity", "channel", "department", "owner", "cause", "customer",
                  "order", "product", "received_from", "received_to", "overdue", "reopened", "is_complex"]

    def filter_q(self, queryset, name, value):
        return search.apply(queryset, value)
