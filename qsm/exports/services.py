"""PERF-1 export jobs: create one for a person's filtered list, run it in a worker as that person,
sweep expired files.

The worker re-runs the export's registered selector for the job's owner (their visibility scope,
checked again when the job runs: an account deactivated meanwhile gets nothing) with the stored
filters, and writes the workbook row by row (openpyxl write-only) to a temporary file that goes to
the default storage under a random folder when complete. Progress is written every
``PROGRESS_EVERY`` rows in a statement of its own, so the progress page sees it while the job runs.
"""
from __future__ import annotations

import logging
import os
import tempfile
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.errors import ValidationError

from .formats import MAX_XLSX_ROWS, write_xlsx
from .models import ExportJob
from .registry import export_spec

log = logging.getLogger(__name__)

# How long a file stays downloadable (then the beat sweep deletes it and its job).
EXPORT_TTL = timedelta(hours=getattr(settings, "QSM_EXPORT_TTL_HOURS", 24))
MAX_ACTIVE_JOBS = 3  # per person: more waits until one finishes (a double click reuses the same job)
PROGRESS_EVERY = 2000  # rows between two progress writes
# The task's time limits (qsm.exports.tasks): a million rows take a few minutes on two cores.
SOFT_TIME_LIMIT, TIME_LIMIT = 1800, 1860
QUEUED_STALE = timedelta(hours=1)  # no worker took it: the person is told, and may ask again
RUNNING_STALE = timedelta(seconds=TIME_LIMIT + 600)  # its worker died with it


def export_job_create(*, owner, export: str, query: QueryDict, fmt: str = ExportJob.Format.XLSX) -> ExportJob:
    """A job that writes ``owner``'s export ``export`` with the filters of ``query``; the filters
    are validated now (a ValidationError, answered 400) and the task is sent after commit. The same
    request again while its job is queued or running returns that job."""
    spec = export_spec(export)
    spec.filtered(user=owner, query=query)  # validates the filters; runs no query
    stored = spec.stored_query(query)
    language = translation.get_language() or settings.LANGUAGE_CODE
    with transaction.atomic():
        # The owner is the root record: two clicks at once create one job, and the limit holds.
        get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
        active = ExportJob.objects.filter(owner=owner, state__in=ExportJob.ACTIVE_STATES)
        same = active.filter(export=spec.name, query=stored, format=fmt, language=language).first()
        if same is not None:
            return same
        if active.count() >= MAX_ACTIVE_JOBS:
            raise ValidationError(
                _("%(count)s of your exports are still being written; wait until one is ready.")
                % {"count": MAX_ACTIVE_JOBS}, code="too_many_exports")
        job = ExportJob.objects.create(
            owner=owner, export=spec.name, query=stored, format=fmt, language=language,
            filename=f"{spec.filename}-{timezone.localdate():%Y%m%d}.{fmt}", expires_at=timezone.now() + EXPORT_TTL)
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from .tasks import run_export_job

    try:
        run_export_job.delay(job_id)
    except Exception:  # the broker is down: say so now rather than leave the page waiting
        log.warning("could not enqueue export job %s", job_id, exc_info=True)
        ExportJob.objects.filter(pk=job_id, state=ExportJob.State.QUEUED).update(
            state=ExportJob.State.FAILED, finished_at=timezone.now(),
            error=_("The export could not be started. Please try again later."))


class _Refused(Exception):
    """The job cannot run; the message is for the person."""


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Run a queued job (a job already taken, finished or deleted is left alone): claim it, write
    the file as its owner, then mark it ready and tell the owner, or mark it failed."""
    claimed = ExportJob.objects.filter(pk=job_id, state=ExportJob.State.QUEUED).update(
        state=ExportJob.State.RUNNING, started_at=timezone.now())
    job = ExportJob.objects.select_related("owner").filter(pk=job_id).first()
    if not claimed or job is None:
        return job
    try:
        with translation.override(job.language):
            _write(job)
    except Exception as exc:  # noqa: BLE001 - any failure (the soft time limit too) fails the job, not the worker
        if isinstance(exc, _Refused):
            error = str(exc)
        else:
            log.exception("export job %s failed", job_id)
            with translation.override(job.language):
                error = _("The export could not be written. Please try again or narrow the filters.")
        _finish(job, state=ExportJob.State.FAILED, error=error)
    return job


def _write(job: ExportJob) -> None:
    owner = job.owner
    if not owner.is_active:
        raise _Refused(_("The account that asked for this export is no longer active."))
    try:
        spec = export_spec(job.export)
    except LookupError:
        raise _Refused(_("This export no longer exists.")) from None
    rows = spec.filtered(user=owner, query=QueryDict(job.query))
    # The total for the progress bar, counted once, in the worker, and never past what is written.
    job.rows_total = rows.order_by().values("pk")[:MAX_XLSX_ROWS].count()
    ExportJob.objects.filter(pk=job.pk).update(rows_total=job.rows_total)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk, state=ExportJob.State.RUNNING).update(rows_done=done)

    with tempfile.TemporaryFile(suffix=".xlsx") as tmp:
        job.rows_done = write_xlsx(rows, spec.columns(), tmp, title=str(spec.title), progress=progress,
                                   progress_every=PROGRESS_EVERY)
        tmp.flush()
        tmp.seek(0)
        job.file.save("export.xlsx", File(tmp), save=False)
    _finish(job, state=ExportJob.State.DONE)


def _finish(job: ExportJob, *, state: str, error: str = "") -> None:
    from qsm.notify.services import notify

    now = timezone.now()
    fields = {"state": state, "finished_at": now, "error": error[:300]}
    if state == ExportJob.State.DONE:
        fields.update(rows_done=job.rows_done, rows_total=job.rows_done, file=job.file.name,
                      expires_at=now + EXPORT_TTL)
    with transaction.atomic():
        # Only a job still running is finished: the sweep may have given it up meanwhile.
        if not ExportJob.objects.filter(pk=job.pk, state=ExportJob.State.RUNNING).update(**fields):
            if job.file:
                job.file.storage.delete(job.file.name)
            return
        job.state, job.finished_at, job.error = state, now, fields["error"]
        job.expires_at = fields.get("expires_at", job.expires_at)
        if state == ExportJob.State.DONE:
            notify(recipients=[job.owner], kind="export_ready", title=gettext_lazy("Your export %(name)s is ready"),
                   body=gettext_lazy("%(rows)s rows. The file can be downloaded until %(expires)s."),
                   params={"name": job.filename, "rows": job.rows_done,
                           "expires": timezone.localtime(job.expires_at).strftime("%Y-%m-%d %H:%M")},
                   url=job.get_absolute_url(), email=False)
        else:
            notify(recipients=[job.owner], kind="export_failed", title=gettext_lazy("Your export %(name)s failed"),
                   body="%(error)s", params={"name": job.filename, "error": error}, url=job.get_absolute_url(),
                   email=False)


def _delete_file(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:  # the storage is unreachable: the row goes anyway, the file is logged
        log.warning("could not delete expired export file %s", name, exc_info=True)
        return
    try:  # its random folder too, on a file system (an object store has no folders)
        os.rmdir(os.path.dirname(storage.path(name)))
    except (NotImplementedError, OSError):
        pass


def export_jobs_sweep(*, batch: int = 500) -> dict:
    """Beat: give up jobs no worker took or whose worker died, and delete expired jobs with their
    files (``batch`` per run; a backlog is cleared over the next runs)."""
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        error = _("The export did not finish. Please ask for it again.")
    given_up = ExportJob.objects.filter(
        Q(state=ExportJob.State.QUEUED, created_at__lt=now - QUEUED_STALE)
        | Q(state=ExportJob.State.RUNNING, started_at__lt=now - RUNNING_STALE)
    ).update(state=ExportJob.State.FAILED, finished_at=now, error=error)
    expired = list(ExportJob.objects.filter(expires_at__lte=now).order_by("expires_at").values_list("pk", "file")[:batch])
    storage = ExportJob._meta.get_field("file").storage
    for _pk, name in expired:
        if name:
            _delete_file(storage, name)
    deleted = ExportJob.objects.filter(pk__in=[pk for pk, _name in expired]).delete()[0] if expired else 0
    return {"given_up": given_up, "expired": deleted}
