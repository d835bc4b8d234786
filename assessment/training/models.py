"""QC-5 training (培训): plans per department and period with target hours and topics (§4(四)2),
sessions with trainer, time, place and linked standards, attendance and assessment scores.

A department's plan completion per member is the hours of held sessions attended over the plan's
target hours (training.selectors).
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qsm import search
from qsm.workflow.models import Attachment

from ..choices import MULTI_LINE, ONE_LINE
from ..choices import url_or_blank as _url

__all__ = ["Topic", "TrainingPlan", "TrainingSession", "Attendance"]


class Topic(models.TextChoices):
    # §4(四)2: 服务标准, 服务流程, 沟通技巧, 问题解决
    STANDARDS = "standards", _("Service standards")
    PROCESS = "process", _("Service process")
    COMMUNICATION = "communication", _("Communication skills")
    PROBLEM_SOLVING = "problem_solving", _("Problem solving")


class TrainingPlan(models.Model):
    """QC-5: a department's training plan (培训计划) for a period."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", pgettext_lazy("training plan status", "Active")
        CLOSED = "closed", _("Closed")

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200, validators=ONE_LINE)
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    target_hours = models.DecimalField(_("target hours per person"), max_digits=6, decimal_places=1,
                                       validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("2000"))])
    topics = ArrayField(models.CharField(max_length=20, choices=Topic.choices), verbose_name=_("topics"),
                        default=list, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    notes = models.TextField(_("notes"), blank=True, validators=MULTI_LINE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    TRACKED_FIELDS = ("title", "period_start", "period_end", "target_hours", "topics", "owner", "notes")

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        indexes = [
            models.Index(fields=["-period_start", "-id"], name="qc_tplan_period_idx"),
            models.Index(fields=["department", "-period_start", "-id"], name="qc_tplan_dept_idx"),
            models.Index(fields=["status", "-period_start", "-id"], name="qc_tplan_status_idx"),
            models.Index(Upper("number"), name="qc_tplan_number_upper_idx"),
            search.grams_index("number", "title", name="qc_tplan_search_grams"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="qc_tplan_period_order"),
            models.CheckConstraint(condition=Q(target_hours__gt=0), name="qc_tplan_target_positive"),
            models.CheckConstraint(condition=Q(topics__contained_by=list(Topic.values)), name="qc_tplan_known_topics"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return _url("assessment:training-plan-detail", self.pk)

    def topic_labels(self) -> list[str]:
        """Its topics as people read them (服务标准, 沟通技巧 …)."""
        labels = dict(Topic.choices)
        return [str(labels.get(code, code)) for code in self.topics]


class TrainingSession(models.Model):
    """QC-5: one training session (培训课程): trainer, time, place, linked standards, attendees."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    plan = models.ForeignKey(TrainingPlan, on_delete=models.PROTECT, related_name="sessions",
                             verbose_name=_("training plan"))
    title = models.CharField(_("title"), max_length=200, validators=ONE_LINE)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="trained_sessions", verbose_name=_("trainer"))
    trainer_name = models.CharField(_("external trainer"), max_length=100, blank=True, validators=ONE_LINE)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1,
                                validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("200"))])
    place = models.CharField(_("place"), max_length=200, blank=True, validators=ONE_LINE)
    standards = models.ManyToManyField("assessment.Standard", blank=True, related_name="training_sessions",
                                       verbose_name=_("standards"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    notes = models.TextField(_("notes"), blank=True, validators=MULTI_LINE)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True, validators=MULTI_LINE)
    # Denormalised from the plan: the session list filters and sorts by department without a join.
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    attachments = GenericRelation(Attachment, related_query_name="training_session")

    TRACKED_FIELDS = ("title", "topic", "trainer", "trainer_name", "starts_at", "ends_at", "hours", "place", "notes")

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        indexes = [
            models.Index(fields=["-starts_at", "-id"], name="qc_tsession_starts_idx"),
            models.Index(fields=["plan", "starts_at"], name="qc_tsession_plan_idx"),
            models.Index(fields=["department", "-starts_at", "-id"], name="qc_tsession_dept_idx"),
            models.Index(fields=["status", "-starts_at", "-id"], name="qc_tsession_status_idx"),
            models.Index(fields=["topic", "-starts_at", "-id"], name="qc_tsession_topic_idx"),
            models.Index(fields=["trainer", "-starts_at"], name="qc_tsession_trainer_idx"),
            models.Index(Upper("number"), name="qc_tsession_number_upper_idx"),
            search.grams_index("number", "title", "place", "trainer_name", name="qc_tsession_search_grams"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="qc_tsession_time_order"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="qc_tsession_hours_positive"),
            models.CheckConstraint(condition=Q(trainer__isnull=False) | ~Q(trainer_name=""),
                                   name="qc_tsession_has_trainer"),
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                                   name="qc_tsession_cancelled_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return _url("assessment:training-session-detail", self.pk)

    @property
    def trainer_display(self) -> str:
        if self.trainer_id:
            return self.trainer.get_full_name() or self.trainer.get_username()
        return self.trainer_name


class Attendance(models.Model):
    """QC-5: one person's attendance of a session and the assessment score (考核成绩)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendances",
                                verbose_name=_("session"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_attendances",
                               verbose_name=_("person"))
    attended = models.BooleanField(_("attended"), null=True, blank=True)  # None: not recorded yet
    score = models.DecimalField(_("assessment score"), max_digits=5, decimal_places=1, null=True, blank=True,
                                validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    comment = models.CharField(_("comment"), max_length=500, blank=True, validators=ONE_LINE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        ordering = ["session", "person_id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        indexes = [
            models.Index(fields=["person", "session"], name="qc_attendance_person_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="qc_attendance_unique"),
            models.CheckConstraint(condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                                   name="qc_attendance_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.session.number} · {self.person}"
