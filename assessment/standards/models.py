"""QC-1 service standards (服务标准与规范): a library of standards, each with numbered versions.

A revision goes draft → review → approved (the quality manager) → effective; the version it
replaces becomes superseded and stays readable and printable. The standard points at its
effective version (``current_version``) and carries that version's next review date for the list.
States change only through assessment/standards/workflows.py (WF-1).
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Upper
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from qsm import search
from qsm.workflow.models import Attachment

from ..choices import MULTI_LINE, ONE_LINE, Module
from ..choices import url_or_blank as _url

__all__ = ["SUMMARY_MAX", "TEXT_MAX", "Standard", "StandardVersion"]

TEXT_MAX = 20000  # a standard's own text (process, content, requirements) is a document
SUMMARY_MAX = 2000  # what changed in a revision: a summary, not a second document


class Standard(models.Model):
    """QC-1: one standard or specification (服务标准 / 服务规范)."""

    class Kind(models.TextChoices):
        PROCESS = "process", _("Service process")  # 服务流程
        CONTENT = "content", _("Service content")  # 服务内容
        QUALITY = "quality", _("Quality requirement")  # 质量要求

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200, validators=ONE_LINE)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The modules it applies to (the sampling registry's codes); the departments (none: every one).
    modules = ArrayField(models.CharField(max_length=20, choices=Module.choices), verbose_name=_("modules"),
                         default=list, blank=True)
    departments = models.ManyToManyField("org.Department", blank=True, related_name="standards",
                                         verbose_name=_("departments"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_standards",
                              verbose_name=_("owner"))
    # The effective version (None until the first one takes effect).
    current_version = models.ForeignKey("assessment.StandardVersion", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+",
                                        verbose_name=_("current version"))
    # The current version's next review date, kept here for the list's sort and filter.
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    retired = models.BooleanField(_("retired"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    attachments = GenericRelation(Attachment, related_query_name="standard")

    TRACKED_FIELDS = ("title", "kind", "modules", "owner", "retired")

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("service standard")
        verbose_name_plural = _("service standards")
        indexes = [
            models.Index(fields=["-updated_at", "-id"], name="qc_std_updated_idx"),
            models.Index(fields=["kind", "-updated_at", "-id"], name="qc_std_kind_idx"),
            models.Index(fields=["owner", "-updated_at", "-id"], name="qc_std_owner_idx"),
            models.Index(fields=["next_review_on", "id"], name="qc_std_review_idx"),
            models.Index(fields=["retired", "-updated_at", "-id"], name="qc_std_retired_idx"),
            GinIndex(fields=["modules"], name="qc_std_modules_gin"),  # modules__contains / __overlap
            models.Index(Upper("number"), name="qc_std_number_upper_idx"),
            search.grams_index("number", "title", name="qc_std_search_grams"),
        ]
        constraints = [
            # Only the sampling registry's module codes (a typo would apply a standard to nothing).
            models.CheckConstraint(condition=Q(modules__contained_by=list(Module.values)), name="qc_std_known_modules"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return _url("assessment:standard-detail", self.pk)

    def module_labels(self) -> list[str]:
        """The modules it applies to, as people read them (售后服务, 回访 …)."""
        labels = dict(Module.choices)
        return [str(labels.get(code, code)) for code in self.modules]


class StandardVersion(models.Model):
    """QC-1: one version of a standard: its text (process, content, quality requirement) and dates."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # 草稿
        REVIEW = "review", _("In review")  # 审核中
        APPROVED = "approved", _("Approved")  # 已批准, waiting for its effective date
        EFFECTIVE = "effective", _("Effective")  # 生效
        SUPERSEDED = "superseded", _("Superseded")  # 已被替代: still readable and printable
        WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回

    OPEN_STATES = ("draft", "review", "approved")

    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="versions",
                                 verbose_name=_("standard"))
    version = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("title"), max_length=200, validators=ONE_LINE)
    process = models.TextField(_("service process"), blank=True, validators=MULTI_LINE)
    content = models.TextField(_("service content"), blank=True, validators=MULTI_LINE)
    requirements = models.TextField(_("quality requirements"), blank=True, validators=MULTI_LINE)
    change_summary = models.TextField(_("summary of changes"), blank=True, max_length=SUMMARY_MAX,
                                      validators=[*MULTI_LINE, MaxLengthValidator(SUMMARY_MAX)])
    effective_on = models.DateField(_("effective from"), null=True, blank=True)
    review_on = models.DateField(_("next review on"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    effective_at = models.DateTimeField(_("took effect at"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True, validators=MULTI_LINE)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # earliest running clock (kept by the engine)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    attachments = GenericRelation(Attachment, related_query_name="standard_version")

    TRACKED_FIELDS = ("title", "process", "content", "requirements", "change_summary", "effective_on", "review_on")

    class Meta:
        ordering = ["standard", "-version"]
        verbose_name = _("standard version")
        verbose_name_plural = _("standard versions")
        indexes = [
            models.Index(fields=["status", "-updated_at", "-id"], name="qc_stdv_status_idx"),
            models.Index(fields=["author", "-updated_at"], name="qc_stdv_author_idx"),
            # "My work": versions awaiting approval; approved ones waiting for their date (beat).
            models.Index(fields=["due_at", "id"], name="qc_stdv_review_due_idx", condition=Q(status="review")),
            models.Index(fields=["effective_on", "id"], name="qc_stdv_approved_idx", condition=Q(status="approved")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["standard", "version"], name="qc_stdv_version_unique"),
            models.UniqueConstraint(fields=["standard"], condition=Q(status="effective"),
                                    name="qc_stdv_one_effective"),
            models.UniqueConstraint(fields=["standard"], condition=Q(status__in=("draft", "review", "approved")),
                                    name="qc_stdv_one_open"),
            models.CheckConstraint(condition=Q(version__gte=1), name="qc_stdv_version_positive"),
            models.CheckConstraint(condition=Q(review_on__isnull=True) | Q(effective_on__isnull=True)
                                   | Q(review_on__gt=models.F("effective_on")), name="qc_stdv_review_after_effective"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("change_summary"), SUMMARY_MAX),
                                   name="qc_stdv_change_summary_length"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return _url("assessment:standard-version-detail", self.pk)

    @property
    def number(self) -> str:
        return f"{self.standard.number} v{self.version}"
