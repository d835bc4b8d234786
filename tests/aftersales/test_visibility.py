"""ORG-1 for after-sales: another department neither lists nor opens a case or a visit; the
people invited to a case's discussion and the owners of its plan's steps see it; the quality
department sees everything."""
from __future__ import annotations

import pytest

from aftersales.models import Case, Visit
from aftersales.rules import CASE_VISIBILITY, VISIT_VISIBILITY, can_view_case, can_view_visit
from qsm.discussions import services as discussions
from tests.builders import aftersales as afs
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.spec("ORG-1", "AFS-1")
def test_another_department_does_not_see_a_case_but_its_own_and_quality_do(people):
    case = afs.case_build(actor=people.owner, customer=people.customer, state="in_progress")
    for who, sees in [("owner", True), ("colleague", True), ("manager", True), ("quality", True),
                      ("outsider", False), ("step_owner", False)]:
        user = getattr(people, who)
        assert can_view_case(user, case) is sees, who
        assert CASE_VISIBILITY.filter(Case.objects.all(), user).filter(pk=case.pk).exists() is sees, who


@pytest.mark.spec("ORG-1", "AFS-2")
def test_invited_people_and_departments_and_step_owners_see_the_complex_case(people):
    case = afs.case_build(actor=people.owner, customer=people.customer, state="special", complex=True)
    invited = UserFactory(username="invited", department=people.visitor.department)
    discussions.discussion_open(record=case, actor=people.owner, topic="主轴异响专项", departments=[],
                                users=[invited])
    afs.plan_build(case, actor=people.owner, steps=1, step_owner=people.step_owner)
    for user, sees in [(invited, True), (people.step_owner, True), (people.outsider, False)]:
        assert can_view_case(user, Case.objects.get(pk=case.pk)) is sees, user
        assert CASE_VISIBILITY.filter(Case.objects.all(), user).filter(pk=case.pk).exists() is sees, user
    # a department invited as a whole sees it too
    discussions_open = discussions.discussion_open
    assert discussions_open  # the core service is the one the pages use
    from qsm.discussions.selectors import discussion_of

    discussion_of(case).invited_departments.add(people.outsider.department)
    assert can_view_case(people.outsider, Case.objects.get(pk=case.pk))
    assert CASE_VISIBILITY.filter(Case.objects.all(), people.outsider).filter(pk=case.pk).exists()


@pytest.mark.spec("ORG-1", "VIS-1")
def test_a_visit_is_seen_by_its_owner_its_department_and_quality_only(people):
    # a visit of a sales-department case, owned by the customer-service visit owner
    subject = afs.case_build(actor=people.owner, customer=people.customer, state="resolved")
    visit = afs.visit_build(actor=people.visitor, owner=people.visitor, subject=subject)
    assert visit.department == people.colleague.department != people.visitor.department
    for who, sees in [("visitor", True), ("colleague", True), ("quality", True), ("outsider", False),
                      ("step_owner", False)]:
        user = getattr(people, who)
        assert can_view_visit(user, visit) is sees, who
        assert VISIT_VISIBILITY.filter(Visit.objects.all(), user).filter(pk=visit.pk).exists() is sees, who
