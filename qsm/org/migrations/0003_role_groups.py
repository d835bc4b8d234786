"""ORG-1: the four roles exist as groups on every installation, not only with demo data."""
from django.db import migrations

ROLES = ["staff", "quality_officer", "manager", "administrator"]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("org", "0002_customer_name_index"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
