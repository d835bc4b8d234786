"""Every read of the after-sales module, scoped to what the user may see (ORG-1).

Cases (AFS-1/2) are read here; the visits of VIS-1/2 have their own module (visit selectors).
"""
from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils.translation import gettext as _

from orders.models import Delivery, Order, OrderLine
from orders.selectors import order_for_intake as order_for_intake  # moved to orders; the old name kept
from orders.selectors import order_visible
from qsm import search
from qsm.contacts.selectors import contact_log
from qsm.org.models import Product
from qsm.parsing import parse_id
from qsm.sla.models import Deadline
from qsm.sla.selectors import deadlines_of

from .models import Case, CauseCategory
from .rules import CASE_VISIBILITY

# --- cases ------------------------------------------------------------------------------------------


def case_visible(*, user) -> QuerySet[Case]:
    """The cases a user may open, from the one declaration in aftersales.rules (ORG-1)."""
    return CASE_VISIBILITY.filter(Case.objects.all(), user)


def case_list(*, user, filters: dict | None = None) -> QuerySet[Case]:
    """The list page and endpoint: scoped, with what each row shows loaded in the same query
    (``filters``: field lookups applied as they are, for callers without a FilterSet)."""
    qs = (
        case_visible(user=user)
        .select_related("customer", "owner", "department", "cause", "cause__parent", "order")
        .order_by("-received_at", "-id")
    )
    return qs.filter(**filters) if filters else qs


def case_get(*, user, pk) -> Case:
    """One case with everything its page and detail endpoint show; another department's case (or
    one the user may not see for any other reason) is a 404."""
    try:
        return (
            case_visible(user=user)
            .select_related("customer", "owner", "department", "cause", "cause__parent", "order", "delivery",
                            "product")
            .get(pk=parse_id(pk))
        )
    except Case.DoesNotExist:
        raise Http404(_("No such after-sales case.")) from None


def case_deadlines(case: Case) -> list[Deadline]:
    """The case's clocks (reply, resolution), oldest first: the page shows each with its state
    (running, paused while the customer is waited for, met, late)."""
    return list(deadlines_of(case))


def case_contacts(case: Case) -> list:
    """The contact log with the customer (qsm.contacts), oldest first."""
    return list(contact_log(case))


def special_plan_template():
    """The special-solution section of the case page (templates/aftersales/_special_plan.html,
    provided by the special-plan part of the module); None while it does not exist."""
    try:
        return select_template(["aftersales/_special_plan.html"])
    except TemplateDoesNotExist:
        return None


def cause_choices() -> QuerySet[CauseCategory]:
    """The active causes, each top-level one followed by its children (the cause pickers)."""
    return CauseCategory.objects.filter(is_active=True).select_related("parent").order_by(
        "parent__position", "parent__name", "position", "name")


# --- the order / delivery / product type-ahead of the intake (AFS-1) -------------------------------------


def order_lookup(*, user, term: str, limit: int = 10) -> list[Order]:
    """Orders the user may see that match ``term``: the order number, the customer's order
    reference (PO), the customer's name (qsm.search over the orders' declaration) or the code or
    name of a product on one of its lines. Each with its deliveries and products (three queries)."""
    term = search.normalize(term)
    if not term:
        return []
    visible = order_visible(user=user).order_by("-created_at", "-id")
    # Each way of matching reads at most a page of ids through its own index (no OR across tables).
    ids = list(search.apply(visible, term).values_list("pk", flat=True)[:limit])
    products = Product.objects.filter(Q(code__icontains=term) | Q(name__icontains=term))
    ids += list(visible.filter(Exists(OrderLine.objects.filter(order=OuterRef("pk"), product__in=products)))
                .values_list("pk", flat=True)[:limit])
    if not ids:
        return []
    return list(
        visible.filter(pk__in=set(ids))
        .select_related("customer")
        .prefetch_related(
            Prefetch("deliveries", queryset=Delivery.objects.order_by("number")),
            Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("id")),
        )[:limit]
    )


# --- the export (SEARCH-1, PERF-1) ------------------------------------------------------------------------


def case_export_rows(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Only what the export's columns read: the long texts stay in the database (a column reading
    a field left out here would cost a query per row; tests count the queries)."""
    return qs.only(
        "number", "received_at", "channel", "case_type", "severity", "contact_name", "subject", "status",
        "is_complex", "reopen_count", "replied_at", "resolved_at", "due_at", "customer", "customer__name",
        "department", "department__name", "owner", "owner__display_name", "owner__first_name", "owner__last_name",
        "owner__username", "cause", "cause__name", "cause__parent", "cause__parent__name", "order",
        "order__number")


def case_export_columns() -> list:
    """The columns of the case export, shared by the page, the API and the export job."""
    from django.utils.translation import gettext_lazy

    from qsm.contacts.models import Channel
    from qsm.exports import Column, yes_no

    def cause(c: Case) -> str:
        if c.cause_id is None:
            return ""
        return f"{c.cause.parent.name} / {c.cause.name}" if c.cause.parent_id else c.cause.name

    return [
        Column(gettext_lazy("Number"), lambda c: c.number),
        Column(gettext_lazy("Received"), lambda c: c.received_at),
        Column(gettext_lazy("Channel"), lambda c: c.channel, Channel.choices),
        Column(gettext_lazy("Case type"), lambda c: c.case_type, Case.Type.choices),
        Column(gettext_lazy("Severity"), lambda c: c.severity, Case.Severity.choices),
        Column(gettext_lazy("Customer"), lambda c: c.customer.name),
        Column(gettext_lazy("Contact person"), lambda c: c.contact_name),
        Column(gettext_lazy("Subject"), lambda c: c.subject),
        Column(gettext_lazy("Order"), lambda c: c.order.number if c.order_id else ""),
        Column(gettext_lazy("Status"), lambda c: c.status, Case.Status.choices),
        Column(gettext_lazy("Complex"), lambda c: c.is_complex, yes_no()),
        Column(gettext_lazy("Cause"), cause),
        Column(gettext_lazy("Department"), lambda c: c.department.name),
        Column(gettext_lazy("Owner"), lambda c: str(c.owner)),
        Column(gettext_lazy("Replied at"), lambda c: c.replied_at),
        Column(gettext_lazy("Resolved at"), lambda c: c.resolved_at),
        Column(gettext_lazy("Times reopened"), lambda c: c.reopen_count),
        Column(gettext_lazy("Due"), lambda c: c.due_at),
    ]
