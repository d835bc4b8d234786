"""PERF-1: an export job. An Excel file of any size is written by a Celery worker, not inside the
request; the person who asked follows its progress and downloads the file until it expires."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def export_path(instance: ExportJob, filename: str) -> str:
    # A random folder per file: never guessable, never served as a public media URL (the download
    # view checks the owner); the name offered to the browser is ``filename``.
    return f"exports/{uuid.uuid4().hex}/export.xlsx"


class ExportJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("export state", "Queued")  # created; waiting for a worker
        RUNNING = "running", pgettext_lazy("export state", "Running")  # a worker writes the file (rows_done moves)
        DONE = "done", pgettext_lazy("export state", "Ready")  # downloadable until expires_at
        FAILED = "failed", pgettext_lazy("export state", "Failed")  # nothing to download; ``error`` says why

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs",
                              verbose_name=_("requested by"))
    export = models.CharField(_("export"), max_length=100)  # a registered export (qsm.exports.registry)
    # The list's filters as a query string: the worker re-runs the same filtered, scoped selector.
    query = models.TextField(_("filters"), blank=True)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.XLSX)
    language = models.CharField(_("language"), max_length=10)  # the headers' and labels' language
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)  # known once running
    file = models.FileField(_("file"), upload_to=export_path, max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=200)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # After this the beat sweep deletes the file and the job.
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="export_owner_time_idx"),
            models.Index(fields=["expires_at"], name="export_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.export} #{self.pk} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("exports:job", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def percent(self) -> int:
        """Progress for the bar: 100 when done; never 100 while the file is still being written."""
        if self.state == self.State.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
