"""The reference data of quality control (assessment.reference): the SLA policies of its policy clocks."""

from django.db import migrations


def forwards(apps, schema_editor):
    from assessment.reference import load

    load(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("assessment", "0001_h1_initial"),
        ("sla", "0010_calendar_default_hours"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
