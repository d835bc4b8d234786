"""ORG-1: one notion of "manager". A department's named head (Department.manager) becomes a
member of that department holding the manager role, then the field goes.

A named head who belongs to no department joins the one they head. A named head who works in
another department cannot be expressed by a role and keeps only the rights of their own
department (the quality manager approves for every department anyway).

The field itself goes in 0005: PostgreSQL refuses to alter a table in the transaction that still
has deferred foreign-key checks pending from these updates."""
from django.db import migrations


def heads_become_managers(apps, schema_editor):
    Department = apps.get_model("org", "Department")
    User = apps.get_model("org", "User")
    Group = apps.get_model("auth", "Group")
    manager_group, _created = Group.objects.get_or_create(name="manager")
    for department in Department.objects.filter(manager__isnull=False):
        head = User.objects.get(pk=department.manager_id)
        if head.department_id is None:
            head.department_id = department.pk
            head.save(update_fields=["department"])
        if head.department_id == department.pk:
            head.groups.add(manager_group)


def managers_become_heads(apps, schema_editor):
    Department = apps.get_model("org", "Department")
    User = apps.get_model("org", "User")
    for department in Department.objects.all():
        first = User.objects.filter(department=department, groups__name="manager", is_active=True).order_by("pk").first()
        if first is not None:
            Department.objects.filter(pk=department.pk).update(manager=first)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("org", "0003_role_groups"),
    ]

    operations = [
        migrations.RunPython(heads_become_managers, managers_become_heads),
    ]
