"""QC-1 beat sweep: approved standard versions take effect on their effective date (thin: the service
decides; the review reminders are the core SLA sweep's ``standard_review`` clock)."""
from __future__ import annotations

from celery import shared_task


@shared_task(name="assessment.standards.tasks.activate_due_versions")
def activate_due_versions() -> int:
    from .services import activate_due_versions as sweep

    return sweep()
