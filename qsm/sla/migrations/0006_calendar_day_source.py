"""SLA-1: each calendar day says where it comes from (official notice / estimate / entered by hand).

The rows already there are marked from what is known about them:
- a day an administrator added or changed in the admin (its own change history, or the calendar
  page's history naming its date) was entered by hand and is never overwritten by a load;
- any other row was loaded by code from the `holidays` package: it is "official" when the
  package carries the State Council's notice for its year and has that very day, otherwise an
  estimate (the package's rule-based guess, or a day an older package version guessed), which the
  reload replaces.
"""

import json
import re

from django.db import migrations, models

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _days_touched_in_admin(apps) -> tuple[set[int], set[tuple[int, str]]]:
    """(ids of calendar days with an admin history, (calendar id, ISO date) edited inline)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    day_ids, inline = set(), set()
    day_ct = ContentType.objects.filter(app_label="sla", model="calendarday").first()
    if day_ct is not None:
        for object_id in LogEntry.objects.filter(content_type=day_ct).values_list("object_id", flat=True):
            if str(object_id).isdigit():
                day_ids.add(int(object_id))
    calendar_ct = ContentType.objects.filter(app_label="sla", model="workcalendar").first()
    if calendar_ct is not None:
        for object_id, message in LogEntry.objects.filter(content_type=calendar_ct).values_list(
                "object_id", "change_message"):
            try:
                entries = json.loads(message or "[]")
            except ValueError:
                entries = []
            for entry in entries if isinstance(entries, list) else []:
                for what in ("added", "changed"):
                    detail = entry.get(what) if isinstance(entry, dict) else None
                    if isinstance(detail, dict):
                        for found in ISO_DATE.findall(str(detail.get("object", ""))):
                            inline.add((int(object_id), found) if str(object_id).isdigit() else (0, found))
    return day_ids, inline


def forwards(apps, schema_editor):
    from qsm.sla.cn_calendar import package_year

    CalendarDay = apps.get_model("sla", "CalendarDay")
    day_ids, inline = _days_touched_in_admin(apps)
    packages = {}
    for row in CalendarDay.objects.all().order_by("date").iterator():
        if row.pk in day_ids or (row.calendar_id, row.date.isoformat()) in inline:
            source = "manual"
        else:
            year = packages.get(row.date.year) or packages.setdefault(row.date.year, package_year(row.date.year))
            in_package = year.days().get(row.date)
            source = "official" if year.official and in_package and in_package[0] == row.kind else "estimate"
        if source != row.source:
            CalendarDay.objects.filter(pk=row.pk).update(source=source)


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0005_deadline_outcome_and_date_clocks"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="calendarday",
            name="source",
            field=models.CharField(
                choices=[("official", "Official notice"), ("estimate", "Estimate"), ("manual", "Entered by hand")],
                default="manual", max_length=10, verbose_name="source",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
