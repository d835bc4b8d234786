"""ORG-1: one notion of "manager" -- the named head was folded into the role by 0004."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("org", "0004_manager_is_a_role")]

    operations = [migrations.RemoveField(model_name="department", name="manager")]
