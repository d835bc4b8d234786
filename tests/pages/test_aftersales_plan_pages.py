"""AFS-2 on the case page: the special-solution section of a complex case. Its forms re-render the page
with the errors on the fields (400) and change nothing; a plan or step in the wrong state is a 409
with the reason; another department's case is a 404. The owner of a step in another department sees
the case and completes their step; the case is resolved only once its plan is done; the page reads
the same number of queries for a plan of 2 and of 10 steps."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from aftersales.models import Case, PlanStep, SpecialPlan
from aftersales.services import plans
from qsm.contacts.models import ContactEntry
from qsm.discussions.models import Discussion
from qsm.org.models import Role
from tests.builders.aftersales import case_build, diagnose
from tests.factories import DepartmentFactory, UserFactory

S = Case.Status


@pytest.fixture
def crew(staff_user, colleague, quality_officer, other_department_staff, production_user, customer):
    stranger = UserFactory(username="stranger", department=DepartmentFactory(name="财务部", code="finance"),
                           roles=[Role.STAFF])
    return SimpleNamespace(owner=staff_user, colleague=colleague, quality=quality_officer,
                           outsider=other_department_staff, engineer=production_user, stranger=stranger,
                           customer=customer)


@pytest.fixture
def case(crew) -> Case:
    return case_build(actor=crew.owner, state=S.SPECIAL, complex=True, customer=crew.customer)


def url(name: str, case: Case, *args) -> str:
    return reverse(f"aftersales:{name}", args=[case.pk, *args])


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def html(response) -> str:
    return response.content.decode()


def in_days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def running_plan(case: Case, crew, steps: int = 2) -> SpecialPlan:
    plans.case_discussion_open(case=case, actor=crew.owner, topic="研讨", users=[crew.engineer])
    plan = plans.plan_create(case=case, actor=crew.owner, title="主轴专项方案", content="拆检并更换轴承")
    for n in range(1, steps + 1):
        plans.plan_step_add(plan=plan, actor=crew.owner, description=f"步骤{n}",
                            owner=crew.engineer if n == 1 else crew.owner,
                            due_date=timezone.localdate() + dt.timedelta(days=n))
    return plans.plan_start(plan=plan, actor=crew.owner)


@pytest.mark.spec("AFS-2", "ORG-1", "NTF-1")
def test_open_the_discussion_on_the_page(login, crew, case, other_department):
    client = login(crew.owner)
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200 and 'id="special"' in html(page) and 'id="discussion-form"' in html(page)
    # the case's own department is not offered: it works the case anyway
    assert case.department not in page.context["discussion_form"].fields["departments"].queryset

    # nobody invited: a form error in Chinese, nothing opened
    bad = client.post(url("case-discussion-open", case), {"topic": "主轴异响研讨"})
    assert bad.status_code == 400
    assert bad.context["discussion_form"].errors["departments"] == ["请至少邀请一个部门或一位人员。"]
    assert "请至少邀请一个部门或一位人员。" in html(bad)
    assert not Discussion.objects.exists()

    ok = client.post(url("case-discussion-open", case), {"topic": "主轴异响研讨", "departments": [other_department.pk],
                                                         "users": [crew.engineer.pk]})
    assert ok.status_code == 302 and ok.url.endswith("#special")
    page = client.get(case.get_absolute_url())
    assert "主轴异响研讨" in html(page) and "工程部" in html(page)
    # the invited see the case; a stranger still gets a 404
    assert login(crew.engineer).get(case.get_absolute_url()).status_code == 200
    assert login(crew.outsider).get(case.get_absolute_url()).status_code == 200
    assert login(crew.stranger).get(case.get_absolute_url()).status_code == 404


@pytest.mark.spec("AFS-2")
def test_the_invited_add_notes_on_the_page(login, crew, case):
    plans.case_discussion_open(case=case, actor=crew.owner, topic="研讨", users=[crew.engineer])
    client = login(crew.engineer)

    bad = client.post(url("case-discussion-note", case), {"body": ""})
    assert bad.status_code == 400 and bad.context["note_form"].errors["body"]
    ok = client.post(url("case-discussion-note", case), {"body": "建议先更换轴承"})
    assert ok.status_code == 302
    assert "建议先更换轴承" in html(client.get(case.get_absolute_url()))
    assert login(crew.stranger).post(url("case-discussion-note", case), {"body": "路过"}).status_code == 404


@pytest.mark.spec("AFS-2", "WF-1")
def test_make_a_plan_on_the_page(login, crew, case):
    client = login(crew.owner)

    bad = client.post(url("case-plan-create", case), {"title": "", "content": ""})
    assert bad.status_code == 400 and set(bad.context["plan_form"].errors) == {"title", "content"}
    assert not SpecialPlan.objects.exists()
    assert client.post(url("case-plan-create", case), {"title": "专项方案", "content": "更换主轴"}).status_code == 302

    # starting without a step: refused with the reason above the button, nothing changes
    empty = client.post(url("case-plan-start", case), {})
    assert empty.status_code == 400 and escape(zh("Add at least one step to the plan.")) in html(empty)
    assert SpecialPlan.objects.get().status == "draft"

    # a step needs what, who and when; someone outside the case is not offered nor accepted
    # (the owner is a type-ahead over the case's people: the page lists nobody, the lookup finds
    # the people taking part and never anyone else)
    page = client.get(case.get_absolute_url())
    owners = url("case-step-owners", case)
    assert f'data-lookup="{owners}"' in html(page) and str(crew.stranger) not in html(page)
    found = {int(o["value"]) for term in (crew.owner.username, crew.stranger.username)
             for o in client.get(owners, {"q": term}).json()["results"]}
    assert crew.owner.pk in found and crew.stranger.pk not in found
    assert login(crew.outsider).get(owners, {"q": crew.owner.username}).status_code == 404
    bad = client.post(url("case-step-add", case), {"description": "", "owner": crew.stranger.pk,
                                                   "due_date": "2020-01-01"})
    assert bad.status_code == 400 and set(bad.context["step_form"].errors) == {"description", "owner", "due_date"}
    assert not PlanStep.objects.exists()
    ok = client.post(url("case-step-add", case), {"description": "拆检主轴", "owner": crew.colleague.pk,
                                                  "due_date": in_days(3)})
    assert ok.status_code == 302
    step = PlanStep.objects.get()
    # changed while a draft, on a form of its own
    edit = client.post(url("case-step-update", case, step.pk), {
        f"step-{step.pk}-description": "拆检并更换主轴轴承", f"step-{step.pk}-owner": crew.owner.pk,
        f"step-{step.pk}-due_date": in_days(4)})
    assert edit.status_code == 302
    step.refresh_from_db()
    assert (step.description, step.owner, step.due_date.isoformat()) == ("拆检并更换主轴轴承", crew.owner, in_days(4))

    assert client.post(url("case-plan-start", case), {}).status_code == 302
    assert SpecialPlan.objects.get().status == "in_progress"
    # a started plan's steps are fixed: 409 with the reason
    late = client.post(url("case-step-add", case), {"description": "再加一步", "owner": crew.owner.pk,
                                                    "due_date": in_days(3)})
    assert late.status_code == 409 and PlanStep.objects.count() == 1


@pytest.mark.spec("AFS-2", "ORG-1", "WF-1")
def test_a_step_owner_in_another_department_completes_their_step_and_the_case_then_resolves(login, crew, case):
    diagnose(case)
    plan = running_plan(case, crew)
    first, second = plan.steps.order_by("position")
    engineer = login(crew.engineer)

    # the engineer sees the case and a "done" form on their own step only
    page = engineer.get(case.get_absolute_url())
    assert page.status_code == 200
    assert 'id="step-complete-1"' in html(page) and 'id="step-complete-2"' not in html(page)
    # what was done is required
    bad = engineer.post(url("case-step-complete", case, first.pk), {f"done-{first.pk}-note": ""})
    assert bad.status_code == 400 and "note" in bad.context["step_complete_form"].errors
    assert PlanStep.objects.get(pk=first.pk).status == "open"
    # not their step: 403
    assert engineer.post(url("case-step-complete", case, second.pk),
                         {f"done-{second.pk}-note": "不是我的"}).status_code == 403
    assert engineer.post(url("case-step-complete", case, first.pk),
                         {f"done-{first.pk}-note": "已拆检，轴承磨损"}).status_code == 302

    # the case cannot be resolved while a step is open
    owner = login(crew.owner)
    refused = owner.post(url("case-fire", case), {"action": "resolve"})
    assert refused.status_code == 400 and Case.objects.get(pk=case.pk).status == S.SPECIAL
    # the reason is shown next to the button
    assert escape(zh("A complex case is resolved when its special solution plan is done.")) in html(refused)
    assert owner.post(url("case-step-complete", case, second.pk),
                      {f"done-{second.pk}-note": "更换轴承并复测合格"}).status_code == 302
    assert SpecialPlan.objects.get(pk=plan.pk).status == "done"
    page = owner.get(case.get_absolute_url())
    assert 'id="plan-done"' in html(page) and "已拆检，轴承磨损" in html(page)
    assert owner.post(url("case-fire", case), {"action": "resolve"}).status_code == 302
    assert Case.objects.get(pk=case.pk).status == S.RESOLVED
    # a stranger never reaches the step
    assert login(crew.stranger).post(url("case-step-complete", case, first.pk),
                                     {f"done-{first.pk}-note": "x"}).status_code == 404


@pytest.mark.spec("AFS-2")
def test_progress_update_to_the_customer_from_the_section(login, crew, case):
    client = login(crew.owner)
    bad = client.post(url("case-customer-update", case), {"update-channel": "phone", "update-summary": ""})
    assert bad.status_code == 400 and "summary" in bad.context["update_form"].errors
    assert not ContactEntry.objects.exists()

    ok = client.post(url("case-customer-update", case), {"update-channel": "phone",
                                                         "update-summary": "已告知客户：轴承周五到货后更换"})
    assert ok.status_code == 302
    entry = ContactEntry.objects.get()
    assert (entry.kind, entry.direction) == ("update", "out")
    assert "已告知客户：轴承周五到货后更换" in html(client.get(case.get_absolute_url()))


@pytest.mark.spec("AFS-2", "PERF-1")
@pytest.mark.parametrize("draft", [False, True])
def test_the_case_page_reads_as_many_queries_for_2_steps_as_for_10(login, crew, draft, customer):
    counts = []
    for steps in (2, 10):
        case = case_build(actor=crew.owner, state=S.SPECIAL, complex=True, customer=customer)
        if draft:
            plan = plans.plan_create(case=case, actor=crew.owner, title="方案", content="内容")
            for n in range(steps):
                plans.plan_step_add(plan=plan, actor=crew.owner, description=f"步骤{n}", owner=crew.colleague,
                                    due_date=timezone.localdate() + dt.timedelta(days=n + 1))
        else:
            running_plan(case, crew, steps=steps)
        client = login(crew.owner)
        client.get(case.get_absolute_url())  # warm the session
        with CaptureQueriesContext(connection) as queries:
            page = client.get(case.get_absolute_url())
        assert page.status_code == 200 and html(page).count('align-items-start plan-step') == steps
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
