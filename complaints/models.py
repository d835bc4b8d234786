"""§5 customer complaints (客户投诉处理): intake with a promised reply time (CMP-1), investigation with
a structured root cause and responsibility (CMP-2), versioned handling plans approved by a manager
with their measures (CMP-3), the customer's answer that gates closing (CMP-4), the case report and
the preventive measures (CMP-5).

The complaint is the root: every write to a plan, measure, answer, report or preventive measure
locks the complaint first (complaints.services; REL-1). States change only through the tables of
complaints/workflows.py (WF-1).
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Upper
from django.db.models.lookups import LessThanOrEqual
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qsm import search
from qsm.contacts.models import Channel as ContactChannel
from qsm.contacts.models import ContactEntry
from qsm.discussions.models import Discussion
from qsm.parsing import has_control_chars, has_lone_surrogate
from qsm.workflow.models import Attachment

__all__ = ["Complaint", "HandlingPlan", "Measure", "CustomerAnswer", "CaseReport", "PreventiveMeasure",
           "MAX_WHYS", "WHY_MAX_LENGTH", "validate_whys"]

MAX_WHYS = 5  # CMP-2: the why-chain asks "why?" up to five times
WHY_MAX_LENGTH = 500


def _url(name: str, pk: int) -> str:
    # The pages come with the other parts of the module; until they exist a record links nowhere.
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def validate_whys(value) -> None:
    """CMP-2: the why-chain is a list of at most five short texts, no control characters."""
    if not isinstance(value, list):
        raise ValidationError(_("The why-chain is a list of answers."), code="invalid")
    if len(value) > MAX_WHYS:
        raise ValidationError(_("Ask “why?” at most %(max)d times.") % {"max": MAX_WHYS}, code="too_many")
    for why in value:
        if not isinstance(why, str):
            raise ValidationError(_("Each answer of the why-chain is a text."), code="invalid")
        if len(why) > WHY_MAX_LENGTH:
            raise ValidationError(_("Each answer of the why-chain has at most %(max)d characters.")
                                  % {"max": WHY_MAX_LENGTH}, code="too_long")
        if has_control_chars(why, multiline=False) or has_lone_surrogate(why):
            raise ValidationError(_("The why-chain contains characters that are not text."), code="control_chars")


# CMP-1 / SEARCH-1: the states in which a complaint is still being handled.
OPEN_STATES = ("received", "investigating", "planning", "executing", "confirming")
# "My work" and the overdue filter read only these rows (partial indexes below).
LIVE_PLAN_STATES = ("draft", "submitted", "approved")


class Complaint(models.Model):
    """CMP-1..5: one customer complaint (客户投诉), from intake to closing."""

    class Status(models.TextChoices):
        # 已受理: the reply clock runs; the quality department assigns the investigator
        RECEIVED = "received", pgettext_lazy("complaint status", "Received")
        INVESTIGATING = "investigating", _("Investigating")  # 调查: facts, evidence, root cause, responsibility
        PLANNING = "planning", _("Handling plan")  # 处理方案: a plan is drafted, submitted, approved
        EXECUTING = "executing", _("Executing measures")  # 整改措施 being carried out
        CONFIRMING = "confirming", _("Customer confirmation")  # 客户确认: waiting for the customer's answer
        CLOSED = "closed", _("Closed")  # the customer is satisfied
        CLOSED_UNRESOLVED = "closed_unresolved", _("Closed unresolved")  # by a management decision
        CANCELLED = "cancelled", _("Cancelled")  # a duplicate, or not a complaint

    class Severity(models.TextChoices):
        GENERAL = "general", _("General")
        SERIOUS = "serious", _("Serious")
        CRITICAL = "critical", _("Critical")

    class Channel(models.TextChoices):
        # §5(一)1: every channel a complaint arrives by; the first five are the contact log's own.
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        CHAT = "chat", _("Online chat")
        VISIT = "visit", _("Visit")
        WEB = "web", _("Website")
        LETTER = "letter", _("Letter")
        OTHER = "other", _("Other")

    OPEN_STATES = OPEN_STATES
    CLOSED_STATES = (Status.CLOSED, Status.CLOSED_UNRESOLVED)

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.GENERAL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    customer = models.ForeignKey("org.Customer", on_delete=models.PROTECT, related_name="complaints",
                                 verbose_name=_("customer"))
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="complaints", verbose_name=_("order"))
    product = models.ForeignKey("org.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("product"))
    # CMP-1: "open a complaint from this visit / this after-sales case" (facts carried over).
    source_visit = models.ForeignKey("aftersales.Visit", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="complaints", verbose_name=_("from visit"))
    source_case = models.ForeignKey("aftersales.Case", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="complaints", verbose_name=_("from after-sales case"))
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    customer_demand = models.TextField(_("customer's demand"), blank=True)  # 诉求
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("received by"))
    receiving_department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+",
                                             verbose_name=_("receiving department"))
    investigator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="investigated_complaints", verbose_name=_("investigator"))
    # §5(一)2: the reply time promised to the customer at intake (the reply clock's due, working time).
    promised_reply_at = models.DateTimeField(_("promised reply by"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reply = models.TextField(_("reply to customer"), blank=True)
    # CMP-2 investigation
    facts = models.TextField(_("facts"), blank=True)
    cause = models.ForeignKey("aftersales.CauseCategory", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="complaints", verbose_name=_("cause"))
    whys = models.JSONField(_("why-chain"), default=list, blank=True, validators=[validate_whys])
    root_cause = models.TextField(_("root cause"), blank=True)
    responsible_department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT,
                                               related_name="+", verbose_name=_("responsible department"))
    responsible_person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+",
                                           verbose_name=_("responsible person"))
    investigated_at = models.DateTimeField(_("investigated at"), null=True, blank=True)
    # CMP-4 rounds: the confirmation round (1, 2, ...) and the current plan version (0: none yet).
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    plan_version = models.PositiveSmallIntegerField(_("plan version"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_satisfied = models.BooleanField(_("customer satisfied"), null=True, blank=True)
    close_decision_reason = models.TextField(_("reason for closing unresolved"), blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("closed by"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # earliest running clock (kept by the engine)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The contact log (acknowledgement, progress reports, the reply) and the investigation discussion.
    communications = GenericRelation(ContactEntry, related_query_name="complaint")
    discussions = GenericRelation(Discussion, related_query_name="complaint")
    attachments = GenericRelation(Attachment, related_query_name="complaint")

    TRACKED_FIELDS = ("channel", "severity", "customer", "contact_name", "contact_phone", "order", "product",
                      "subject", "description", "customer_demand", "investigator", "reply", "facts", "cause",
                      "whys", "root_cause", "responsible_department", "responsible_person")

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="cmp_received_idx"),
            models.Index(fields=["status", "-received_at"], name="cmp_status_received_idx"),
            models.Index(fields=["severity", "-received_at"], name="cmp_severity_received_idx"),
            models.Index(fields=["cause", "-received_at"], name="cmp_cause_received_idx"),
            models.Index(fields=["responsible_department", "-received_at", "-id"], name="cmp_resp_dept_received_idx"),
            models.Index(fields=["receiving_department", "-received_at", "-id"], name="cmp_recv_dept_received_idx"),
            models.Index(fields=["customer", "-received_at"], name="cmp_customer_received_idx"),
            models.Index(fields=["order", "-received_at"], name="cmp_order_received_idx"),
            models.Index(fields=["product", "-received_at"], name="cmp_product_received_idx"),
            models.Index(fields=["channel", "-received_at"], name="cmp_channel_received_idx"),
            models.Index(fields=["investigator", "-received_at"], name="cmp_investigator_received_idx"),
            models.Index(fields=["received_by", "-received_at"], name="cmp_receiver_received_idx"),
            models.Index(fields=["responsible_person", "-received_at"], name="cmp_resp_person_received_idx"),
            models.Index(fields=["round", "-received_at"], name="cmp_round_received_idx", condition=Q(round__gt=1)),
            models.Index(fields=["source_visit"], name="cmp_source_visit_idx"),
            models.Index(fields=["source_case"], name="cmp_source_case_idx"),
            models.Index(Upper("number"), name="cmp_number_upper_idx"),
            search.grams_index("subject", "description", "contact_name", "contact_phone", name="cmp_search_grams"),
            # Open complaints by deadline: the overdue filter and "my work" read only these rows.
            models.Index(fields=["due_at"], name="cmp_open_due_idx", condition=Q(status__in=OPEN_STATES)),
            models.Index(fields=["investigator", "due_at", "received_at", "id"], name="cmp_inbox_investigator_idx",
                         condition=Q(status__in=("investigating", "planning", "confirming"))),
            models.Index(fields=["due_at", "received_at", "id"], name="cmp_inbox_received_idx",
                         condition=Q(status="received")),
            # "My work" (complaints.inbox): the reply the receiver still owes (migration 0005_h5).
            models.Index(fields=["received_by", "due_at", "received_at", "id"], name="cmp_inbox_reply_idx",
                         condition=Q(replied_at__isnull=True, status__in=("received", "investigating", "planning"))),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(round__gte=1), name="cmp_round_positive"),
            models.CheckConstraint(condition=~Q(status__in=("closed", "closed_unresolved")) | Q(closed_at__isnull=False),
                                   name="cmp_closed_has_time"),
            models.CheckConstraint(condition=~Q(status="closed_unresolved") | ~Q(close_decision_reason=""),
                                   name="cmp_unresolved_has_reason"),
            models.CheckConstraint(condition=Q(replied_at__isnull=True) | ~Q(reply=""), name="cmp_replied_has_reply"),
            # CMP-2: the why-chain is an array of at most five answers (a scalar or object is refused too).
            models.CheckConstraint(condition=LessThanOrEqual(
                Func(F("whys"), function="jsonb_array_length", output_field=models.IntegerField()), MAX_WHYS),
                name="cmp_whys_at_most_five"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return _url("complaints:complaint-detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES

    @property
    def contact_channel(self) -> str:
        """The contact log's channel for this complaint's channel (a letter or the website: other)."""
        return self.channel if self.channel in ContactChannel.values else ContactChannel.OTHER

    def current_plan(self):
        """The plan of the current version (None before the first one)."""
        if not self.plan_version:
            return None
        return self.plans.filter(version=self.plan_version).first()


class HandlingPlan(models.Model):
    """CMP-3: a handling plan (处理方案), versioned: a rejected plan or an unsatisfied customer makes
    the next version; every version is kept."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", pgettext_lazy("plan status", "Rejected")
        DONE = "done", _("Measures done")
        CANCELLED = "cancelled", _("Cancelled")
        SUPERSEDED = "superseded", _("Superseded")  # the customer was not satisfied with its outcome

    LIVE_STATES = LIVE_PLAN_STATES

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="plans",
                                  verbose_name=_("complaint"))
    version = models.PositiveSmallIntegerField(_("version"))
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    summary = models.TextField(_("approach"))
    customer_objections = models.TextField(_("customer's objections"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("drawn up by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # the approval clock (kept by the engine)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    TRACKED_FIELDS = ("summary", "customer_objections")

    class Meta:
        ordering = ["complaint", "version"]
        verbose_name = _("handling plan")
        verbose_name_plural = _("handling plans")
        indexes = [
            # "My work": plans awaiting approval, due first.
            models.Index(fields=["due_at", "id"], name="cmp_plan_submitted_idx", condition=Q(status="submitted")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "version"], name="cmp_plan_version_unique"),
            # One plan at a time is being worked on (drafted, decided, carried out).
            models.UniqueConstraint(fields=["complaint"], condition=Q(status__in=LIVE_PLAN_STATES),
                                    name="cmp_plan_one_live"),
            models.CheckConstraint(condition=Q(version__gte=1), name="cmp_plan_version_positive"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(decision_reason=""),
                                   name="cmp_plan_rejected_has_reason"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        url = self.complaint.get_absolute_url()
        return url + f"#plan-{self.version}" if url else ""

    @property
    def number(self) -> str:
        return f"{self.complaint.number} v{self.version}"


class Measure(models.Model):
    """CMP-3: one measure of a plan (整改措施): a person responsible, a deadline, done with evidence."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("measure status", "Planned")  # its plan is not approved yet
        OPEN = "open", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    plan = models.ForeignKey(HandlingPlan, on_delete=models.PROTECT, related_name="measures", verbose_name=_("plan"))
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.TextField(_("measure"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaint_measures",
                              verbose_name=_("person responsible"))
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    due_date = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("done by"))
    done_note = models.TextField(_("what was done"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # its date clock (kept by the engine)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attachments = GenericRelation(Attachment, related_query_name="complaint_measure")

    TRACKED_FIELDS = ("description", "owner", "department", "due_date")

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        indexes = [
            models.Index(fields=["due_date", "id"], name="cmp_measure_due_idx"),
            models.Index(fields=["status", "due_date"], name="cmp_measure_status_due_idx"),
            models.Index(fields=["department", "due_date"], name="cmp_measure_dept_due_idx"),
            # "My work" and the overdue filter: open measures by deadline, per owner.
            models.Index(fields=["owner", "due_at", "id"], name="cmp_measure_inbox_idx", condition=Q(status="open")),
            models.Index(fields=["due_at"], name="cmp_measure_open_due_idx", condition=Q(status="open")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="cmp_measure_position_unique"),
            models.CheckConstraint(condition=~Q(status="done") | (Q(done_at__isnull=False) & ~Q(done_note="")),
                                   name="cmp_measure_done_has_note"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        url = self.plan.complaint.get_absolute_url()
        return url + f"#measure-{self.pk}" if url else ""

    @property
    def number(self) -> str:
        return f"{self.plan.complaint.number} v{self.plan.version} #{self.position}"


class CustomerAnswer(models.Model):
    """CMP-4: the customer's answer of one confirmation round: satisfied or not, with objections."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone")  # recorded by the caller
        LINK = "link", _("Customer link")  # given by the customer through a signed link

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="answers",
                                  verbose_name=_("complaint"))
    round = models.PositiveSmallIntegerField(_("round"))
    plan = models.ForeignKey(HandlingPlan, on_delete=models.PROTECT, related_name="answers", verbose_name=_("plan"))
    method = models.CharField(_("how answered"), max_length=10, choices=Method.choices)
    satisfied = models.BooleanField(_("satisfied"))
    objections = models.TextField(_("objections"), blank=True)
    answered_at = models.DateTimeField(_("answered at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("recorded by"))
    link = models.ForeignKey("links.SignedLink", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("link"))
    ip = models.GenericIPAddressField(_("answered from IP"), null=True, blank=True)
    user_agent = models.CharField(_("answered with browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["complaint", "round"]
        verbose_name = _("customer answer")
        verbose_name_plural = _("customer answers")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "round"], name="cmp_answer_one_per_round"),
            models.CheckConstraint(condition=Q(satisfied=True) | ~Q(objections=""),
                                   name="cmp_answer_unsatisfied_has_objections"),
            models.CheckConstraint(condition=~Q(method="phone") | Q(recorded_by__isnull=False),
                                   name="cmp_answer_phone_has_recorder"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint.number} · {self.round}"


class CaseReport(models.Model):
    """CMP-5: the case report of a closed complaint (案例报告), printable as a PDF."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FINAL = "final", _("Final")

    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="case_report",
                                     verbose_name=_("complaint"))
    summary = models.TextField(_("summary"))
    cause_text = models.TextField(_("cause"), blank=True)
    responsibility_text = models.TextField(_("responsibility"), blank=True)
    measures_text = models.TextField(_("measures"), blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("written by"))
    written_at = models.DateTimeField(_("written at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    TRACKED_FIELDS = ("summary", "cause_text", "responsibility_text", "measures_text", "lessons_learned")

    class Meta:
        verbose_name = _("case report")
        verbose_name_plural = _("case reports")

    def __str__(self) -> str:
        return self.complaint.number

    def get_absolute_url(self) -> str:
        url = self.complaint.get_absolute_url()
        return url + "#report" if url else ""


class PreventiveMeasure(models.Model):
    """CMP-5: a preventive measure (预防措施) tracked to completion with an owner and a deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="preventive_measures",
                                  verbose_name=_("complaint"))
    description = models.TextField(_("preventive measure"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="complaint_preventive_measures", verbose_name=_("owner"))
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    due_date = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("done by"))
    done_note = models.TextField(_("what was done"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # its date clock (kept by the engine)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attachments = GenericRelation(Attachment, related_query_name="complaint_preventive_measure")

    TRACKED_FIELDS = ("description", "owner", "department", "due_date")

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("preventive measure")
        verbose_name_plural = _("preventive measures")
        indexes = [
            models.Index(fields=["complaint", "due_date"], name="cmp_prev_complaint_idx"),
            models.Index(fields=["owner", "due_at", "id"], name="cmp_prev_inbox_idx", condition=Q(status="open")),
            models.Index(fields=["due_at"], name="cmp_prev_open_due_idx", condition=Q(status="open")),
            # SEARCH-1 (h4): the preventive-measure list's keyset order (due date, id; read backwards)
            # alone and under its filters: department, owner, status (overdue = open and past due).
            models.Index(fields=["due_date", "id"], name="cmp_prev_list_idx"),
            models.Index(fields=["department", "due_date", "id"], name="cmp_prev_list_dept_idx"),
            models.Index(fields=["owner", "due_date", "id"], name="cmp_prev_list_owner_idx"),
            models.Index(fields=["status", "due_date", "id"], name="cmp_prev_list_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(status="done") | (Q(done_at__isnull=False) & ~Q(done_note="")),
                                   name="cmp_prev_done_has_note"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        url = self.complaint.get_absolute_url()
        return url + f"#preventive-{self.pk}" if url else ""

    @property
    def number(self) -> str:
        return f"{self.complaint.number} P{self.pk}"
