"""QC-3 rectification notices (整改通知).

A failed finding, a manual decision or (next) a failing assessment issues a notice to the
responsible department with a deadline. The department proposes a rectification plan (cause and
measures, each with an owner and a date); its manager approves or rejects it; the department
reports completion with evidence; the quality department verifies and closes, or reopens it.
The notice is the root: plan decisions, completion and verification lock it first.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qsm import search
from qsm.workflow.models import Attachment

from ..choices import MULTI_LINE, ONE_LINE
from ..choices import url_or_blank as _url

__all__ = ["Notice", "RectificationPlan", "RectificationMeasure", "NOTICE_OPEN_STATES"]

NOTICE_OPEN_STATES = ("issued", "rectifying", "reported")


class Notice(models.Model):
    """QC-3: a rectification notice (整改通知) to a responsible department."""

    class Source(models.TextChoices):
        FINDING = "finding", _("Failed inspection item")
        MANUAL = "manual", _("Manual decision")
        ASSESSMENT = "assessment", _("Failing assessment")

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")  # 已下发: waiting for an approved plan
        RECTIFYING = "rectifying", _("Rectifying")  # 整改中: the plan is approved
        REPORTED = "reported", _("Completion reported")  # 已报告完成: waiting for verification
        CLOSED = "closed", _("Closed")  # 已验证关闭
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATES = NOTICE_OPEN_STATES

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("responsible department"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.MANUAL)
    finding = models.ForeignKey("assessment.Finding", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="notices", verbose_name=_("finding"))
    inspection = models.ForeignKey("assessment.Inspection", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="notices", verbose_name=_("inspection"))
    # The inspected record (an inquiry, order, case, visit or complaint), when there is one.
    content_type = models.ForeignKey("contenttypes.ContentType", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("record type"))
    object_id = models.PositiveBigIntegerField(_("record id"), null=True, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    record_number = models.CharField(_("record"), max_length=40, blank=True)  # snapshot for the list
    title = models.CharField(_("title"), max_length=200, validators=ONE_LINE)
    requirement = models.TextField(_("what must be rectified"), validators=MULTI_LINE)
    deadline = models.DateField(_("deadline"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued at"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ISSUED)
    round = models.PositiveSmallIntegerField(_("round"), default=1)  # +1 on each reopening
    completion_note = models.TextField(_("what was done"), blank=True, validators=MULTI_LINE)
    completed_at = models.DateTimeField(_("completion reported at"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("completion reported by"))
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("verified by"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_note = models.TextField(_("verification"), blank=True, validators=MULTI_LINE)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True, validators=MULTI_LINE)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True, validators=MULTI_LINE)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # earliest running clock (kept by the engine)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    attachments = GenericRelation(Attachment, related_query_name="rectification_notice")  # completion evidence

    TRACKED_FIELDS = ("title", "requirement", "deadline")

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")
        indexes = [
            models.Index(fields=["-issued_at", "-id"], name="qc_notice_issued_idx"),
            models.Index(fields=["status", "-issued_at", "-id"], name="qc_notice_status_idx"),
            models.Index(fields=["department", "-issued_at", "-id"], name="qc_notice_dept_idx"),
            models.Index(fields=["source", "-issued_at", "-id"], name="qc_notice_source_idx"),
            models.Index(fields=["deadline", "id"], name="qc_notice_open_deadline_idx",
                         condition=Q(status__in=NOTICE_OPEN_STATES)),
            models.Index(fields=["due_at"], name="qc_notice_open_due_idx", condition=Q(status__in=NOTICE_OPEN_STATES)),
            models.Index(fields=["department", "due_at", "id"], name="qc_notice_inbox_idx",
                         condition=Q(status__in=("issued", "rectifying"))),
            models.Index(fields=["due_at", "id"], name="qc_notice_reported_idx", condition=Q(status="reported")),
            models.Index(fields=["content_type", "object_id"], name="qc_notice_record_idx"),
            models.Index(fields=["finding"], name="qc_notice_finding_idx"),
            models.Index(fields=["inspection"], name="qc_notice_inspection_idx"),
            models.Index(Upper("number"), name="qc_notice_number_upper_idx"),
            search.grams_index("number", "title", "record_number", name="qc_notice_search_grams"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(round__gte=1), name="qc_notice_round_positive"),
            models.CheckConstraint(condition=~Q(source="finding") | Q(finding__isnull=False),
                                   name="qc_notice_finding_source"),
            models.CheckConstraint(condition=~Q(status="closed") | Q(closed_at__isnull=False, verified_at__isnull=False),
                                   name="qc_notice_closed_verified"),
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                                   name="qc_notice_cancelled_has_reason"),
            models.CheckConstraint(condition=Q(content_type__isnull=True, object_id__isnull=True)
                                   | Q(content_type__isnull=False, object_id__isnull=False),
                                   name="qc_notice_record_pair"),
            # One open notice per failed finding.
            models.UniqueConstraint(fields=["finding"], condition=Q(status__in=NOTICE_OPEN_STATES),
                                    name="qc_notice_one_open_per_finding"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return _url("assessment:notice-detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES

    def current_plan(self):
        return self.plans.order_by("-version").first()


class RectificationPlan(models.Model):
    """QC-3: a rectification plan (整改方案), versioned: a rejected plan is revised as the next version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", pgettext_lazy("plan status", "Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    LIVE_STATES = ("draft", "submitted", "approved")

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="plans", verbose_name=_("notice"))
    version = models.PositiveSmallIntegerField(_("version"))
    round = models.PositiveSmallIntegerField(_("round"), default=1)  # the notice's round it answers
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    cause = models.TextField(_("cause"), validators=MULTI_LINE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("drawn up by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reject_reason = models.TextField(_("reason for rejection"), blank=True, validators=MULTI_LINE)
    # Denormalised from the notice for "my work" (plans awaiting my approval, per department).
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # the approval clock (kept by the engine)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    TRACKED_FIELDS = ("cause",)

    class Meta:
        ordering = ["notice", "version"]
        verbose_name = _("rectification plan")
        verbose_name_plural = _("rectification plans")
        indexes = [
            models.Index(fields=["department", "due_at", "id"], name="qc_rplan_submitted_idx",
                         condition=Q(status="submitted")),
            models.Index(fields=["status", "-created_at", "-id"], name="qc_rplan_status_idx"),
            models.Index(fields=["department", "-created_at", "-id"], name="qc_rplan_dept_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["notice", "version"], name="qc_rplan_version_unique"),
            models.UniqueConstraint(fields=["notice"], condition=Q(status__in=("draft", "submitted")),
                                    name="qc_rplan_one_pending"),
            models.CheckConstraint(condition=Q(version__gte=1), name="qc_rplan_version_positive"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(reject_reason=""),
                                   name="qc_rplan_rejected_has_reason"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return _url("assessment:rectification-plan-detail", self.pk)

    @property
    def number(self) -> str:
        return f"{self.notice.number} v{self.version}"


class RectificationMeasure(models.Model):
    """QC-3: one measure of a plan (整改措施): what, who (a member of the department), by when."""

    plan = models.ForeignKey(RectificationPlan, on_delete=models.CASCADE, related_name="measures",
                             verbose_name=_("plan"))
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.TextField(_("measure"), validators=MULTI_LINE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="rectification_measures", verbose_name=_("person responsible"))
    due_on = models.DateField(_("deadline"))
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = _("rectification measure")
        verbose_name_plural = _("rectification measures")
        indexes = [
            models.Index(fields=["owner", "due_on"], name="qc_rmeasure_owner_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="qc_rmeasure_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.number} #{self.position}"
