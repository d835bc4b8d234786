"""ORG-1: the named head of a department (the old Department.manager) becomes a manager by role."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("org", "0003_role_groups")]
AFTER = [("org", "0005_remove_department_manager")]


@pytest.mark.spec("ORG-1")
@pytest.mark.django_db(transaction=True)
def test_named_heads_become_members_with_the_manager_role():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Department, User = old.get_model("org", "Department"), old.get_model("org", "User")
    try:
        # given a head inside their department, a head without a department, and one from elsewhere
        sales = Department.objects.create(name="销售部", code="m-sales")
        service = Department.objects.create(name="客户服务部", code="m-service")
        other = Department.objects.create(name="生产部", code="m-production")
        inside = User.objects.create(username="m-inside", department=sales)
        homeless = User.objects.create(username="m-homeless", department=None)
        elsewhere = User.objects.create(username="m-elsewhere", department=other)
        Department.objects.filter(pk=sales.pk).update(manager=inside)
        Department.objects.filter(pk=service.pk).update(manager=homeless)
        Department.objects.filter(pk=other.pk).update(manager=None)
        Department.objects.create(name="工程部", code="m-engineering", manager=elsewhere)
        # when the migration runs
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    finally:
        # back to the latest state of every app (going back to BEFORE unapplied the apps that depend on org)
        MigrationExecutor(connection).migrate(latest)
    # then the heads of their own department (or of none) are managers there; the other is not
    from qsm.org.models import User as NewUser
    from qsm.org.selectors import department_managers

    managers = {d: set(department_managers(department=d).values_list("username", flat=True))
                for d in NewUser._meta.get_field("department").related_model.objects.filter(code__startswith="m-")}
    by_code = {d.code: names for d, names in managers.items()}
    assert by_code == {"m-sales": {"m-inside"}, "m-service": {"m-homeless"}, "m-production": set(),
                       "m-engineering": set()}, by_code
    assert NewUser.objects.get(username="m-homeless").department.code == "m-service"
    # the head from another department keeps only their own department's rights (no manager role)
    assert not NewUser.objects.get(username="m-elsewhere").groups.filter(name="manager").exists()
