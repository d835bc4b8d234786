"""The special-solution section of the case page (AFS-2): the discussion, the special plan and its
steps, and the progress told to the customer. Each form posts to its own view: one service call,
then a redirect to the section, or the case page again with the bound form (400 for bad input,
409 for a step or plan in the wrong state, Django's 403; another department's case is a 404)."""
from __future__ import annotations

from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from qsm.discussions.selectors import discussion_notes, discussion_of
from qsm.org.views import PeopleOptionsView

from ..models import Case, PlanStep, SpecialPlan
from ..plan_forms import (
    CustomerUpdateForm,
    DiscussionForm,
    DiscussionNoteForm,
    PlanCommentForm,
    PlanForm,
    StepCompleteForm,
    StepForm,
)
from ..rules import can_complete_step, can_discuss_case, can_work_case
from ..selectors import case_get
from ..services import plans as services
from .cases import CasePostView, register_case_section

S = Case.Status
P = SpecialPlan.Status
ST = PlanStep.Status
ANCHOR = "special"


def plan_of(case: Case) -> tuple[SpecialPlan | None, list[PlanStep]]:
    """The case's plan and its steps with their people (two queries whatever the number of steps);
    each step knows its plan and the plan its case (the rules read them without a query)."""
    plan = SpecialPlan.objects.select_related("created_by").filter(case=case).first()
    if plan is None:
        return None, []
    plan.case = case
    steps = list(PlanStep.objects.filter(plan=plan).select_related("owner", "owner__department", "done_by")
                 .order_by("position"))
    for step in steps:
        step.plan = plan
    return plan, steps


@register_case_section
def special_section(request, case: Case, forms: dict) -> dict:
    """What templates/aftersales/_special_plan.html shows; nothing for a case that is not complex."""
    if not (case.is_complex or case.status == S.SPECIAL):
        return {}
    user = request.user
    plan, steps = plan_of(case)
    discussion = discussion_of(case)
    invited_departments = list(discussion.invited_departments.all()) if discussion else []
    invited_users = list(discussion.invited_users.select_related("department")) if discussion else []
    working = case.status in services.SPECIAL_STATES
    can_work = can_work_case(user, case)
    can_plan = working and can_work
    draft = plan is not None and plan.status == P.DRAFT
    running = plan is not None and plan.status == P.IN_PROGRESS
    failed_pk = forms.get("failed_pk")
    for step in steps:
        step.can_complete = working and running and step.status == ST.OPEN and can_complete_step(user, step)
        failed = failed_pk == step.pk
        step.complete_form = (forms.get("step_complete_form") if failed and forms.get("step_complete_form")
                              else StepCompleteForm(prefix=f"done-{step.pk}")) if step.can_complete else None
        step.edit_form = None
        if can_plan and draft:
            step.edit_form = (forms.get("step_edit_form") if failed and forms.get("step_edit_form") else StepForm(
                prefix=f"step-{step.pk}", case=case, owner=step.owner,
                initial={"description": step.description, "owner": step.owner_id, "due_date": step.due_date}))
        step.overdue = step.status == ST.OPEN and running and step.due_date is not None and step.due_date < timezone.localdate()
    ctx = {
        "special": {
            "plan": plan,
            "steps": steps,
            "steps_done": sum(1 for s in steps if s.status == ST.DONE),
            "discussion": discussion,
            "invited_departments": invited_departments,
            "invited_users": invited_users,
            "notes": list(discussion_notes(discussion)) if discussion else [],
            "working": working,
            "can_plan": can_plan,
            "can_discuss": working and can_discuss_case(user, case),
            "can_update": can_work and case.status in services.UPDATE_STATES,
            "draft": draft,
            "running": running,
            "failed_pk": failed_pk,
        },
        "discussion_form": forms.get("discussion_form") or DiscussionForm(
            case=case, initial={"topic": case.subject} if discussion is None else {"topic": discussion.topic}),
        "note_form": forms.get("note_form") or DiscussionNoteForm(),
        "plan_form": forms.get("plan_form") or PlanForm(
            initial={"title": plan.title, "content": plan.content} if plan else {"content": case.solution}),
        "step_form": forms.get("step_form") or StepForm(case=case),
        "plan_start_form": forms.get("plan_start_form") or PlanCommentForm(prefix="start"),
        "update_form": forms.get("update_form") or CustomerUpdateForm(prefix="update"),
        # a step's refused form, also shown in its step's row
        "step_complete_form": forms.get("step_complete_form"),
        "step_edit_form": forms.get("step_edit_form"),
    }
    if plan is not None:
        # The plan's and its steps' lines belong on the case's story (one query whatever the steps).
        ctx["timeline"] = services.case_timeline(case, plan=plan, steps=steps)
    return ctx


# --- the forms ---------------------------------------------------------------------------------------


class _SpecialView(CasePostView):
    anchor = ANCHOR

    def plan(self, case: Case) -> SpecialPlan:
        plan = SpecialPlan.objects.filter(case=case).first()
        if plan is None:
            raise Http404(_("This case has no special solution plan."))
        plan.case = case
        return plan

    def step(self, case: Case) -> PlanStep:
        step = PlanStep.objects.select_related("plan").filter(plan__case=case, pk=self.kwargs["step_pk"]).first()
        if step is None:
            raise Http404(_("No such step."))
        step.plan.case = case
        return step


class DiscussionOpenView(_SpecialView):
    form_key = "discussion_form"

    def get_form(self, case):
        return DiscussionForm(self.request.POST, case=case)

    def perform(self, *, case, form, data):
        return services.case_discussion_open(case=case, actor=self.request.user, topic=data["topic"],
                                             departments=data["departments"], users=data["users"])

    def success_message(self, case, result):
        return _("The invitations to the discussion were sent.")


class DiscussionNoteView(_SpecialView):
    form_class, form_key = DiscussionNoteForm, "note_form"

    def perform(self, *, case, form, data):
        return services.case_discussion_note_add(case=case, actor=self.request.user, body=data["body"],
                                                 meeting_at=data["meeting_at"])

    def success_message(self, case, result):
        return _("The meeting notes were added.")


class PlanCreateView(_SpecialView):
    form_class, form_key = PlanForm, "plan_form"

    def perform(self, *, case, form, data):
        return services.plan_create(case=case, actor=self.request.user, title=data["title"], content=data["content"])

    def success_message(self, case, result):
        return _("The special solution plan was created: add its steps, then start it.")


class PlanUpdateView(_SpecialView):
    form_class, form_key = PlanForm, "plan_form"

    def perform(self, *, case, form, data):
        return services.plan_update(plan=self.plan(case), actor=self.request.user, title=data["title"],
                                    content=data["content"], comment=data["comment"])

    def success_message(self, case, result):
        return _("The special solution plan was revised.")


class StepAddView(_SpecialView):
    form_key = "step_form"

    def get_form(self, case):
        return StepForm(self.request.POST, case=case)

    def perform(self, *, case, form, data):
        return services.plan_step_add(plan=self.plan(case), actor=self.request.user, description=data["description"],
                                      owner=data["owner"], due_date=data["due_date"])

    def success_message(self, case, result):
        return _("Step %(position)s was added.") % {"position": result.position}


class _StepView(_SpecialView):
    def error_forms(self, form):
        return {self.form_key: form, "failed_pk": self.kwargs.get("step_pk")}


class StepUpdateView(_StepView):
    form_key = "step_edit_form"

    def get_form(self, case):
        return StepForm(self.request.POST, prefix=f"step-{self.kwargs['step_pk']}", case=case)

    def perform(self, *, case, form, data):
        return services.plan_step_update(step=self.step(case), actor=self.request.user,
                                         description=data["description"], owner=data["owner"],
                                         due_date=data["due_date"])

    def success_message(self, case, result):
        return _("Step %(position)s was changed.") % {"position": result.position}


class StepRemoveView(_StepView):
    form_class, form_key = PlanCommentForm, "step_remove_form"

    def perform(self, *, case, form, data):
        step = self.step(case)
        services.plan_step_remove(step=step, actor=self.request.user)
        return step

    def success_message(self, case, result):
        return _("Step %(position)s was removed.") % {"position": result.position}


class StepCompleteView(_StepView):
    form_key = "step_complete_form"

    def get_form(self, case):
        return StepCompleteForm(self.request.POST, prefix=f"done-{self.kwargs['step_pk']}")

    def perform(self, *, case, form, data):
        return services.plan_step_complete(step=self.step(case), actor=self.request.user, note=data["note"])

    def success_message(self, case, result):
        if result.plan.status == P.DONE or SpecialPlan.objects.filter(pk=result.plan_id, status=P.DONE).exists():
            return _("Step %(position)s is done: every step is done, the plan is complete.") % {
                "position": result.position}
        return _("Step %(position)s is done.") % {"position": result.position}

    def success_url(self, record) -> str:
        return record.get_absolute_url() + f"#step-{self.kwargs['step_pk']}"


class PlanStartView(_SpecialView):
    form_key = "plan_start_form"

    def get_form(self, case):
        return PlanCommentForm(self.request.POST, prefix="start")

    def perform(self, *, case, form, data):
        return services.plan_start(plan=self.plan(case), actor=self.request.user, comment=data["comment"])

    def success_message(self, case, result):
        return _("The plan was started: each step's owner was told.")


class CustomerUpdateView(_SpecialView):
    form_key = "update_form"

    def get_form(self, case):
        return CustomerUpdateForm(self.request.POST, prefix="update")

    def perform(self, *, case, form, data):
        return services.case_customer_update(case=case, actor=self.request.user, channel=data["channel"],
                                             summary=data["summary"], occurred_at=data["occurred_at"])

    def success_message(self, case, result):
        return _("The progress update to the customer was logged.")


def _case(suffix: str, view, name: str):
    return path(f"<int:pk>/special/{suffix}", view.as_view(), name=name)


# Mounted by aftersales/urls.py under /aftersales/<case id>/special/.
class StepOwnerOptionsView(PeopleOptionsView):
    """The step owner's type-ahead: the people who may own a step of this case (the same scope the
    service accepts); the case is read through its visibility selector (404 for others)."""

    def people(self, request, pk: int, **kwargs):
        return services.step_owner_candidates(case_get(user=request.user, pk=pk))


urlpatterns = [
    path("<int:pk>/special/plan/owners/", StepOwnerOptionsView.as_view(), name="case-step-owners"),
    _case("discussion/", DiscussionOpenView, "case-discussion-open"),
    _case("discussion/notes/", DiscussionNoteView, "case-discussion-note"),
    _case("plan/", PlanCreateView, "case-plan-create"),
    _case("plan/edit/", PlanUpdateView, "case-plan-update"),
    _case("plan/start/", PlanStartView, "case-plan-start"),
    _case("plan/steps/", StepAddView, "case-step-add"),
    path("<int:pk>/special/plan/steps/<int:step_pk>/", StepUpdateView.as_view(), name="case-step-update"),
    path("<int:pk>/special/plan/steps/<int:step_pk>/remove/", StepRemoveView.as_view(), name="case-step-remove"),
    path("<int:pk>/special/plan/steps/<int:step_pk>/done/", StepCompleteView.as_view(), name="case-step-complete"),
    _case("updates/", CustomerUpdateView, "case-customer-update"),
]
