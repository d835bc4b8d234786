"""ORD-3: the installation engineer role exists as a group on every installation (ORG-1)."""
from django.db import migrations


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="installation_engineer")


class Migration(migrations.Migration):
    dependencies = [("org", "0009_customer_unique_constraints")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
