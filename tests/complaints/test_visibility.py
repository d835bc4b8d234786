"""ORG-1 for complaints: who sees a complaint (complaints.rules), and that the selector scope and
the object rule agree. The quality department sees all; the receiver, the investigator, the
receiving and the responsible department, measure and preventive-measure owners (and their
departments) and people invited to the discussion see it; an unrelated department gets a 404."""
from __future__ import annotations

import pytest
from django.http import Http404

from complaints.rules import can_discuss_complaint, can_investigate, can_view_complaint
from complaints.selectors import complaint_get, complaint_scope, measure_scope
from qsm.discussions.services import discussion_open
from qsm.org.models import Department, Role
from qsm.workflow.locking import locked
from tests.builders import complaints as b
from tests.factories import DepartmentFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.spec("CMP-2")]

SEE = ("receiver", "receiving_manager", "quality", "investigator", "quality_manager", "responsible", "approver")
BLIND = ("outsider", "outside_manager")


def _sees(user, complaint) -> bool:
    in_scope = complaint_scope(user).filter(pk=complaint.pk).exists()
    assert in_scope == can_view_complaint(user, complaint), "the scope and the rule disagree"
    return in_scope


@pytest.mark.parametrize("role", SEE + BLIND)
def test_who_sees_a_complaint_in_execution(people, role):
    complaint = b.complaint_in("executing")
    assert _sees(getattr(people, role), complaint) is (role in SEE)


def test_unrelated_department_gets_404(people):
    complaint = b.complaint_in("received")
    with pytest.raises(Http404):
        complaint_get(user=people.outsider, pk=complaint.pk)
    assert complaint_get(user=people.quality, pk=complaint.pk) == complaint
    with pytest.raises(Http404):
        complaint_get(user=people.quality, pk="1;DROP")


def test_responsible_department_sees_it_only_once_named(people):
    complaint = b.complaint_in("investigating")
    assert not _sees(people.responsible, complaint)
    b.investigate(complaint, people=people)
    assert _sees(people.responsible, complaint)


def test_measure_owner_of_another_department_sees_complaint_and_measure(people):
    production = DepartmentFactory(code="production", name="生产部", kind=Department.Kind.OTHER)
    worker = UserFactory(username="producer", department=production, roles=[Role.STAFF])
    colleague = UserFactory(username="producer2", department=production, roles=[Role.STAFF])
    complaint = b.complaint_in("planning", plan=None)
    assert not _sees(worker, complaint)
    from complaints.services import core

    plan = core.plan_create(complaint=complaint, actor=people.investigator, summary="更换部件",
                            measures=[{"description": "更换主轴", "owner": worker,
                                       "due_date": b.measures_spec(people)[0]["due_date"], "department": production}])
    assert _sees(worker, complaint) and _sees(colleague, complaint)
    assert measure_scope(worker).filter(plan=plan).count() == 1
    assert measure_scope(people.outsider).filter(plan=plan).count() == 0


def test_invited_department_sees_it(people):
    complaint = b.complaint_in("investigating")
    assert not _sees(people.outsider, complaint)
    with locked(complaint):
        discussion_open(record=complaint, actor=people.investigator, topic="原因分析",
                        departments=[people.unrelated_department])
    assert _sees(people.outsider, complaint) and _sees(people.outside_manager, complaint)
    # and they take part in it (core qsm.discussions.rules), without working the complaint
    assert can_discuss_complaint(people.outsider, complaint) and not can_investigate(people.outsider, complaint)
    assert not can_discuss_complaint(people.receiver, complaint)


def test_preventive_owner_sees_it(people):
    complaint = b.complaint_in("closed")
    lab = DepartmentFactory(code="lab", name="实验室", kind=Department.Kind.OTHER)
    tester = UserFactory(username="tester", department=lab, roles=[Role.STAFF])
    assert not _sees(tester, complaint)
    from complaints.services import core

    core.preventive_add(complaint=complaint, actor=people.investigator, description="增加出厂检验项目", owner=tester,
                        due_date=b.measures_spec(people)[0]["due_date"])
    assert _sees(tester, complaint)


def test_anonymous_sees_nothing(people):
    from django.contrib.auth.models import AnonymousUser

    b.complaint_in("received")
    assert complaint_scope(AnonymousUser()).count() == 0
