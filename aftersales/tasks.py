from celery import shared_task


@shared_task(name="aftersales.tasks.schedule_visits", acks_late=True)
def schedule_visits() -> dict:
    """Beat runs this every few minutes (VIS-1): the due follow-ups become planned visits. Safe to
    run twice at once and to run again after a crash (see aftersales.services.scheduler)."""
    from .services.scheduler import visits_schedule

    return visits_schedule()
