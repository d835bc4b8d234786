"""ORD-2: the late risk is the order's ``delivery`` clock now (orders/workflows.py, ORDER_CLOCKS).

Undelivered orders with a promised date get their running delivery deadline, computed as the
engine would (due at the end of the working day of the promised date, reminded
ORDER_RISK_LEAD_DAYS working days before at the start of that day). An order the old hourly
sweep had already flagged keeps its flag and is not reminded again.
"""
import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations
from django.urls import reverse

UNDELIVERED = ["review", "returned", "approved", "in_production", "delivering"]


def forwards(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Deadline = apps.get_model("sla", "Deadline")
    WorkCalendar = apps.get_model("sla", "WorkCalendar")
    CalendarDay = apps.get_model("sla", "CalendarDay")
    ContentType = apps.get_model("contenttypes", "ContentType")
    orders = Order.objects.filter(status__in=UNDELIVERED, promised_date__isnull=False).select_related("customer")
    if not orders.exists():
        return
    calendar = WorkCalendar.objects.filter(is_default=True).first() or WorkCalendar.objects.first()
    if calendar is None:
        return
    ct, _created = ContentType.objects.get_or_create(app_label="orders", model="order")
    tz = ZoneInfo(settings.TIME_ZONE)
    days = dict(CalendarDay.objects.filter(calendar=calendar).values_list("date", "kind"))
    lead = settings.ORDER_RISK_LEAD_DAYS

    def working(day):
        kind = days.get(day)
        return kind == "workday" or (kind != "holiday" and str(day.isoweekday()) in calendar.weekdays)

    open_ids = set(Deadline.objects.filter(content_type=ct, stage="delivery", state__in=["running", "paused"])
                   .values_list("object_id", flat=True))
    rows = []
    for order in orders:
        if order.pk in open_ids:
            continue
        due_at = dt.datetime.combine(order.promised_date, calendar.work_end, tz)
        day, counted = order.promised_date, 0
        while counted < lead:
            day -= dt.timedelta(days=1)
            if working(day):
                counted += 1
        remind_at = min(dt.datetime.combine(day, calendar.work_start, tz), due_at)
        flagged = order.risk_flagged_at
        start = order.received_at or order.created_at
        rows.append(Deadline(
            content_type=ct, object_id=order.pk, stage="delivery", source="date", calendar=calendar,
            title=f"{order.number} {order.customer.name}"[:200], url=reverse("orders:order-detail", args=[order.pk]), owner_id=order.owner_id,
            department_id=order.department_id, state="running", started_at=start,
            allowed_minutes=0, remind_at=remind_at, due_at=due_at,
            due_date=order.promised_date, lead_days=lead, reminded_at=flagged,
            overdue_at=flagged if flagged and flagged >= due_at else None,
        ))
    Deadline.objects.bulk_create(rows)
    for d in rows:  # the order shows its earliest running deadline
        due = (Deadline.objects.filter(content_type=ct, object_id=d.object_id, state="running")
               .order_by("due_at").values_list("due_at", flat=True).first())
        Order.objects.filter(pk=d.object_id).update(due_at=due)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_installation_list_index"),
        ("sla", "0005_deadline_outcome_and_date_clocks"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
