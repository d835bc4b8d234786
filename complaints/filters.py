"""SEARCH-1 for complaints: one FilterSet shared by the list page, the exports and the API."""
from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.models import CauseCategory
from orders.models import Order
from qsm import search
from qsm.api.condition_filter import ConditionFilter
from qsm.api.filters import FilterSet, LocalDayFilter, StatusFilter, TreeNodeFilter
from qsm.org.models import Customer, Department, Product, User

from .models import Complaint

# The search box: the number exactly, subject, description and the contact as substrings (Chinese
# too: qsm.search's grams), and the customer's name.
COMPLAINT_SEARCH = search.register(
    Complaint,
    search.Exact("number"),
    search.Text("subject", "description", "contact_name", "contact_phone"),
    search.Related("customer", search.Text("name")),
)

S = Complaint.Status


def overdue_condition(now=None) -> Q:
    """An open complaint past a deadline: the promised reply not given in time, or the clocks'
    earliest open due (``due_at``, kept by the engine: the resolution clock among them) passed."""
    now = now or timezone.now()
    reply_late = Q(replied_at__isnull=True, promised_reply_at__lt=now,
                   status__in=[S.RECEIVED, S.INVESTIGATING, S.PLANNING])
    return Q(status__in=list(Complaint.OPEN_STATES), due_at__lt=now) | reply_late


class ComplaintFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = StatusFilter(choices=Complaint.Status.choices, label=_("Status"))
    severity = django_filters.ChoiceFilter(choices=Complaint.Severity.choices, label=_("Severity"))
    channel = django_filters.ChoiceFilter(choices=Complaint.Channel.choices, label=_("Channel"))
    cause = TreeNodeFilter(queryset=CauseCategory.objects.all(), label=_("Cause"))
    responsible_department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(),
                                                              label=_("Responsible department"))
    receiving_department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(),
                                                            label=_("Receiving department"))
    investigator = django_filters.ModelChoiceFilter(queryset=User.objects.filter(is_active=True),
                                                    label=_("Investigator"))
    customer = django_filters.ModelChoiceFilter(queryset=Customer.objects.all(), label=_("Customer"))
    order = django_filters.ModelChoiceFilter(queryset=Order.objects.all(), label=_("Order"))
    product = django_filters.ModelChoiceFilter(queryset=Product.objects.all(), label=_("Product"))
    received_from = LocalDayFilter(field_name="received_at", bound="from", label=_("Received from"))
    received_to = LocalDayFilter(field_name="received_at", bound="to", label=_("Received to"))
    overdue = ConditionFilter(overdue_condition, label=_("Overdue"))
    # Complaints the customer was not satisfied with at least once (a second round).
    rounds = ConditionFilter(Q(round__gte=2), label=_("Two rounds or more"))
    unresolved = ConditionFilter(Q(status=S.CLOSED_UNRESOLVED), label=_("Closed unresolved"))

    class Meta:
        model = Complaint
        fields = ["q", "status", "severity", "channel", "cause", "responsible_department", "receiving_department",
                  "investigator", "customer", "order", "product", "received_from", "received_to", "overdue",
                  "rounds", "unresolved"]

    def filter_q(self, queryset, name, value):
        return search.apply(queryset, value)
