"""SLA-1: a default working calendar with CN holidays and make-up workdays for this year and
next, and the default pre-sales policies. Administrators edit all of it in the admin."""

import datetime as dt

from django.db import migrations

DEFAULT_POLICIES = [
    # name, record_type, stage, channel, minutes
    ("咨询首次响应 / first response", "presales.inquiry", "first_response", "", 240),
    (
        "电话咨询首次响应 / first response, phone",
        "presales.inquiry",
        "first_response",
        "phone",
        120,
    ),
    (
        "在线客服首次响应 / first response, chat",
        "presales.inquiry",
        "first_response",
        "chat",
        60,
    ),
    (
        "业务部门确认交接 / hand-over acknowledgement",
        "presales.inquiry",
        "handover_ack",
        "",
        480,
    ),
]


def forwards(apps, schema_editor):
    WorkCalendar = apps.get_model("sla", "WorkCalendar")
    CalendarDay = apps.get_model("sla", "CalendarDay")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    calendar, _ = WorkCalendar.objects.get_or_create(
        name="默认工作日历",
        defaults={
            "is_default": True,
            "work_start": dt.time(9),
            "lunch_start": dt.time(12),
            "lunch_end": dt.time(13),
            "work_end": dt.time(18),
            "weekdays": "12345",
        },
    )
    import holidays

    year = dt.date.today().year
    years = [year, year + 1]
    cn = holidays.China(years=years)
    existing = set(
        CalendarDay.objects.filter(calendar=calendar).values_list("date", flat=True)
    )
    rows = []
    for day, name in sorted(cn.items()):
        if day.year in years and day not in existing:
            rows.append(
                CalendarDay(
                    calendar=calendar, date=day, kind="holiday", name=str(name)[:100]
                )
            )
            existing.add(day)
    for day in sorted(getattr(cn, "weekend_workdays", ()) or ()):
        if day.year in years and day not in existing:
            rows.append(
                CalendarDay(
                    calendar=calendar, date=day, kind="workday", name="调休上班"
                )
            )
            existing.add(day)
    CalendarDay.objects.bulk_create(rows)
    for name, record_type, stage, channel, minutes in DEFAULT_POLICIES:
        SlaPolicy.objects.get_or_create(
            record_type=record_type,
            stage=stage,
            channel=channel,
            priority="",
            defaults={
                "name": name,
                "working_minutes": minutes,
                "remind_at_percent": 75,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
