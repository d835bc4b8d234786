from celery import shared_task

from .services import deadlines_sweep


@shared_task(name="qsm.sla.tasks.sweep_deadlines", acks_late=True)
def sweep_deadlines() -> dict:
    """Beat runs this every minute (SLA-2). Safe to run twice at once; see deadlines_sweep."""
    return deadlines_sweep()


@shared_task(name="qsm.sla.tasks.preload_calendar")
def preload_calendar() -> int:
    """Keep this year and next in the default calendar (new years appear on 1 January).

    "This year" is the local one (TIME_ZONE): on 1 January before 08:00 in Shanghai the server's
    UTC date is still 31 December.
    """
    from django.utils import timezone

    from .calendar import default_calendar, load_cn_public_holidays

    year = timezone.localdate().year
    return load_cn_public_holidays(default_calendar(), [year, year + 1])
