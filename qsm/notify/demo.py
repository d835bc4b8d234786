"""DATA-1, notifications: once the demo year has run, its old news stays old."""
from __future__ import annotations

import datetime as dt

from django.db.models import F

from qsm.demo import DemoContext
from qsm.notify.models import Notification


def build(ctx: DemoContext) -> None:
    ctx.at_end(lambda: quiet_history(ctx))


def quiet_history(ctx: DemoContext) -> None:
        """Old news stays old: nothing from the demo year is e-mailed, and only the last week is unread."""
        Notification.objects.filter(email_wanted=True, emailed_at__isnull=True).update(emailed_at=F("created_at"))
        Notification.objects.filter(read_at__isnull=True, created_at__lt=ctx.now - dt.timedelta(days=7)).update(
            read_at=F("created_at") + dt.timedelta(hours=2)
        )
