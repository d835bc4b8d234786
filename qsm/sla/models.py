"""SLA-1 working calendar and policies; SLA-2 deadlines with their reminder levels."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


# The office hours a new calendar starts with. Callables, not fixed times: Django's check (fields.W161)
# warns about a fixed time default whenever it runs within ten seconds of that time of day, so
# `check --deploy --fail-level WARNING` failed at 18:00:00 (the CI caught it once).
def default_work_start() -> dt.time:
    return dt.time(9, 0)


def default_lunch_start() -> dt.time:
    return dt.time(12, 0)


def default_lunch_end() -> dt.time:
    return dt.time(13, 0)


def default_work_end() -> dt.time:
    return dt.time(18, 0)


class WorkCalendar(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    is_default = models.BooleanField(_("default calendar"), default=False)
    work_start = models.TimeField(_("work starts"), default=default_work_start)
    lunch_start = models.TimeField(_("lunch starts"), null=True, blank=True, default=default_lunch_start)
    lunch_end = models.TimeField(_("lunch ends"), null=True, blank=True, default=default_lunch_end)
    work_end = models.TimeField(_("work ends"), default=default_work_end)
    # ISO weekdays that are normally worked, e.g. "12345" for Monday to Friday.
    weekdays = models.CharField(_("working weekdays"), max_length=7, default="12345")

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_calendar"),
            models.CheckConstraint(condition=Q(work_end__gt=models.F("work_start")), name="calendar_day_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class CalendarDay(models.Model):
    """An exception to the weekly pattern: a public holiday, or a make-up workday (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday (no work)")
        WORKDAY = "workday", _("Make-up workday (work)")

    class Source(models.TextChoices):
        """Where the day comes from (SLA-1): an estimate is replaced by a reload, a hand entry never."""

        OFFICIAL = "official", _("Official notice")  # the State Council's notice, as the package has it
        ESTIMATE = "estimate", _("Estimate")  # the package's rule-based guess: no make-up workdays
        MANUAL = "manual", _("Entered by hand")  # typed by an administrator; no load overwrites it

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="days", verbose_name=_("calendar"))
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class SlaPolicy(models.Model):
    """How much working time a stage may take. The most specific active match wins."""

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    name = models.CharField(_("name"), max_length=100)
    record_type = models.CharField(_("record type"), max_length=60, help_text=_("app_label.model, e.g. presales.inquiry"))
    stage = models.CharField(_("stage"), max_length=40, help_text=_("e.g. first_response, handover_ack"))
    channel = models.CharField(_("channel"), max_length=20, blank=True, help_text=_("Empty: any channel"))
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, blank=True)
    # A kind of record the stage is timed differently for (an after-sales case's type: product
    # quality cases get tighter deadlines). Matched like channel and priority: blank = any.
    category = models.CharField(_("category"), max_length=30, blank=True, help_text=_("Empty: any category"))
    working_minutes = models.PositiveIntegerField(_("allowed working minutes"))
    remind_at_percent = models.PositiveSmallIntegerField(_("remind at (percent of allowed time)"), default=75)
    calendar = models.ForeignKey(WorkCalendar, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("calendar"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["record_type", "stage", "channel", "priority", "category"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "stage", "channel", "priority", "category"],
                condition=Q(is_active=True),
                name="sla_policy_unique_active",
            ),
            models.CheckConstraint(
                condition=Q(remind_at_percent__gte=1, remind_at_percent__lte=99), name="sla_remind_percent_range"
            ),
            models.CheckConstraint(condition=Q(working_minutes__gt=0), name="sla_minutes_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Deadline(models.Model):
    """One stage's clock on one record. Reminder levels are claimed by conditional updates."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")  # the clock is ticking
        PAUSED = "paused", _("Paused")  # waiting for the customer (SLA-1)
        MET = "met", _("Met on time")  # the stage was done by its due time (KPIs count these)
        LATE = "late", _("Completed late")  # the stage was done, after its due time
        CANCELLED = "cancelled", _("Cancelled")  # the record left the stage some other way

    class Source(models.TextChoices):
        POLICY = "policy", _("SLA policy")  # allowed working time from an SlaPolicy
        DATE = "date", _("Date agreed")  # a date a person chose: a promised delivery date, a measure's deadline

    OPEN_STATES = (State.RUNNING, State.PAUSED)
    DONE_STATES = (State.MET, State.LATE)

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.BigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    stage = models.CharField(_("stage"), max_length=40)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.POLICY)
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("SLA policy"))
    # A date-sourced clock is due at the end of the working day of ``due_date``; its reminder comes
    # ``lead_days`` working days earlier, at the start of that working day.
    due_date = models.DateField(_("date agreed"), null=True, blank=True)
    lead_days = models.PositiveSmallIntegerField(_("remind working days before"), null=True, blank=True)
    calendar = models.ForeignKey(WorkCalendar, on_delete=models.PROTECT, verbose_name=_("calendar"))
    title = models.CharField(_("title"), max_length=200)
    url = models.CharField(_("link"), max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="deadlines",
        verbose_name=_("owner"),
    )
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("department"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField(_("started"))
    allowed_minutes = models.PositiveIntegerField(_("allowed working minutes"))
    remind_at = models.DateTimeField(_("reminder due"))
    due_at = models.DateTimeField(_("due"))
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    # Working minutes spent paused in earlier pauses: due = started + allowed + paused (SLA-1).
    paused_minutes = models.FloatField(_("working minutes paused"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # Each level is claimed exactly once by `UPDATE ... WHERE <level>_at IS NULL` (SLA-2).
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("marked overdue at"), null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            models.Index(fields=["content_type", "object_id", "stage"], name="deadline_record_idx"),
            # The sweep reads only open, unclaimed levels: partial indexes keep that cheap forever.
            models.Index(
                fields=["remind_at"], name="deadline_remind_open_idx", condition=Q(state="running", reminded_at__isnull=True)
            ),
            models.Index(
                fields=["due_at"], name="deadline_due_open_idx", condition=Q(state="running", overdue_at__isnull=True)
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "stage"],
                condition=Q(state__in=["running", "paused"]),
                name="deadline_one_open_per_stage",
            )
        ]

    def __str__(self) -> str:
        from .labels import stage_label

        return f"{self.title} · {stage_label(self.stage)}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES
