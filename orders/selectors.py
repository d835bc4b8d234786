"""Every read of the in-sale module, scoped to what the user may see (ORG-1)."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qsm.contacts.selectors import contact_prefetch
from qsm.followup.selectors import with_follow_up
from qsm.inbox import first_by_deadline, url_of
from qsm.org.models import User
from qsm.org.rules import in_production_department
from qsm.parsing import parse_id
from qsm.registry import HistorySection, InboxItem
from qsm.sla.calendar import default_calendar, end_of_working_day
from qsm.sla.models import Deadline
from qsm.workflow.selectors import TimelineEntry, timeline

from .models import (
    WAITS_ON_OWNER,
    AcceptanceRound,
    CommissioningRound,
    Delivery,
    DeliveryLine,
    Installation,
    Order,
    OrderLine,
    ProductionStep,
    ReviewRound,
)
from .rules import DELIVERY_VISIBILITY, INSTALLATION_VISIBILITY, ORDER_VISIBILITY, engineer_q


def order_visible(*, user) -> QuerySet[Order]:
    """The orders a user may open, from the one declaration in orders.rules (ORG-1)."""
    return ORDER_VISIBILITY.filter(Order.objects.all(), user)


def order_for_intake(*, user, pk) -> Order | None:
    """The order picked on an intake form (an after-sales case, a complaint), if the user may see
    it, with its deliveries and lines (else None: the form says so)."""
    pk = parse_id(pk)
    if pk is None:
        return None
    return (
        order_visible(user=user).select_related("customer")
        .prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.order_by("number")),
                          Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("id")))
        .filter(pk=pk).first()
    )


def order_of_delivery(pk) -> int | None:
    """The order of a delivery picked without its order."""
    pk = parse_id(pk)
    if pk is None:
        return None
    return Delivery.objects.filter(pk=pk).values_list("order_id", flat=True).first()


# --- one definition of late, at risk and review overdue (ORD-2): the page, the list filter and the API --------


def late_q(today) -> Q:
    """Undelivered past the promised date (served by the partial index on promised_date)."""
    return Q(status__in=list(Order.UNDELIVERED_STATES), promised_date__lt=today)


def at_risk_q() -> Q:
    """Flagged by the delivery clock's reminder (``risk_flagged_at``) and still undelivered; a late order
    stays flagged (``Order.is_at_risk``). The pages show "Late" in its place when both hold."""
    return Q(status__in=list(Order.UNDELIVERED_STATES), risk_flagged_at__isnull=False)


def _review_deadlines():
    return Deadline.objects.filter(content_type=ContentType.objects.get_for_model(Order), object_id=OuterRef("pk"),
                                   stage="review", state=Deadline.State.RUNNING)


def review_overdue_q(now) -> Q:
    """In review and the review clock's own deadline has passed. Not ``due_at``: that is the earliest of
    every running clock, and an order in review may be due sooner by its promised date."""
    return Q(status=Order.Status.REVIEW) & Q(Exists(_review_deadlines().filter(due_at__lt=now)))


def with_order_flags(queryset: QuerySet[Order]) -> QuerySet[Order]:
    """Annotate ``review_due_at`` (the running review deadline's due time) for ``Order.is_review_overdue``."""
    return queryset.annotate(review_due_at=Subquery(_review_deadlines().order_by("due_at").values("due_at")[:1]))


def committed_by_line(deliveries) -> dict[int, Decimal]:
    """Quantity per order line that is on its way or received (a rejected shipment does not count):
    the same rule ``services.delivery_ship`` applies in SQL under the order's lock, here over the
    page's prefetched deliveries."""
    committed: dict[int, Decimal] = defaultdict(Decimal)
    for d in deliveries:
        if d.status != Delivery.Status.REJECTED:
            for dl in d.lines.all():
                committed[dl.order_line_id] += dl.quantity
    return committed


def order_list(*, user) -> QuerySet[Order]:
    return with_order_flags(with_follow_up(order_visible(user=user))).select_related(
        "customer", "department", "owner", "source_inquiry").order_by("-created_at", "-id")


def _installation_details(through: str = "") -> list:
    """What an installation's page section and detail endpoint show: its engineers, commissioning
    rounds and acceptance rounds with who recorded them (three queries, however many rounds);
    ``through`` the path from the records being read ("installation__" from orders)."""
    return [
        f"{through}engineers",
        Prefetch(f"{through}commissioning_rounds",
                 queryset=CommissioningRound.objects.select_related("recorded_by").order_by("number")),
        Prefetch(f"{through}acceptance_rounds", queryset=AcceptanceRound.objects.select_related("recorded_by")),
    ]


def order_get(*, user, pk) -> Order:
    """One order with everything its page and detail endpoint show, read once, in a fixed number of
    queries (PERF-1): the order with its installation in one query, then one query per kind of child
    whatever their number. Pass it down (``installation_of(order)``, the rules) rather than re-read."""
    try:
        return (
            with_order_flags(with_follow_up(order_visible(user=user)))
            .select_related("customer", "department", "owner", "source_inquiry", "installation")
            .prefetch_related(
                Prefetch("lines", queryset=OrderLine.objects.select_related("product")),
                Prefetch("review_rounds", queryset=ReviewRound.objects.select_related("reviewer")
                         .prefetch_related("findings").order_by("number")),
                Prefetch("deliveries", queryset=Delivery.objects.select_related("recorded_by").prefetch_related(
                    Prefetch("lines", queryset=DeliveryLine.objects.select_related("order_line__product")))
                         .order_by("number")),
                contact_prefetch("progress_notes"),
                Prefetch("production_steps", queryset=ProductionStep.objects.select_related("recorded_by")),
                *_installation_details("installation__"),
            )
            .get(pk=parse_id(pk))
        )
    except Order.DoesNotExist:
        raise Http404(_("No such order.")) from None


def installation_of(order: Order) -> Installation | None:
    """The order's installation with its details: the one ``order_get`` loaded with the order, or
    read here for an order that came from elsewhere."""
    if Order.installation.is_cached(order):
        installation = getattr(order, "installation", None)  # None: the order has none
        if installation is None or "engineers" in getattr(installation, "_prefetched_objects_cache", {}):
            return installation
    installation = Installation.objects.filter(order=order).prefetch_related(*_installation_details()).first()
    if installation is not None:
        installation.order = order  # the rules read the order: the caller's, already loaded
    return installation


def engineer_candidates() -> QuerySet[User]:
    """ORD-3: the people who may be named engineer on an installation (``rules.engineer_q``), for the
    page's choices and the API's validation; ordered by department and name."""
    return (User.objects.filter(pk__in=User.objects.filter(engineer_q()).values("pk"))
            .select_related("department").order_by("department__name", "display_name", "username"))


def order_timeline(order: Order, *, deliveries: list | None = None,
                   installation: Installation | None | bool = False) -> list[TimelineEntry]:
    """WF-2 for the whole order (its deliveries and installation too), for the page and the API.

    Pass what the caller already loaded; otherwise it is read here (ids and numbers only).
    """
    if deliveries is None:
        deliveries = list(Delivery.objects.filter(order=order).only("pk", "number", "order_id"))
    if installation is False:
        installation = Installation.objects.filter(order=order).only("pk", "order_id").first()
    children = [(d, _("Delivery %(number)s") % {"number": d.number}) for d in deliveries]
    if installation is not None:
        children.append((installation, _("Installation")))
    return timeline(order, children=children)


def delivery_list(*, user) -> QuerySet[Delivery]:
    """SEARCH-1: deliveries of the orders the user may see."""
    qs = Delivery.objects.select_related("order", "order__customer", "order__department", "recorded_by")
    return DELIVERY_VISIBILITY.filter(qs, user).order_by("-shipped_at", "-id")


def installation_list(*, user) -> QuerySet[Installation]:
    """SEARCH-1: installations of the orders the user may see (their engineers see them too)."""
    qs = Installation.objects.select_related("order", "order__customer", "order__department")
    return INSTALLATION_VISIBILITY.filter(qs, user).order_by("-scheduled_for", "-id")


def delivery_get(*, user, pk, details: bool = False) -> Delivery:
    """One delivery with its order; ``details``: with its lines (their order lines and products) for
    the detail endpoint, in one more query."""
    qs = delivery_list(user=user)
    if details:
        qs = qs.prefetch_related(Prefetch("lines", queryset=DeliveryLine.objects.select_related("order_line__product")))
    try:
        return qs.get(pk=parse_id(pk))
    except Delivery.DoesNotExist:
        raise Http404(_("No such delivery.")) from None


def installation_get(*, user, pk, details: bool = False) -> Installation:
    """One installation with its order; ``details``: with its engineers and rounds for the detail endpoint."""
    qs = installation_list(user=user)
    if details:
        qs = qs.prefetch_related(*_installation_details())
    try:
        return qs.get(pk=parse_id(pk))
    except Installation.DoesNotExist:
        raise Http404(_("No such installation.")) from None


# --- my work (INBOX-1) and the customer page (ORG-2) ----------------------------------------------

S = Order.Status
_WAITING_FOR = {
    S.REVIEW: gettext_noop("Review the order"),
    S.RETURNED: gettext_noop("Get the amended order from the customer"),
    S.APPROVED: gettext_noop("Start production or ship"),
    S.IN_PRODUCTION: gettext_noop("Ship and keep the customer informed"),
    S.DELIVERING: gettext_noop("Confirm receipt of the deliveries"),
    S.DELIVERED: gettext_noop("Schedule the installation"),
    S.INSTALLING: gettext_noop("Install, commission and get the customer's acceptance"),
}

_PRODUCTION_WAITING_FOR = gettext_noop("Produce it and record the production steps")


def order_waiting_on(*, user) -> QuerySet[Order]:
    """INBOX-1: orders that wait on their owner, the receiving department's reviews, the
    installations the user is an engineer of, and (§3.2(2)) what the production department is
    producing; due first, at most the core's cap. PERF-1: each branch is read through its own
    partial index (orders.models)."""
    department = user.department_id
    # Only the columns "my work" shows: up to 200 rows are built per call.
    shown = Order.objects.select_related("customer").only(
        "number", "status", "due_at", "promised_date", "owner_id", "customer__name")
    return first_by_deadline(shown, [
        Order.objects.filter(WAITS_ON_OWNER, owner=user),
        Order.objects.filter(department_id=department, status=S.REVIEW) if department else None,
        Order.objects.filter(status=S.INSTALLING, installation__engineers=user),
        Order.objects.filter(status=S.IN_PRODUCTION).exclude(owner=user) if in_production_department(user) else None,
    ], order_by=("due_at", "promised_date", "pk"))


def order_inbox(user) -> list[InboxItem]:
    from django.utils.translation import gettext

    # PERF-1: labels translated once per call, not per row.
    module = gettext("Orders")
    labels = {value: str(label) for value, label in S.choices}
    url = url_of("orders:order-detail")  # the record's get_absolute_url, reversed once
    waiting_for = {status: gettext(text) for status, text in _WAITING_FOR.items()}
    producing = gettext(_PRODUCTION_WAITING_FOR)
    items = []
    calendar = None
    for o in order_waiting_on(user=user):
        # The review has an SLA deadline; later stages are due when work ends on the promised
        # date, in the working calendar's hours.
        due = o.due_at
        if due is None and o.promised_date and o.status in Order.UNDELIVERED_STATES:
            calendar = calendar or default_calendar()
            due = end_of_working_day(o.promised_date, calendar)
        waiting = producing if o.status == S.IN_PRODUCTION and o.owner_id != user.pk else (
            waiting_for.get(o.status, ""))
        items.append(InboxItem(module=module, module_code="orders", number=o.number, title=o.customer.name,
                               status_label=labels.get(o.status, o.status), url=url(o.pk), due_at=due,
                               waiting_for=waiting))
    return items


def order_customer_history(customer, user) -> HistorySection:
    from django.urls import reverse

    today = timezone.localdate()
    rows = order_visible(user=user).filter(customer=customer).order_by("-created_at")[:50]
    return HistorySection(
        title=_("Orders"),
        columns=[_("Number"), _("Received"), _("Promised"), _("Status"), _("Late")],
        rows=[{"url": o.get_absolute_url(),
               "cells": [o.number, timezone.localtime(o.received_at or o.created_at).strftime("%Y-%m-%d"),
                         o.promised_date.isoformat() if o.promised_date else "", o.get_status_display(),
                         _("late") if o.is_late(today) else ""]}
              for o in rows],
        more_url=reverse("orders:order-list") + f"?customer={customer.pk}",
    )


def order_export_rows(qs: QuerySet[Order]) -> QuerySet[Order]:
    """The export's orders with their amount (the sum of quantity × unit price of the lines), one
    subquery per order in the same SELECT: the export stays one streamed query."""
    from django.db.models import DecimalField, F, Sum

    amount = (OrderLine.objects.filter(order=OuterRef("pk")).order_by().values("order")
              .annotate(total=Sum(F("quantity") * F("unit_price"))).values("total"))
    return qs.annotate(export_amount=Subquery(amount, output_field=DecimalField(max_digits=24, decimal_places=2)))


def _order_amount(order: Order) -> Decimal | None:
    if hasattr(order, "export_amount"):
        return order.export_amount
    prices = [line.quantity * line.unit_price for line in order.lines.all() if line.unit_price is not None]
    return sum(prices, Decimal(0)) if prices else None


def order_export_columns() -> list:
    """The columns of the order export (SEARCH-1), shared by the page, the API and the export job.
    Dates and the amount are typed values: the .xlsx has date and number cells (the CSV writes them
    as text). Coded columns declare their labels: translated once per export (PERF-1)."""
    from django.utils.translation import gettext_lazy

    from qsm.exports import Column, yes_no

    today = timezone.localdate()
    return [
        Column(gettext_lazy("Number"), lambda o: o.number),
        Column(gettext_lazy("Received"), lambda o: o.received_at or o.created_at),
        Column(gettext_lazy("Customer"), lambda o: o.customer.name),
        Column(gettext_lazy("Status"), lambda o: o.status, Order.Status.choices),
        Column(gettext_lazy("Amount"), _order_amount),
        Column(gettext_lazy("Promised delivery date"), lambda o: o.promised_date),
        Column(gettext_lazy("Installation needed"), lambda o: o.installation_required, yes_no()),
        Column(gettext_lazy("Department"), lambda o: o.department.name),
        Column(gettext_lazy("Owner"), lambda o: str(o.owner)),
        Column(gettext_lazy("From inquiry"), lambda o: o.source_inquiry.number if o.source_inquiry else ""),
        Column(gettext_lazy("Late"), lambda o: o.is_late(today), yes_no(no=False)),
        Column(gettext_lazy("Delivered at"), lambda o: o.delivered_at),
        Column(gettext_lazy("Accepted at"), lambda o: o.accepted_at),
    ]


def delivery_export_columns() -> list:
    from django.utils.translation import gettext_lazy

    from qsm.exports import Column

    return [
        Column(gettext_lazy("Order"), lambda d: d.order.number),
        Column(gettext_lazy("Delivery"), lambda d: d.number),
        Column(gettext_lazy("Customer"), lambda d: d.order.customer.name),
        Column(gettext_lazy("Shipped at"), lambda d: d.shipped_at),
        Column(gettext_lazy("Carrier / tracking"), lambda d: d.carrier),
        Column(gettext_lazy("Status"), lambda d: d.status, Delivery.Status.choices),
        Column(gettext_lazy("Delivered at"), lambda d: d.delivered_at),
        Column(gettext_lazy("Quality check"), lambda d: d.quality_note),
        Column(gettext_lazy("Department"), lambda d: d.order.department.name),
    ]


def installation_export_columns() -> list:
    from django.utils.translation import gettext_lazy

    from qsm.exports import Column

    return [
        Column(gettext_lazy("Order"), lambda i: i.order.number),
        Column(gettext_lazy("Customer"), lambda i: i.order.customer.name),
        Column(gettext_lazy("Scheduled date"), lambda i: i.scheduled_for.isoformat()),
        Column(gettext_lazy("Status"), lambda i: i.status, Installation.Status.choices),
        Column(gettext_lazy("Site address"), lambda i: i.order.site_address),
        Column(gettext_lazy("Commissioned at"), lambda i: i.commissioned_at),
        Column(gettext_lazy("Accepted at"), lambda i: i.accepted_at),
        Column(gettext_lazy("Department"), lambda i: i.order.department.name),
    ]


# --- PRE-4: what converting an inquiry pre-fills (nothing is created until the form is saved) -----


def order_draft_from_inquiry(inquiry) -> dict:
    """The new-order form's initial values for an inquiry: its customer and contact, its subject and
    needs, and the products of its latest tailored solution (the inquiry's recommended products, or
    the products it asked about, when no solution names any). A solution records products, not
    quantities: each line starts at one unit (the product's list price), to be corrected from the
    customer's order before saving."""
    from django.utils.translation import gettext as _

    needs = "\n\n".join(part for part in (inquiry.subject, inquiry.question, inquiry.needs_analysis,
                                          inquiry.recommendation) if part)
    latest_solution = inquiry.solutions.order_by("-version").prefetch_related("products").first()
    products = list(latest_solution.products.all()) if latest_solution else []
    if latest_solution:
        needs += "\n\n" + _("Tailored solution v%(version)s: %(title)s") % {
            "version": latest_solution.version, "title": latest_solution.title} + "\n" + latest_solution.content
    if not products:
        products = list(inquiry.recommended_products.all()) or list(inquiry.products.all())
    contact = " ".join(part for part in (inquiry.contact_name, inquiry.contact_phone) if part)
    return {
        "customer": inquiry.customer,
        "site_contact": contact[:100],
        "needs": needs,
        "lines": [{"product": p, "quantity": Decimal(1), "unit_price": p.list_price}
                  for p in products if p.is_active],
        "solution_version": latest_solution.version if latest_solution else None,
    }
