"""QC-2 inspections and spot checks (定期检查 / 不定期抽查).

A checklist is built from standards; each item is *process execution* (过程执行) or *standard
compliance* (标准符合). An inspection — scheduled from a recurring plan, or a random spot check —
samples records of one module, department and period (a reproducible draw: ``seed`` is stored,
``qsm.sampling.draw`` gives the same records for the same seed) and judges every item of every
sampled record. The inspection is the root of its samples and findings (services lock it first).
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qsm import search
from qsm.workflow.models import Attachment

from ..choices import MULTI_LINE, ONE_LINE, Module
from ..choices import url_or_blank as _url

__all__ = ["Checklist", "ChecklistItem", "InspectionPlan", "Inspection", "InspectedRecord", "Finding",
           "ItemKind", "MAX_SAMPLE_SIZE"]

MAX_SAMPLE_SIZE = 200


class ItemKind(models.TextChoices):
    # The two feed different KPIs (QC-4, next): 过程执行 and 标准符合.
    PROCESS = "process", _("Process execution")
    COMPLIANCE = "compliance", _("Standard compliance")


class Checklist(models.Model):
    """QC-2: a checklist (检查表) for one module, built from standards."""

    name = models.CharField(_("name"), max_length=200, validators=ONE_LINE)
    module = models.CharField(_("module"), max_length=20, choices=Module.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True, validators=MULTI_LINE)
    created_from = models.ManyToManyField("assessment.Standard", blank=True, related_name="checklists",
                                          verbose_name=_("built from standards"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    TRACKED_FIELDS = ("name", "module", "owner", "active", "description")

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        indexes = [
            models.Index(fields=["-updated_at", "-id"], name="qc_chk_updated_idx"),
            models.Index(fields=["module", "active", "-updated_at"], name="qc_chk_module_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return _url("assessment:checklist-detail", self.pk)


class ChecklistItem(models.Model):
    """QC-2: one item of a checklist, of kind process execution or standard compliance."""

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items",
                                  verbose_name=_("checklist"))
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("item"), max_length=500, validators=ONE_LINE)
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices)
    standard = models.ForeignKey("assessment.Standard", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="checklist_items", verbose_name=_("standard"))
    # The version the item was drawn from (the text of that version stays readable).
    standard_version = models.ForeignKey("assessment.StandardVersion", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+",
                                         verbose_name=_("standard version"))
    guidance = models.TextField(_("how to judge"), blank=True, validators=MULTI_LINE)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["checklist", "position", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(fields=["checklist", "position"], name="qc_chk_item_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"


class InspectionPlan(models.Model):
    """QC-2: a recurring scheduled-inspection plan (定期检查计划) per department and module (beat)."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    title = models.CharField(_("title"), max_length=200, validators=ONE_LINE)
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    module = models.CharField(_("module"), max_length=20, choices=Module.choices)
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="plans",
                                  verbose_name=_("checklist"))
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    sample_size = models.PositiveSmallIntegerField(
        _("sample size"), validators=[MinValueValidator(1), MaxValueValidator(MAX_SAMPLE_SIZE)])
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("inspector"))
    next_run_on = models.DateField(_("next run on"))
    last_run_on = models.DateField(_("last run on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    TRACKED_FIELDS = ("title", "department", "module", "checklist", "frequency", "sample_size", "inspector",
                      "next_run_on", "active")

    class Meta:
        ordering = ["next_run_on", "id"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        indexes = [
            models.Index(fields=["next_run_on", "id"], name="qc_iplan_due_idx", condition=Q(active=True)),
            models.Index(fields=["department", "next_run_on"], name="qc_iplan_dept_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(sample_size__gte=1) & Q(sample_size__lte=MAX_SAMPLE_SIZE),
                                   name="qc_iplan_sample_size_range"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return _url("assessment:inspection-plan-detail", self.pk)


class Inspection(models.Model):
    """QC-2: one inspection (检查): scheduled (定期检查) or a random spot check (不定期抽查)."""

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled inspection")
        SPOT = "spot", _("Random spot check")

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("inspection status", "Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATES = ("planned", "in_progress")

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    plan = models.ForeignKey(InspectionPlan, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="inspections", verbose_name=_("inspection plan"))
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("inspected department"))
    module = models.CharField(_("module"), max_length=20, choices=Module.choices)
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="inspections",
                                  verbose_name=_("checklist"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))  # inclusive
    sample_size = models.PositiveSmallIntegerField(
        _("sample size"), validators=[MinValueValidator(1), MaxValueValidator(MAX_SAMPLE_SIZE)])
    seed = models.BigIntegerField(_("random seed"))  # the same seed draws the same records
    recheck_only = models.BooleanField(_("only visits marked for re-check"), default=False)  # VIS-2
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="assigned_inspections", verbose_name=_("inspector"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    due_on = models.DateField(_("to be done by"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True, validators=ONE_LINE)
    summary = models.TextField(_("summary"), blank=True, validators=MULTI_LINE)
    pass_count = models.PositiveIntegerField(_("passed"), default=0)
    fail_count = models.PositiveIntegerField(_("failed"), default=0)
    na_count = models.PositiveIntegerField(_("not applicable"), default=0)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True, validators=MULTI_LINE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # earliest running clock (kept by the engine)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    attachments = GenericRelation(Attachment, related_query_name="inspection")

    TRACKED_FIELDS = ("inspector", "due_on", "title", "summary")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="qc_ins_created_idx"),
            models.Index(fields=["status", "-created_at", "-id"], name="qc_ins_status_idx"),
            models.Index(fields=["kind", "-created_at", "-id"], name="qc_ins_kind_idx"),
            models.Index(fields=["department", "-created_at", "-id"], name="qc_ins_dept_idx"),
            models.Index(fields=["module", "-created_at", "-id"], name="qc_ins_module_idx"),
            models.Index(fields=["inspector", "-created_at", "-id"], name="qc_ins_inspector_idx"),
            models.Index(fields=["period_start", "period_end"], name="qc_ins_period_idx"),
            models.Index(fields=["inspector", "due_at", "id"], name="qc_ins_inbox_idx",
                         condition=Q(status__in=("planned", "in_progress"))),
            models.Index(fields=["due_at"], name="qc_ins_open_due_idx", condition=Q(status__in=("planned", "in_progress"))),
            models.Index(Upper("number"), name="qc_ins_number_upper_idx"),
            search.grams_index("number", "title", "summary", name="qc_ins_search_grams"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["plan", "period_start"], condition=Q(plan__isnull=False),
                                    name="qc_ins_plan_period_unique"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="qc_ins_period_order"),
            models.CheckConstraint(condition=Q(sample_size__gte=1) & Q(sample_size__lte=MAX_SAMPLE_SIZE),
                                   name="qc_ins_sample_size_range"),
            models.CheckConstraint(condition=~Q(kind="scheduled") | Q(plan__isnull=False) | Q(status="cancelled"),
                                   name="qc_ins_scheduled_has_plan"),
            models.CheckConstraint(condition=~Q(status="completed") | Q(completed_at__isnull=False),
                                   name="qc_ins_completed_has_time"),
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                                   name="qc_ins_cancelled_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    def get_absolute_url(self) -> str:
        return _url("assessment:inspection-detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES


class InspectedRecord(models.Model):
    """QC-2: one sampled record of an inspection (the inspected inquiry, order, case, visit, complaint)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="samples",
                                   verbose_name=_("inspection"))
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("record type"))
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    # A snapshot: the list and the report read it without loading the records of five modules.
    number = models.CharField(_("number"), max_length=40)
    title = models.CharField(_("title"), max_length=300, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("department"))
    position = models.PositiveSmallIntegerField(_("position"))  # draw order

    class Meta:
        ordering = ["inspection", "position"]
        verbose_name = _("inspected record")
        verbose_name_plural = _("inspected records")
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="qc_sample_record_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "content_type", "object_id"], name="qc_sample_unique"),
            models.UniqueConstraint(fields=["inspection", "position"], name="qc_sample_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class Finding(models.Model):
    """QC-2: the judgement of one checklist item on one sampled record: pass / fail / not applicable."""

    class Result(models.TextChoices):
        PENDING = "pending", _("Not judged yet")
        PASS = "pass", _("Pass")  # 合格
        FAIL = "fail", _("Fail")  # 不合格
        NA = "na", _("Not applicable")  # 不适用

    sample = models.ForeignKey(InspectedRecord, on_delete=models.CASCADE, related_name="findings",
                               verbose_name=_("inspected record"))
    # Denormalised for the finding list (filters, keyset order) without joining the sample.
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings",
                                   verbose_name=_("inspection"))
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="findings",
                             verbose_name=_("checklist item"))
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.PENDING)
    comment = models.TextField(_("comment"), blank=True, validators=MULTI_LINE)
    judged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("judged by"))
    judged_at = models.DateTimeField(_("judged at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attachments = GenericRelation(Attachment, related_query_name="finding")  # the evidence

    class Meta:
        ordering = ["sample", "id"]  # created in the checklist's order
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [
            models.Index(fields=["-judged_at", "-id"], name="qc_finding_judged_idx"),
            models.Index(fields=["result", "-judged_at", "-id"], name="qc_finding_result_idx"),
            models.Index(fields=["kind", "-judged_at", "-id"], name="qc_finding_kind_idx"),
            models.Index(fields=["inspection", "result"], name="qc_finding_inspection_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["sample", "item"], name="qc_finding_unique"),
            models.CheckConstraint(condition=Q(result="pending") | Q(judged_at__isnull=False),
                                   name="qc_finding_judged_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.sample.number} · {self.item.text}"

    def get_absolute_url(self) -> str:
        return _url("assessment:finding-detail", self.pk)
