"""ADMIN-1/VIS-1: questionnaires are edited in the admin; a version already asked in a visit is
frozen (its questions read-only, not deletable), so a visit keeps the questions it was asked."""
from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.models import Questionnaire, VisitRule
from qsm.org.models import Role
from tests.builders import aftersales as afs
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True, department=None,
                       roles=[Role.ADMINISTRATOR])


@pytest.mark.spec("VIS-1", "ADMIN-1")
def test_a_version_asked_in_a_visit_is_frozen_in_the_admin(client, root, people):
    version = Questionnaire.objects.get(code="case-resolved").current_version()
    url = reverse("admin:aftersales_questionnaireversion_change", args=[version.pk])
    client.force_login(root)
    # not asked yet: its questions are editable
    assert not version.is_frozen
    assert 'name="questions-0-text"' in client.get(url).content.decode()
    # once a visit asked it: shown, not editable, not deletable
    afs.visit_build(actor=people.owner, owner=people.owner, subject=afs.case_build(
        actor=people.owner, customer=people.customer, state="resolved"))
    assert version.is_frozen
    page = client.get(url).content.decode()
    assert 'name="questions-0-text"' not in page and "总体满意度" in page
    delete = reverse("admin:aftersales_questionnaireversion_delete", args=[version.pk])
    assert client.get(delete).status_code == 403


@pytest.mark.spec("VIS-1", "ADMIN-1")
def test_visit_rules_are_edited_in_the_admin_with_readable_reasons(client, root):
    client.force_login(root)
    rule = VisitRule.objects.get(reason="case_resolved")
    url = reverse("admin:aftersales_visitrule_change", args=[rule.pk])
    page = client.get(url).content.decode()
    assert "售后服务单已解决" in page and "已验收" in page  # the reasons by their names
    response = client.post(url, {"reason": "case_resolved", "due_days": 2, "questionnaire": rule.questionnaire_id,
                                 "link_ttl_days": 7, "is_active": "on"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.due_days, rule.link_ttl_days) == (2, 7)
