"""§3.1 pre-sales consultation: inquiries, needs analysis, discussions, solutions, hand-over."""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qsm import search
from qsm.contacts.models import Channel, ContactEntry
from qsm.discussions.models import Discussion, DiscussionNote, Solution

__all__ = ["Channel", "Discussion", "DiscussionNote", "Inquiry", "Priority", "Solution"]


class NoDiscussion(Discussion.DoesNotExist, AttributeError):
    """``inquiry.discussion`` before one is opened: like a missing reverse one-to-one, it is both a
    ``DoesNotExist`` and an ``AttributeError`` (so ``getattr(inquiry, "discussion", None)`` is None)."""


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


# INBOX-1: the states in which an inquiry waits on its owner (to answer, analyse, discuss) and on the
# department it was handed to (to acknowledge, follow up). presales.selectors.inquiry_waiting_on and
# the partial indexes of its branches read the same names, so the planner can match the two.
WAITS_ON_OWNER = ("new", "answered", "discussion")
WAITS_ON_HANDOVER_DEPARTMENT = ("handed_over", "acknowledged")


class Inquiry(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("Awaiting first response")  # logged; the first-response clock runs
        ANSWERED = "answered", _("Answered")  # the customer got a first answer; needs may be analysed
        DISCUSSION = "discussion", _("In discussion")  # complex: a cross-department discussion is open (PRE-3)
        HANDED_OVER = "handed_over", _("Handed over")  # waiting for the business department to acknowledge
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")  # the business department owns the follow-up
        CONVERTED = "converted", _("Converted to order")  # an order was created from it (orders app)
        CLOSED = "closed", _("Closed")  # answered, nothing further to do
        CANCELLED = "cancelled", _("Withdrawn")  # logged by mistake or withdrawn by the customer

    OPEN_STATES = (Status.NEW, Status.ANSWERED, Status.DISCUSSION, Status.HANDED_OVER, Status.ACKNOWLEDGED)

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    customer = models.ForeignKey("org.Customer", on_delete=models.PROTECT, related_name="inquiries", verbose_name=_("customer"))
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    question = models.TextField(_("question"))
    products = models.ManyToManyField("org.Product", blank=True, related_name="inquiries", verbose_name=_("products of interest"))
    answer = models.TextField(_("answer given"), blank=True)
    needs_analysis = models.TextField(_("needs analysis"), blank=True)
    recommendation = models.TextField(_("recommended products / service plan"), blank=True)
    recommended_products = models.ManyToManyField(
        "org.Product", blank=True, related_name="recommended_in", verbose_name=_("recommended products")
    )
    is_complex = models.BooleanField(_("complex need"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="inquiries", verbose_name=_("department")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_inquiries", verbose_name=_("owner")
    )
    handover_department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="received_inquiries",
        verbose_name=_("handed over to"),
    )
    handover_note = models.TextField(_("hand-over note"), blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("acknowledged by"),
    )
    received_at = models.DateTimeField(_("received at"))
    responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The deadline of the stage the inquiry is in now (mirrors the open sla.Deadline), for lists.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # PRE-4: the communication log with the customer (the core contact log, qsm.contacts).
    communications = GenericRelation(ContactEntry, related_query_name="inquiry")
    # PRE-3: the cross-department discussion, its notes and versioned solutions (the core, qsm.discussions).
    discussions = GenericRelation(Discussion, related_query_name="inquiry")

    TRACKED_FIELDS = (
        "channel", "priority", "customer", "contact_name", "contact_phone", "subject", "question", "answer",
        "needs_analysis", "recommendation", "is_complex",
    )

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-received_at", "-id"]
        indexes = [
            # The list's default order, alone and within a department's scope.
            models.Index(fields=["-received_at", "-id"], name="inq_received_idx"),
            models.Index(fields=["department", "-received_at", "-id"], name="inq_dept_received_idx"),
            models.Index(fields=["handover_department", "-received_at"], name="inq_handover_received_idx"),
            models.Index(fields=["status", "-received_at"], name="inq_status_received_idx"),
            models.Index(fields=["owner", "-received_at"], name="inq_owner_received_idx"),
            models.Index(fields=["customer", "-received_at"], name="inq_customer_received_idx"),
            models.Index(fields=["channel", "-received_at"], name="inq_channel_received_idx"),
            # The search box (qsm.search, declared in presales.filters): text by its grams, number exactly.
            search.grams_index("subject", "contact_name", "contact_phone", name="inq_search_grams"),
            models.Index(Upper("number"), name="inq_number_upper_idx"),
            # Open records by deadline: the overdue filter and "my work" read only these rows.
            models.Index(
                fields=["due_at"], name="inq_open_due_idx",
                condition=Q(status__in=["new", "answered", "discussion", "handed_over", "acknowledged"]),
            ),
            # PERF-1 "my work": one index per branch, led by the branch's own column, in the inbox's
            # order (deadline, then received, NULL deadlines last): each branch reads its first rows.
            models.Index(fields=["owner", "due_at", "received_at", "id"], name="inq_inbox_owner_idx",
                         condition=Q(status__in=WAITS_ON_OWNER)),
            models.Index(fields=["handover_department", "due_at", "received_at", "id"], name="inq_inbox_handover_idx",
                         condition=Q(status__in=WAITS_ON_HANDOVER_DEPARTMENT)),
            models.Index(fields=["due_at", "received_at", "id"], name="inq_inbox_discussion_idx",
                         condition=Q(status="discussion")),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("presales:inquiry-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES

    @property
    def discussion(self) -> Discussion:
        """The inquiry's discussion (PRE-3); raises ``Discussion.DoesNotExist`` before one is opened."""
        from qsm.discussions.selectors import discussion_of

        found = discussion_of(self)
        if found is None:
            raise NoDiscussion("The inquiry has no discussion.")
        return found

    @property
    def solutions(self):
        """The tailored solution's versions, newest first (a queryset; prefetched with the discussion)."""
        from qsm.discussions.selectors import solutions_of

        return solutions_of(self)
