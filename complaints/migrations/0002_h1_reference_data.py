"""The reference data of complaints (complaints.reference): the SLA policies of the complaint clocks."""

from django.db import migrations


def forwards(apps, schema_editor):
    from complaints.reference import load

    load(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0001_h1_initial"),
        ("sla", "0009_h1_policy_category"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
