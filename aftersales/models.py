"""§3.3 after-sales service: feedback cases with diagnosis and resolution (AFS-1, AFS-2), the
special-solution plan of a complex case, and the follow-up visits with their questionnaires
(VIS-1, VIS-2)."""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from qsm import search
from qsm.contacts.models import Channel, ContactEntry
from qsm.discussions.models import Discussion
from qsm.sla.models import SlaPolicy

__all__ = ["CauseCategory", "RoutingRule", "Case", "SpecialPlan", "PlanStep", "Questionnaire",
           "QuestionnaireVersion", "Question", "VisitRule", "Visit", "VisitAnswer", "PhoneAttempt", "Channel"]

Severity = SlaPolicy.Priority  # a case's severity picks its SLA policies (low/normal/high/urgent)


def _url(name: str, pk: int) -> str:
    # The pages come with the next steps of the module; until then a record links nowhere.
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


class CauseCategory(models.Model):
    """AFS-2: the managed cause taxonomy (原因分类), two levels; shared with complaints."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("parent cause"))
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("cause category")
        verbose_name_plural = _("cause categories")

    def __str__(self) -> str:
        if self.parent_id:
            return f"{self.parent.name} / {self.name}"
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.parent_id:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": _("A cause cannot be its own parent.")})
            if self.parent.parent_id:
                raise ValidationError({"parent": _("Causes have two levels only: choose a top-level cause as parent.")})
            if self.pk and CauseCategory.objects.filter(parent_id=self.pk).exists():
                raise ValidationError({"parent": _("A cause with sub-causes must stay at the top level.")})


class RoutingRule(models.Model):
    """AFS-1: which department (and default owner) a new case goes to; the most specific active
    rule wins (aftersales.routing.route). Blank criteria match anything."""

    product_line = models.CharField(_("product line"), max_length=100, blank=True, help_text=_("Empty: any"))
    case_type = models.CharField(_("case type"), max_length=20, blank=True, help_text=_("Empty: any"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True,
                                help_text=_("Empty: any"))
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    default_owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("default owner"))
    position = models.PositiveSmallIntegerField(_("position"), default=100, help_text=_("Lower first"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        any_ = str(_("Any"))
        parts = [self.product_line or any_,
                 str(dict(Case.Type.choices).get(self.case_type, self.case_type)) if self.case_type else any_,
                 self.get_severity_display() if self.severity else any_]
        return f"{' / '.join(parts)} → {self.department}"


# INBOX-1: the states in which a case waits on its owner.
WAITS_ON_OWNER = ("new", "in_progress", "special")


class Case(models.Model):
    """AFS-1/AFS-2: one piece of customer feedback (售后服务单), from intake to resolution."""

    class Status(models.TextChoices):
        NEW = "new", _("Awaiting response")  # logged and routed; the reply clock runs
        IN_PROGRESS = "in_progress", _("In progress")  # being diagnosed and solved
        SPECIAL = "special", _("Special solution")  # complex: the special-solution flow runs
        WAITING_CUSTOMER = "waiting_customer", _("Waiting for customer")  # the clocks stand still
        RESOLVED = "resolved", _("Resolved")  # solved; the follow-up visit is due
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")  # logged by mistake or withdrawn

    class Type(models.TextChoices):
        PRODUCT_QUALITY = "product_quality", _("Product quality")
        SERVICE = "service", _("Service")
        OTHER = "other", _("Other")

    Severity = Severity

    OPEN_STATES = (Status.NEW, Status.IN_PROGRESS, Status.SPECIAL, Status.WAITING_CUSTOMER)

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    case_type = models.CharField(_("case type"), max_length=20, choices=Type.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    customer = models.ForeignKey("org.Customer", on_delete=models.PROTECT, related_name="aftersales_cases",
                                 verbose_name=_("customer"))
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="aftersales_cases", verbose_name=_("order"))
    delivery = models.ForeignKey("orders.Delivery", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="aftersales_cases", verbose_name=_("delivery"))
    product = models.ForeignKey("org.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("product"))
    is_complex = models.BooleanField(_("complex problem"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="aftersales_cases",
                                   verbose_name=_("department"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_cases",
                              verbose_name=_("owner"))
    diagnosis = models.TextField(_("diagnosis"), blank=True)
    cause = models.ForeignKey(CauseCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="cases",
                              verbose_name=_("cause"))
    cause_detail = models.TextField(_("cause details"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    reply = models.TextField(_("reply to customer"), blank=True)
    received_at = models.DateTimeField(_("received at"))
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    last_reopened_at = models.DateTimeField(_("last reopened at"), null=True, blank=True)
    # VIS-1: a low score on this visit opened the case.
    source_visit = models.ForeignKey("aftersales.Visit", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="opened_cases", verbose_name=_("from visit"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # earliest running clock (kept by the engine)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # AFS-2: progress told to the customer (the core contact log) and the special-solution discussion.
    communications = GenericRelation(ContactEntry, related_query_name="aftersales_case")
    discussions = GenericRelation(Discussion, related_query_name="aftersales_case")

    TRACKED_FIELDS = ("channel", "case_type", "severity", "customer", "contact_name", "contact_phone", "subject",
                      "description", "order", "delivery", "product", "diagnosis", "cause", "cause_detail",
                      "solution", "reply", "department", "owner")

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("after-sales case")
        verbose_name_plural = _("after-sales cases")
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="case_received_idx"),
            models.Index(fields=["department", "-received_at", "-id"], name="case_dept_received_idx"),
            models.Index(fields=["status", "-received_at"], name="case_status_received_idx"),
            models.Index(fields=["owner", "-received_at"], name="case_owner_received_idx"),
            models.Index(fields=["customer", "-received_at"], name="case_customer_received_idx"),
            models.Index(fields=["case_type", "-received_at"], name="case_type_received_idx"),
            models.Index(fields=["severity", "-received_at"], name="case_severity_received_idx"),
            models.Index(fields=["cause", "-received_at"], name="case_cause_received_idx"),
            models.Index(fields=["order"], name="case_order_idx"),
            # SEARCH-1: the list's other filters, each read in the list's order (issue 9, h2).
            models.Index(fields=["channel", "-received_at"], name="case_channel_received_idx"),
            models.Index(fields=["product", "-received_at"], name="case_product_received_idx"),
            models.Index(fields=["-received_at", "-id"], name="case_reopened_received_idx",
                         condition=Q(reopen_count__gt=0)),
            models.Index(fields=["-received_at", "-id"], name="case_complex_received_idx",
                         condition=Q(is_complex=True)),
            models.Index(Upper("number"), name="case_number_upper_idx"),
            # The search box (qsm.search): subject, description and the contact by their grams.
            search.grams_index("subject", "description", "contact_name", "contact_phone", name="case_search_grams"),
            # Open cases by deadline: the overdue filter and "my work" read only these rows.
            models.Index(fields=["due_at"], name="case_open_due_idx",
                         condition=Q(status__in=["new", "in_progress", "special", "waiting_customer"])),
            models.Index(fields=["owner", "due_at", "received_at", "id"], name="case_inbox_owner_idx",
                         condition=Q(status__in=WAITS_ON_OWNER)),
            # PERF-1 "my work" (aftersales.inbox.case_waiting_on): the department's new cases, and the
            # special-solution cases probed for the user's open plan step or invitation, due first.
            models.Index(fields=["department", "due_at", "received_at", "id"], name="case_inbox_dept_new_idx",
                         condition=Q(status="new")),
            models.Index(fields=["due_at", "received_at", "id"], name="case_inbox_special_idx",
                         condition=Q(status="special")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(reopen_count__gte=0), name="case_reopen_count_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return _url("aftersales:case-detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES


class SpecialPlan(models.Model):
    """AFS-2: the special solution plan of a complex case (专项解决方案); one per case, revised by edits."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="plan", verbose_name=_("case"))
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("solution plan"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)

    TRACKED_FIELDS = ("title", "content")

    class Meta:
        verbose_name = _("special solution plan")
        verbose_name_plural = _("special solution plans")

    def __str__(self) -> str:
        return f"{self.case.number} · {self.title}"

    def get_absolute_url(self) -> str:
        url = self.case.get_absolute_url()
        return url + "#plan" if url else ""

    @property
    def number(self) -> str:
        return self.case.number


class PlanStep(models.Model):
    """One step of a special plan: an owner and a date each, tracked to done."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")  # its plan was cancelled: its clock stops

    plan = models.ForeignKey(SpecialPlan, on_delete=models.PROTECT, related_name="steps", verbose_name=_("plan"))
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.TextField(_("description"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="plan_steps", verbose_name=_("owner"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("done by"))
    done_note = models.TextField(_("what was done"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # its date clock (kept by the engine)

    TRACKED_FIELDS = ("description", "owner", "due_date")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")
        constraints = [models.UniqueConstraint(fields=["plan", "position"], name="plan_step_position_unique")]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        url = self.plan.case.get_absolute_url()
        return url + f"#step-{self.position}" if url else ""

    @property
    def number(self) -> str:
        """How people name a step: its case's number and its position (deadline titles start with it)."""
        return f"{self.plan.case.number} #{self.position}"


class Questionnaire(models.Model):
    """VIS-1: a survey (问卷), versioned; a visit keeps the version it was asked with."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    reason = models.CharField(_("follow-up reason"), max_length=30, blank=True,
                              help_text=_("The follow-up reason it is used for; empty: any"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.name

    def current_version(self):
        """The newest published version (None before one is published)."""
        return self.versions.filter(published_at__isnull=False).order_by("-version").first()


class QuestionnaireVersion(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="versions",
                                      verbose_name=_("questionnaire"))
    version = models.PositiveSmallIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["questionnaire", "-version"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [models.UniqueConstraint(fields=["questionnaire", "version"], name="questionnaire_version_unique")]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        """Asked in a visit already: its questions no longer change (edits make a new version)."""
        return self.pk is not None and self.visits.exists()


class Question(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", _("Rating 1–5")
        CHOICE = "choice", _("Single choice")
        TEXT = "text", _("Free text")

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="questions",
                                verbose_name=_("questionnaire version"))
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SCALE)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="question_position_unique")]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        super().clean()
        if self.kind == self.Kind.CHOICE:
            if not isinstance(self.choices, list) or len([c for c in self.choices if str(c).strip()]) < 2:
                raise ValidationError({"choices": _("A single-choice question needs at least two choices.")})


class VisitRule(models.Model):
    """VIS-1: when the visit of a follow-up reason is due, and which questionnaire it asks."""

    reason = models.CharField(_("follow-up reason"), max_length=30, unique=True)
    due_days = models.PositiveSmallIntegerField(_("due after working days"), default=3)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="rules",
                                      verbose_name=_("questionnaire"))
    link_ttl_days = models.PositiveSmallIntegerField(_("survey link valid for days"), default=14)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["reason"]
        verbose_name = _("visit rule")
        verbose_name_plural = _("visit rules")
        constraints = [models.CheckConstraint(condition=Q(link_ttl_days__gte=1), name="visit_rule_link_ttl_positive")]

    def __str__(self) -> str:
        from qsm.followup.reasons import reason_label

        return reason_label(self.reason)


# Open visits: planned or waiting for the customer's answers.
VISIT_OPEN_STATES = ("planned", "link_sent")


class Visit(models.Model):
    """VIS-1/VIS-2: a follow-up visit (回访) of an order, case or complaint."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("To visit")
        LINK_SENT = "link_sent", _("Survey sent")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone")
        LINK = "link", _("Survey link")

    class Recheck(models.TextChoices):
        NONE = "", _("Not marked")
        REQUESTED = "requested", _("Re-check requested")
        CONFIRMED = "confirmed", _("Re-check confirmed")
        DISCREPANCY = "discrepancy", _("Re-check found a discrepancy")

    OPEN_STATES = (Status.PLANNED, Status.LINK_SENT)

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    # The queue row it was planned from: one visit per row, held by the database (null: a manual visit).
    follow_up = models.OneToOneField("followup.FollowUp", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="visit", verbose_name=_("follow-up"))
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.BigIntegerField(_("record id"))
    subject = GenericForeignKey("content_type", "object_id")
    reason = models.CharField(_("reason"), max_length=30)
    customer = models.ForeignKey("org.Customer", on_delete=models.PROTECT, related_name="visits",
                                 verbose_name=_("customer"))
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="visits",
                                   verbose_name=_("department"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="owned_visits", verbose_name=_("owner"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, blank=True)
    planned_for = models.DateField(_("planned for"))
    questionnaire_version = models.ForeignKey(QuestionnaireVersion, null=True, blank=True, on_delete=models.PROTECT,
                                              related_name="visits", verbose_name=_("questionnaire version"))
    satisfaction = models.PositiveSmallIntegerField(_("overall satisfaction"), null=True, blank=True)
    comments = models.TextField(_("comments"), blank=True)
    suggestions = models.TextField(_("suggestions"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # VIS-2: who recorded it (null: the customer answered through the link).
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("done by"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    call_seconds = models.PositiveIntegerField(_("call duration (seconds)"), null=True, blank=True)
    phone_attempts = models.PositiveSmallIntegerField(_("phone attempts"), default=0)
    link = models.ForeignKey("links.SignedLink", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("survey link"))
    answer_ip = models.GenericIPAddressField(_("answered from IP"), null=True, blank=True)
    answer_user_agent = models.CharField(_("answered with browser"), max_length=300, blank=True)
    recheck_status = models.CharField(_("re-check"), max_length=12, choices=Recheck.choices, blank=True, default="")
    recheck_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="+", verbose_name=_("re-check requested by"))
    recheck_requested_at = models.DateTimeField(_("re-check requested at"), null=True, blank=True)
    recheck_note = models.TextField(_("re-check note"), blank=True)
    rechecked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("re-checked by"))
    rechecked_at = models.DateTimeField(_("re-checked at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # its date clock (kept by the engine)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The contact log of the visit (calls made, messages sent).
    communications = GenericRelation(ContactEntry, related_query_name="aftersales_visit")

    TRACKED_FIELDS = ("owner", "planned_for", "comments", "suggestions")

    class Meta:
        ordering = ["-planned_for", "-id"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        indexes = [
            models.Index(fields=["-planned_for", "-id"], name="visit_planned_idx"),
            models.Index(fields=["department", "-planned_for", "-id"], name="visit_dept_planned_idx"),
            models.Index(fields=["status", "-planned_for"], name="visit_status_planned_idx"),
            # QC-2 spot checks (aftersales.sampling): the visits a department did in a period.
            models.Index(fields=["department", "done_at"], name="visit_dept_done_idx"),
            models.Index(fields=["owner", "-planned_for"], name="visit_owner_planned_idx"),
            models.Index(fields=["customer", "-planned_for"], name="visit_customer_planned_idx"),
            models.Index(fields=["satisfaction"], name="visit_satisfaction_idx"),
            models.Index(fields=["content_type", "object_id"], name="visit_subject_idx"),
            models.Index(Upper("number"), name="visit_number_upper_idx"),
            models.Index(fields=["recheck_status"], name="visit_recheck_idx", condition=~Q(recheck_status="")),
            # SEARCH-1: the search box's comments and suggestions (aftersales.visit_filters).
            search.grams_index("comments", "suggestions", name="visit_search_grams"),
            # Open visits by deadline: the reminders, the overdue filter and "my work" read only these.
            models.Index(fields=["due_at"], name="visit_open_due_idx", condition=Q(status__in=VISIT_OPEN_STATES)),
            models.Index(fields=["owner", "due_at", "planned_for", "id"], name="visit_inbox_owner_idx",
                         condition=Q(status__in=VISIT_OPEN_STATES)),
            # PERF-1 "my work" (aftersales.inbox.visit_waiting_on): the open visits nobody owns, for the
            # department's visit owner, due first.
            models.Index(fields=["department", "due_at", "planned_for", "id"], name="visit_inbox_unassigned_idx",
                         condition=Q(status__in=VISIT_OPEN_STATES, owner__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                                   name="visit_satisfaction_1_to_5"),
            models.CheckConstraint(condition=Q(status="done", done_at__isnull=False) | ~Q(status="done"),
                                   name="visit_done_has_time"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return _url("aftersales:visit-detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES


class VisitAnswer(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="answers", verbose_name=_("visit"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("question"))
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    choice = models.CharField(_("choice"), max_length=100, blank=True)
    text = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["question__position", "id"]
        verbose_name = _("visit answer")
        verbose_name_plural = _("visit answers")
        constraints = [
            models.UniqueConstraint(fields=["visit", "question"], name="visit_answer_unique"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                                   name="visit_answer_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.visit} · {self.question}"


class PhoneAttempt(models.Model):
    """VIS-1: a call that was tried (电话回访尝试); three failures may switch the visit to the link."""

    class Outcome(models.TextChoices):
        NO_ANSWER = "no_answer", _("No answer")
        BUSY = "busy", _("Busy")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        REFUSED = "refused", _("Refused")
        REACHED = "reached", _("Reached")

    FAILED = (Outcome.NO_ANSWER, Outcome.BUSY, Outcome.WRONG_NUMBER, Outcome.REFUSED)

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("visit"))
    attempted_at = models.DateTimeField(_("attempted at"))
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))

    class Meta:
        ordering = ["attempted_at", "id"]
        verbose_name = _("phone attempt")
        verbose_name_plural = _("phone attempts")

    def __str__(self) -> str:
        return f"{self.visit} · {self.get_outcome_display()}"
