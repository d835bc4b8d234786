"""The holidays pre-loaded by 0002 carry the `holidays` package's English names; the admin (and
the calendar's users) read Chinese first. Rename the rows that still have the package's English
name; a name an administrator typed is left alone."""

from django.db import migrations


def forwards(apps, schema_editor):
    import holidays

    CalendarDay = apps.get_model("sla", "CalendarDay")
    rows = list(CalendarDay.objects.filter(kind="holiday").exclude(name=""))
    years = sorted({row.date.year for row in rows})
    if not years:
        return
    english = holidays.China(years=years, language="en_US")
    default = holidays.China(years=years)
    chinese = holidays.China(years=years, language="zh_CN")
    for row in rows:
        package_names = {str(english.get(row.date, "")), str(default.get(row.date, ""))} - {""}
        new_name = str(chinese.get(row.date, ""))[:100]
        if new_name and row.name in package_names and row.name != new_name:
            row.name = new_name
            row.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [("sla", "0002_default_calendar_and_policies")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
