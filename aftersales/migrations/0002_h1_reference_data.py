"""The reference data of after-sales (aftersales.reference): SLA policies of the case clocks, the
cause taxonomy, the default questionnaires and the visit rules."""

from django.db import migrations


def forwards(apps, schema_editor):
    from aftersales.reference import load

    load(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("aftersales", "0001_h1_initial"),
        ("sla", "0009_h1_policy_category"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
