"""VIS-1: a department names its visit owner (回访负责人), to whom the visit scheduler assigns the
visits of its records; the administrator sets it on the department's admin page."""
from __future__ import annotations

import pytest
from django.urls import reverse

from qsm.org.models import Department, Role
from tests.factories import UserFactory


@pytest.mark.spec("VIS-1", "ADMIN-1")
def test_the_department_s_visit_owner_is_set_in_the_admin(client, sales_department, sales_user):
    root = UserFactory(username="root", is_staff=True, is_superuser=True, department=None,
                       roles=[Role.ADMINISTRATOR])
    client.force_login(root)
    url = reverse("admin:org_department_change", args=[sales_department.pk])
    assert "回访负责人" in client.get(url).content.decode()
    response = client.post(url, {"name": sales_department.name, "code": sales_department.code,
                                 "kind": sales_department.kind, "visit_owner": sales_user.pk, "is_active": "on"})
    assert response.status_code == 302
    assert Department.objects.get(pk=sales_department.pk).visit_owner == sales_user
