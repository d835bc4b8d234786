from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import ExportJob


class ExportJobSerializer(serializers.ModelSerializer):
    """An export job (PERF-1): poll ``url`` until ``state`` is ``done``, then fetch ``download_url``."""

    state_label = serializers.CharField(source="get_state_display", read_only=True)
    progress = serializers.IntegerField(source="percent", read_only=True,
                                        help_text="Per cent of the rows written (100 when the file is ready).")
    url = serializers.SerializerMethodField(help_text="This job (poll it).")
    download_url = serializers.SerializerMethodField(help_text="The file, once the job is done; null before.")

    class Meta:
        model = ExportJob
        fields = ["id", "export", "format", "state", "state_label", "rows_done", "rows_total", "progress",
                  "filename", "error", "created_at", "started_at", "finished_at", "expires_at", "url",
                  "download_url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_url(self, job) -> str:
        return reverse("api-export-job-detail", args=[job.pk])

    @extend_schema_field({"type": "string", "nullable": True})
    def get_download_url(self, job) -> str | None:
        if job.state != ExportJob.State.DONE:
            return None
        return reverse("api-export-job-download", args=[job.pk])
