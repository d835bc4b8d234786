"""AFS-1 routing rules (most specific match) and AFS-2 cause taxonomy (two levels at most)."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from aftersales.models import CauseCategory, Question, Questionnaire, RoutingRule, VisitRule
from aftersales.routing import route
from tests.factories import DepartmentFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.spec("AFS-1")
def test_route_picks_the_most_specific_active_rule():
    service, quality_team, robots, urgent_team = (DepartmentFactory(code=c, name=n) for c, n in [
        ("svc", "客户服务部"), ("qa-team", "质量问题组"), ("robots", "机器人服务部"), ("urgent", "紧急响应组")])
    lead = UserFactory(username="lead", department=robots)
    robot = ProductFactory(code="RB-1", product_line="机器人")
    lathe = ProductFactory(code="LT-1", product_line="车床")
    RoutingRule.objects.create(department=service, position=100)  # catch-all
    RoutingRule.objects.create(case_type="product_quality", department=quality_team, position=50)
    RoutingRule.objects.create(product_line="机器人", department=robots, default_owner=lead, position=90)
    RoutingRule.objects.create(product_line="机器人", case_type="product_quality", severity="urgent",
                               department=urgent_team, position=99)
    RoutingRule.objects.create(product_line="机器人", case_type="service", department=service, position=1,
                               is_active=False)

    assert route(product=lathe, case_type="service", severity="normal") == (service, None)
    assert route(product=lathe, case_type="product_quality", severity="urgent") == (quality_team, None)
    assert route(product=robot, case_type="service", severity="normal") == (robots, lead)  # inactive rule skipped
    assert route(product=robot, case_type="product_quality", severity="urgent") == (urgent_team, None)
    # one criterion each: the lower position wins the tie
    assert route(product=robot, case_type="product_quality", severity="low") == (quality_team, None)
    assert route(product=None, case_type="other", severity="low") == (service, None)


@pytest.mark.spec("AFS-1")
def test_no_rule_no_route():
    assert route(product=None, case_type="service", severity="normal") is None


@pytest.mark.spec("AFS-2")
def test_the_cause_taxonomy_has_two_levels_at_most():
    top = CauseCategory.objects.get(code="manufacturing")
    child = CauseCategory.objects.get(code="mfg-assembly")
    assert child.parent == top and str(child) == "制造质量 / 装配不良"
    child.full_clean()  # a sub-cause of a top-level cause is fine
    grandchild = CauseCategory(name="螺栓未拧紧", code="mfg-assembly-bolt", parent=child)
    with pytest.raises(ValidationError) as refused:
        grandchild.full_clean()
    assert "parent" in refused.value.message_dict
    # and a cause that has sub-causes cannot itself be put under another one
    top.parent = CauseCategory.objects.get(code="design")
    with pytest.raises(ValidationError):
        top.full_clean()


@pytest.mark.spec("AFS-2", "VIS-1")
def test_the_reference_data_has_causes_questionnaires_and_visit_rules():
    tops = CauseCategory.objects.filter(parent__isnull=True)
    assert 6 <= tops.count() <= 7
    assert all(2 <= t.children.count() <= 4 for t in tops)
    for reason, days in [("accepted", 5), ("case_resolved", 3), ("complaint_closed", 3)]:
        rule = VisitRule.objects.get(reason=reason)
        assert rule.due_days == days and rule.link_ttl_days == 14
        version = rule.questionnaire.current_version()
        kinds = list(version.questions.values_list("kind", flat=True))
        assert kinds.count("scale") >= 3 and "choice" in kinds and "text" in kinds
        assert version.questions.get(kind="choice").choices == ["是", "否", "部分"]
    assert Questionnaire.objects.count() == VisitRule.objects.count()


@pytest.mark.spec("VIS-1")
def test_a_choice_question_needs_two_choices():
    version = Questionnaire.objects.get(code="case-resolved").current_version()
    with pytest.raises(ValidationError):
        Question(version=version, position=99, text="选择", kind="choice", choices=["是"]).full_clean()
