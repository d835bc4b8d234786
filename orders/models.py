"""§3.2 in-sale service: order review rounds (ORD-1), production and delivery (ORD-2),
installation, commissioning and acceptance (ORD-3), and the follow-up visit it makes due (ORD-4)."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qsm import search
from qsm.contacts.models import ContactEntry

# INBOX-1: an order waits on its owner while it is returned, approved, produced, delivered in part,
# installed, or delivered with an installation still to schedule. orders.selectors.order_waiting_on
# filters with this very condition and its partial index is declared on it, so the planner can match them.
WAITS_ON_OWNER = (Q(status__in=["returned", "approved", "in_production", "delivering", "installing"])
                  | Q(status="delivered", installation_required=True))


class Order(models.Model):
    class Status(models.TextChoices):
        REVIEW = "review", _("Awaiting review")  # received or amended; the review clock runs (ORD-1)
        RETURNED = "returned", _("Returned for amendment")  # the customer is asked to amend it
        APPROVED = "approved", _("Approved")  # passed review; production not started yet
        IN_PRODUCTION = "in_production", _("In production")  # production / service preparation (ORD-2)
        DELIVERING = "delivering", _("Delivering")  # at least one shipment made, not all delivered
        DELIVERED = "delivered", _("Delivered")  # every line delivered and quality-checked
        INSTALLING = "installing", _("Installation")  # installation and commissioning under way (ORD-3)
        ACCEPTED = "accepted", _("Accepted")  # the customer accepted the installation (验收)
        CANCELLED = "cancelled", _("Cancelled")  # withdrawn; kept, never deleted

    OPEN_STATES = (Status.REVIEW, Status.RETURNED, Status.APPROVED, Status.IN_PRODUCTION, Status.DELIVERING,
                   Status.INSTALLING)
    # States in which the promised date still matters (late risk, ORD-2).
    UNDELIVERED_STATES = (Status.REVIEW, Status.RETURNED, Status.APPROVED, Status.IN_PRODUCTION, Status.DELIVERING)

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    customer = models.ForeignKey("org.Customer", on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer"))
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="orders",
                                   verbose_name=_("department"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_orders",
                              verbose_name=_("owner"))
    source_inquiry = models.OneToOneField("presales.Inquiry", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="order", verbose_name=_("from inquiry"))
    customer_reference = models.CharField(_("customer's order reference"), max_length=60, blank=True)
    needs = models.TextField(_("customer needs"), blank=True)
    promised_date = models.DateField(_("promised delivery date"), null=True, blank=True)
    installation_required = models.BooleanField(_("installation needed"), default=False)
    site_address = models.CharField(_("site address"), max_length=300, blank=True)
    site_contact = models.CharField(_("site contact"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REVIEW)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    # ORD-2: set once by the late-risk sweep when the promised date comes within the lead time.
    risk_flagged_at = models.DateTimeField(_("late risk flagged at"), null=True, blank=True)
    # ORD-4: acceptance (or delivery, without installation) makes a follow-up visit due: when and
    # why are facts of the order; the visit itself waits in the core queue (qsm.followup), which
    # the after-sales visit scheduler consumes. `orders` never imports `aftersales`.
    follow_up_due_at = models.DateTimeField(_("follow-up visit due from"), null=True, blank=True)
    follow_up_reason = models.CharField(_("follow-up reason"), max_length=20, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # earliest running clock (kept by the engine)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # ORD-2: progress told to the customer and the customer's questions (the core contact log).
    progress_notes = GenericRelation(ContactEntry, related_query_name="order")

    TRACKED_FIELDS = ("customer_reference", "needs", "promised_date", "installation_required", "site_address",
                      "site_contact")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="order_created_idx"),
            models.Index(fields=["department", "-created_at"], name="order_dept_created_idx"),
            models.Index(fields=["customer", "-created_at"], name="order_customer_created_idx"),
            models.Index(fields=["status", "-created_at"], name="order_status_created_idx"),
            models.Index(fields=["owner", "-created_at"], name="order_owner_created_idx"),
            # The search box (qsm.search, declared in orders.filters).
            search.grams_index("customer_reference", name="order_reference_grams"),
            models.Index(Upper("number"), name="order_number_upper_idx"),
            # Late-risk sweep and the "late" filter read only undelivered orders by promised date.
            models.Index(fields=["promised_date"], name="order_undelivered_promise_idx",
                         condition=Q(status__in=["review", "returned", "approved", "in_production", "delivering"])),
            # PERF-1 "my work": one index per branch of orders.selectors.order_waiting_on, led by the
            # branch's own column, in the inbox's order (deadline, promised date; NULL last).
            models.Index(fields=["owner", "due_at", "promised_date", "id"], name="order_inbox_owner_idx",
                         condition=WAITS_ON_OWNER),
            models.Index(fields=["department", "due_at", "promised_date", "id"], name="order_inbox_review_idx",
                         condition=Q(status="review")),
            models.Index(fields=["due_at", "promised_date", "id"], name="order_inbox_production_idx",
                         condition=Q(status="in_production")),
            models.Index(fields=["due_at", "promised_date", "id"], name="order_inbox_installing_idx",
                         condition=Q(status="installing")),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("orders:order-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES

    @property
    def visit_due(self) -> bool:
        """ORD-4: a follow-up visit waits in the queue, not planned yet. Lists and the record page
        annotate it in their query (``qsm.followup.selectors.with_follow_up``); otherwise one query."""
        if "visit_due_now" in self.__dict__:
            return bool(self.visit_due_now)
        if self.follow_up_due_at is None:
            return False
        from qsm.followup.selectors import follow_up_waiting

        return follow_up_waiting(self)

    def is_late(self, today) -> bool:
        return bool(self.promised_date and self.status in self.UNDELIVERED_STATES and self.promised_date < today)

    # One definition each for the page, the list filter (orders.selectors.*_q) and the API (ORD-2).

    @property
    def is_at_risk(self) -> bool:
        """The delivery clock's reminder flagged it and it is still undelivered (late ones stay flagged;
        the pages show "Late" in place of "At risk" when both hold)."""
        return bool(self.risk_flagged_at and self.status in self.UNDELIVERED_STATES)

    def is_review_overdue(self, now) -> bool:
        """In review past the review clock's deadline (``review_due_at`` from ``selectors.with_order_flags``)."""
        if self.status != self.Status.REVIEW:
            return False
        if not hasattr(self, "review_due_at"):
            from .selectors import with_order_flags

            self.review_due_at = with_order_flags(Order.objects.filter(pk=self.pk)).values_list(
                "review_due_at", flat=True).first()
        return self.review_due_at is not None and self.review_due_at < now

    @property
    def is_amendable(self) -> bool:
        """Its fields and lines may change (order_update): in review or returned for amendment."""
        return self.status in (self.Status.REVIEW, self.Status.RETURNED)

    @property
    def is_shippable_state(self) -> bool:
        """A state in which a shipment may be recorded (delivery_ship), if some quantity is left."""
        return self.status in (self.Status.APPROVED, self.Status.IN_PRODUCTION, self.Status.DELIVERING)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines", verbose_name=_("order"))
    product = models.ForeignKey("org.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2, null=True, blank=True)
    # Sum of delivered quantities, kept by the delivery service in the same transaction.
    delivered_quantity = models.DecimalField(_("delivered quantity"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(delivered_quantity__gte=0) & Q(delivered_quantity__lte=models.F("quantity")),
                                   name="order_line_no_over_delivery"),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"

    @property
    def outstanding(self) -> Decimal:
        return self.quantity - self.delivered_quantity


class ReviewRound(models.Model):
    """ORD-1: one review of the order against the checklist; every round is kept."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("In review")  # the reviewer is checking the items
        APPROVED = "approved", _("Approved")  # every item passed or waived with a reason
        RETURNED = "returned", _("Returned to customer")  # problems listed for the customer to amend

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="review_rounds", verbose_name=_("order"))
    number = models.PositiveSmallIntegerField(_("round"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("reviewer"))
    problems = models.TextField(_("problems for the customer"), blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="review_round_unique"),
            models.UniqueConstraint(fields=["order"], condition=Q(outcome="open"), name="review_round_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.order} #{self.number}"


class ChecklistItem(models.TextChoices):
    # ORD-1: what a reviewer checks on every order (§3.2(1) 订单信息准确无误)
    CUSTOMER = "customer", _("Customer data complete")
    ITEMS = "items", _("Items and quantities valid")
    PRICES = "prices", _("Prices within the allowed range")
    DELIVERY_DATE = "delivery_date", _("Delivery date feasible")
    INSTALLATION = "installation", _("Installation details present")


class ReviewFinding(models.Model):
    class Result(models.TextChoices):
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")
        WAIVED = "waived", _("Waived")  # accepted as is, with a reason

    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="findings",
                              verbose_name=_("review round"))
    item = models.CharField(_("checklist item"), max_length=20, choices=ChecklistItem.choices)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    note = models.TextField(_("note / reason"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("review finding")
        verbose_name_plural = _("review findings")
        constraints = [models.UniqueConstraint(fields=["round", "item"], name="review_finding_unique")]

    def __str__(self) -> str:
        return f"{self.get_item_display()}: {self.get_result_display()}"


class Delivery(models.Model):
    """ORD-2: one shipment (a partial delivery is a delivery of part of the lines)."""

    class Status(models.TextChoices):
        SHIPPED = "shipped", _("Shipped")  # left the factory / the service is being delivered
        DELIVERED = "delivered", _("Delivered")  # received and quality-checked as good
        REJECTED = "rejected", _("Rejected at receipt")  # failed the quality check; quantities do not count

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("order"))
    number = models.PositiveSmallIntegerField(_("delivery"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SHIPPED)
    shipped_at = models.DateTimeField(_("shipped at"))
    carrier = models.CharField(_("carrier / tracking"), max_length=120, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    quality_note = models.TextField(_("quality check"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))

    class Meta:
        ordering = ["number"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["order", "number"], name="delivery_number_unique")]
        indexes = [
            models.Index(fields=["-shipped_at", "-id"], name="delivery_shipped_idx"),
            search.grams_index("carrier", name="delivery_carrier_grams"),  # the search box (orders.filters)
        ]

    def __str__(self) -> str:
        return f"{self.order} / {self.number}"

    def get_absolute_url(self) -> str:
        return self.order.get_absolute_url() + f"#delivery-{self.number}"


class DeliveryLine(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="lines", verbose_name=_("delivery"))
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="delivery_lines",
                                   verbose_name=_("order line"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("delivery line")
        verbose_name_plural = _("delivery lines")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="delivery_line_quantity_positive")]

    def __str__(self) -> str:  # the admin's inline row title: not "DeliveryLine object (3)"
        return f"{self.delivery} · {self.order_line}"


class Installation(models.Model):
    """ORD-3: installation and commissioning on site, and the customer's acceptance (验收)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")  # engineers and date set
        ON_SITE = "on_site", _("On site")  # installation work under way
        COMMISSIONED = "commissioned", _("Commissioned")  # test record made; awaiting acceptance
        REWORK = "rework", _("Rework")  # the customer rejected it; fix, then commission again
        ACCEPTED = "accepted", _("Accepted")  # accepted, possibly with remarks

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="installation", verbose_name=_("order"))
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.SCHEDULED)
    scheduled_for = models.DateField(_("scheduled date"))
    engineers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="installations",
                                       verbose_name=_("engineers"))
    # When the latest commissioning round was recorded; each round is its own row (CommissioningRound).
    commissioned_at = models.DateTimeField(_("commissioned at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("installation")
        verbose_name_plural = _("installations")
        indexes = [
            models.Index(fields=["status", "scheduled_for"], name="installation_status_date_idx"),
            models.Index(fields=["-scheduled_for", "-id"], name="installation_scheduled_idx"),  # the list's order
        ]

    def __str__(self) -> str:
        return f"{self.order} · {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return self.order.get_absolute_url() + "#installation"

    # Changed through orders.services.installation_reschedule (engine.edit): on the timeline, old -> new.
    TRACKED_FIELDS = ("scheduled_for",)

    @property
    def latest_commissioning(self) -> CommissioningRound | None:
        """The round the customer is asked to accept (reads the prefetched rounds when there are)."""
        rounds = list(self.commissioning_rounds.all())
        return max(rounds, key=lambda r: r.number) if rounds else None


class CommissioningRound(models.Model):
    """ORD-3: one commissioning test on site. A rejected acceptance sends the installation to rework;
    commissioning again is a new round, and every round is kept (like the review rounds, ORD-1)."""

    installation = models.ForeignKey(Installation, on_delete=models.PROTECT, related_name="commissioning_rounds",
                                     verbose_name=_("installation"))
    number = models.PositiveSmallIntegerField(_("round"))
    site_work = models.TextField(_("work done on site"), blank=True)
    # [{"item": text, "ok": bool}], [{"name": text, "value": text, "unit": text}]
    checklist = models.JSONField(_("commissioning checklist"), default=list, blank=True)
    measurements = models.JSONField(_("measurements"), default=list, blank=True)
    notes = models.TextField(_("commissioning notes"), blank=True)
    # Null only for a round carried over from before rounds were kept, whose author is unknown.
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("recorded by"))
    commissioned_at = models.DateTimeField(_("commissioned at"))

    class Meta:
        ordering = ["number"]
        verbose_name = _("commissioning round")
        verbose_name_plural = _("commissioning rounds")
        constraints = [models.UniqueConstraint(fields=["installation", "number"], name="commissioning_round_unique")]

    def __str__(self) -> str:
        return f"{self.installation.order} #{self.number}"

    @property
    def all_passed(self) -> bool:
        return bool(self.checklist) and all(c.get("ok") for c in self.checklist)


class AcceptanceRound(models.Model):
    """ORD-3: one acceptance by the customer; a rejection sends the installation to rework."""

    class Result(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        ACCEPTED_WITH_REMARKS = "remarks", _("Accepted with remarks")
        REJECTED = "rejected", _("Rejected")

    installation = models.ForeignKey(Installation, on_delete=models.PROTECT, related_name="acceptance_rounds",
                                     verbose_name=_("installation"))
    number = models.PositiveSmallIntegerField(_("round"))
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    remarks = models.TextField(_("remarks / reasons"), blank=True)
    customer_feedback = models.TextField(_("customer feedback"), blank=True)
    customer_signatory = models.CharField(_("signed by (customer)"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        ordering = ["number"]
        verbose_name = _("acceptance round")
        verbose_name_plural = _("acceptance rounds")
        constraints = [models.UniqueConstraint(fields=["installation", "number"], name="acceptance_round_unique")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.number}: {self.get_result_display()}"


class ProductionStep(models.Model):
    """ORD-2, §3.2(2): a step of the order's production (or service preparation) as the production
    department reports it; kept, never edited."""

    class Stage(models.TextChoices):
        PLANNED = "planned", _("Scheduled for production")  # 已排产
        MATERIALS = "materials", _("Materials ready")  # 备料完成
        MACHINING = "machining", _("Parts machined")  # 零部件加工
        ASSEMBLY = "assembly", _("Assembly")  # 装配
        TESTING = "testing", _("Factory test")  # 出厂检验 / 调试
        READY = "ready", _("Ready to ship")  # 完工待发
        DELAYED = "delayed", _("Delay or problem")  # 延误 / 问题

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="production_steps", verbose_name=_("order"))
    stage = models.CharField(_("production step"), max_length=12, choices=Stage.choices)
    note = models.TextField(_("note"), blank=True)
    occurred_at = models.DateTimeField(_("when"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("production step")
        verbose_name_plural = _("production steps")
        indexes = [models.Index(fields=["order", "occurred_at"], name="production_step_order_idx")]

    def __str__(self) -> str:
        return f"{self.order} · {self.get_stage_display()}"
