"""QC-2 beat: the scheduled inspections (定期检查) of the recurring plans that have come due."""
from __future__ import annotations

from celery import shared_task


@shared_task(name="assessment.inspections.tasks.create_due_inspections", acks_late=True)
def create_due_inspections() -> int:
    """Daily (any time of day): idempotent, so a missed or repeated run neither loses nor doubles one."""
    from .services import create_due_inspections as run

    return len(run())
