"""The export job's page (a progress bar polled with htmx; no inline script, CSP) and its download.
Only the person who asked sees either: another person's job is a 404."""
from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from .formats import XLSX_CONTENT_TYPE
from .models import ExportJob
from .selectors import export_job_get

POLL_SECONDS = 1


class ExportJobView(LoginRequiredMixin, View):
    """The job's state; while it runs the progress part asks again every second (htmx) and, when
    the file is ready, shows the download link in its place."""

    def get(self, request, pk: int):
        job = export_job_get(user=request.user, pk=pk)
        context = {"job": job, "poll_seconds": POLL_SECONDS}
        if getattr(request, "htmx", False):
            return render(request, "qsm/_export_job_progress.html", context)
        return render(request, "qsm/export_job.html", context)


class ExportDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        job = export_job_get(user=request.user, pk=pk)
        return export_job_file_response(job)


def export_job_file_response(job: ExportJob) -> FileResponse:
    """The job's file as a download; a job not ready, or expired, has none (404)."""
    if job.state != ExportJob.State.DONE or not job.file or job.expires_at <= timezone.now():
        raise Http404(_("This export has no file to download."))
    try:
        handle = job.file.open("rb")
    except OSError:  # deleted by the sweep a moment ago
        raise Http404(_("This export has no file to download.")) from None
    return FileResponse(handle, as_attachment=True, filename=job.filename, content_type=XLSX_CONTENT_TYPE)
