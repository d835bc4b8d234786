"""Thin tasks over the export services (PERF-1)."""
from celery import shared_task

from .services import SOFT_TIME_LIMIT, TIME_LIMIT, export_job_run, export_jobs_sweep


@shared_task(name="qsm.exports.tasks.run_export_job", soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def run_export_job(job_id: int) -> str:
    job = export_job_run(job_id=job_id)
    return job.state if job is not None else "gone"


@shared_task(name="qsm.exports.tasks.sweep_export_jobs")
def sweep_export_jobs() -> dict:
    """Beat: expired files and jobs are deleted, abandoned jobs marked failed (export_jobs_sweep)."""
    return export_jobs_sweep()
