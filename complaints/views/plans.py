"""CMP-3, the handling-plan section of the complaint page: every version with its decision, the draft
editor (approach + measures: add, change, remove), submit, approve / reject with a reason (the
manager who approves for the responsible department, never the author), revise a rejected plan as
the next version, the measures done with what was done and evidence, and the progress told to the
customer. Each form posts to its own view (one service call; 400 / 409 / 403; another department's
complaint is a 404)."""
from __future__ import annotations

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from ..forms.work import (
    CommentForm,
    MeasureDoneForm,
    MeasureForm,
    PlanCreateForm,
    PlanForm,
    ProgressForm,
    RejectForm,
)
from ..models import Complaint, HandlingPlan, Measure
from ..rules import can_complete_measure, can_decide_plan, can_investigate
from ..selectors.work import complaint_timeline, evidence_of, measure_of, plan_get, plans_of
from ..services import core
from ..services import measures as measure_services
from ..services import plans as services
from .record import ComplaintPostView

S = Complaint.Status
P = HandlingPlan.Status
M = Measure.Status
ANCHOR = "plans"


def plans_section(complaint: Complaint, user) -> dict | None:
    """What templates/complaints/_plans.html shows (complaints.sections); nothing before the
    complaint can be planned. A refused form comes back bound under its own name (``plan_create_form``,
    ``measure_done_form`` ...) and the template shows it in place of the fresh one."""
    plans = plans_of(complaint)
    planning = complaint.status == S.PLANNING
    can_plan = can_investigate(user, complaint)
    if not plans and not (complaint.status in (S.INVESTIGATING, S.PLANNING) and can_plan):
        return None
    today = timezone.localdate()
    measures = [m for p in plans for m in p.loaded_measures]
    evidence = evidence_of([m for m in measures if m.status in (M.OPEN, M.DONE)])
    live = next((p for p in plans if p.status in HandlingPlan.LIVE_STATES), None)
    for plan in plans:
        plan.is_draft = plan.status == P.DRAFT and planning and can_plan
        plan.can_decide = planning and plan.status == P.SUBMITTED and can_decide_plan(user, plan)
        plan.can_revise = (planning and can_plan and live is None and plan is plans[0]
                           and plan.status == P.REJECTED and plan.version == complaint.plan_version)
        for m in plan.loaded_measures:
            m.evidence = evidence.get(m.pk, [])
            m.overdue = m.status == M.OPEN and m.due_date < today
            m.can_complete = (complaint.status == S.EXECUTING and plan.status == P.APPROVED and m.status == M.OPEN
                              and can_complete_measure(user, m))
            m.done_form = MeasureDoneForm(prefix=f"done-{m.pk}") if m.can_complete else None
            m.edit_form = None
            if plan.is_draft:
                m.edit_form = MeasureForm(prefix=f"measure-{m.pk}", initial={
                    "description": m.description, "owner": m.owner_id, "due_date": m.due_date})
                m.edit_form.fields["owner"].know(m.owner)
        plan.done_count = sum(1 for m in plan.loaded_measures if m.status == M.DONE)
    return {"timeline": complaint_timeline(complaint, plans), "plans": {
        "versions": plans,
        "live": live,
        "can_create": can_plan and live is None and complaint.status in (S.INVESTIGATING, S.PLANNING)
        and not any(p.can_revise for p in plans),
        "can_progress": complaint.status in services.PROGRESS_STATES and services.can_report_progress(user, complaint),
        "plan_form": PlanForm(initial={"summary": live.summary} if live else None),
        "plan_create_form": PlanCreateForm(initial=_objections_initial(plans)),
        "measure_form": MeasureForm(),
        "approve_form": CommentForm(prefix="approve"),
        "reject_form": RejectForm(prefix="reject"),
        "progress_form": ProgressForm(prefix="progress"),
    }}


def _objections_initial(plans: list[HandlingPlan]) -> dict:
    """A new version after an unsatisfied customer starts from the last version's approach."""
    return {"summary": plans[0].summary} if plans else {}


# --- the forms ---------------------------------------------------------------------------------------

class _PlanView(ComplaintPostView):
    anchor = ANCHOR
    prefix = None

    def get_form(self, complaint):
        return self.form_class(self.request.POST, self.request.FILES, prefix=self.prefix)

    def plan(self, complaint: Complaint) -> HandlingPlan:
        return plan_get(complaint=complaint, pk=self.kwargs["plan_pk"])

    def measure(self, complaint: Complaint) -> Measure:
        return measure_of(plan=self.plan(complaint), pk=self.kwargs["measure_pk"])


class PlanCreateView(_PlanView):
    form_class, form_key = PlanCreateForm, "plan_create_form"

    def perform(self, *, complaint, form, data):
        return services.plan_propose(complaint=complaint, actor=self.request.user, summary=data["summary"],
                                     measures=form.measures())

    def success_message(self, complaint, result):
        return _("Version %(version)s of the handling plan was drafted: add its measures, then submit it.") % {
            "version": result.version}


class PlanUpdateView(_PlanView):
    form_class, form_key = PlanForm, "plan_edit_form"

    def perform(self, *, complaint, form, data):
        return services.plan_update(plan=self.plan(complaint), actor=self.request.user, summary=data["summary"])

    def success_message(self, complaint, result):
        return _("The approach was changed.")


class MeasureAddView(_PlanView):
    form_class, form_key = MeasureForm, "measure_add_form"

    def perform(self, *, complaint, form, data):
        return services.measure_add(plan=self.plan(complaint), actor=self.request.user,
                                    description=data["description"], owner=data["owner"], due_date=data["due_date"])

    def success_message(self, complaint, result):
        return _("Measure %(position)s was added.") % {"position": result.position}


class _MeasureView(_PlanView):
    def success_url(self, record) -> str:
        return record.get_absolute_url() + f"#measure-{self.kwargs['measure_pk']}"


class MeasureUpdateView(_MeasureView):
    form_class, form_key = MeasureForm, "measure_edit_form"

    @property
    def prefix(self):
        return f"measure-{self.kwargs['measure_pk']}"

    def perform(self, *, complaint, form, data):
        return services.measure_update(measure=self.measure(complaint), actor=self.request.user,
                                       description=data["description"], owner=data["owner"],
                                       due_date=data["due_date"])

    def success_message(self, complaint, result):
        return _("Measure %(position)s was changed.") % {"position": result.position}


class MeasureRemoveView(_MeasureView):
    form_class, form_key = CommentForm, "measure_remove_form"

    def perform(self, *, complaint, form, data):
        measure = self.measure(complaint)
        services.measure_remove(measure=measure, actor=self.request.user)
        return measure

    def success_url(self, record) -> str:
        return record.get_absolute_url() + f"#{ANCHOR}"

    def success_message(self, complaint, result):
        return _("Measure %(position)s was removed.") % {"position": result.position}


class MeasureDoneView(_MeasureView):
    form_class, form_key = MeasureDoneForm, "measure_done_form"

    @property
    def prefix(self):
        return f"done-{self.kwargs['measure_pk']}"

    def perform(self, *, complaint, form, data):
        return measure_services.measure_complete(measure=self.measure(complaint), actor=self.request.user,
                                                 note=data["note"], evidence=data["evidence"])

    def success_message(self, complaint, result):
        if Complaint.objects.filter(pk=complaint.pk, status=S.CONFIRMING).exists():
            return _("Measure %(position)s is done: every measure is done, the customer is asked next.") % {
                "position": result.position}
        return _("Measure %(position)s is done.") % {"position": result.position}


class _DecisionView(_PlanView):
    def success_url(self, record) -> str:
        return record.get_absolute_url() + f"#plan-{self.plan(record).version}"


class PlanSubmitView(_DecisionView):
    form_class, form_key, prefix = CommentForm, "plan_submit_form", "submit"

    def perform(self, *, complaint, form, data):
        return core.plan_submit(plan=self.plan(complaint), actor=self.request.user)

    def success_message(self, complaint, result):
        return _("The plan was submitted: the managers who approve it were told.")


class PlanApproveView(_DecisionView):
    form_class, form_key, prefix = CommentForm, "plan_approve_form", "approve"

    def perform(self, *, complaint, form, data):
        return core.plan_approve(plan=self.plan(complaint), actor=self.request.user, comment=data["comment"])

    def success_message(self, complaint, result):
        return _("The plan was approved: its measures are open and their owners were told.")


class PlanRejectView(_DecisionView):
    form_class, form_key, prefix = RejectForm, "plan_reject_form", "reject"

    def perform(self, *, complaint, form, data):
        return core.plan_reject(plan=self.plan(complaint), actor=self.request.user, reason=data["reason"])

    def success_message(self, complaint, result):
        return _("The plan was rejected; its author revises it.")


class PlanReviseView(_PlanView):
    form_class, form_key, prefix = CommentForm, "plan_revise_form", "revise"

    def perform(self, *, complaint, form, data):
        return core.plan_revise(plan=self.plan(complaint), actor=self.request.user)

    def success_url(self, record) -> str:
        return record.get_absolute_url() + f"#{ANCHOR}"

    def success_message(self, complaint, result):
        return _("Version %(version)s was made from the previous one: change it and submit it.") % {
            "version": result.version}


class PlanWithdrawView(_PlanView):
    form_class, form_key, prefix = CommentForm, "plan_withdraw_form", "withdraw"

    def perform(self, *, complaint, form, data):
        return core.plan_withdraw(plan=self.plan(complaint), actor=self.request.user)

    def success_message(self, complaint, result):
        return _("The draft was withdrawn.")


class ProgressReportView(_PlanView):
    form_class, form_key, prefix = ProgressForm, "progress_form", "progress"

    def perform(self, *, complaint, form, data):
        return services.complaint_progress_report(complaint=complaint, actor=self.request.user,
                                                  channel=data["channel"], summary=data["summary"],
                                                  occurred_at=data["occurred_at"])

    def success_message(self, complaint, result):
        return _("The progress report to the customer was logged.")


def _plan(suffix: str, view, name: str):
    return path(f"<int:pk>/plans/<int:plan_pk>/{suffix}", view.as_view(), name=name)


def _measure(suffix: str, view, name: str):
    return path(f"<int:pk>/plans/<int:plan_pk>/measures/<int:measure_pk>/{suffix}", view.as_view(), name=name)


urlpatterns = [
    path("<int:pk>/plans/", PlanCreateView.as_view(), name="complaint-plan-create"),
    path("<int:pk>/progress/", ProgressReportView.as_view(), name="complaint-progress"),
    _plan("", PlanUpdateView, "complaint-plan-update"),
    _plan("submit/", PlanSubmitView, "complaint-plan-submit"),
    _plan("approve/", PlanApproveView, "complaint-plan-approve"),
    _plan("reject/", PlanRejectView, "complaint-plan-reject"),
    _plan("revise/", PlanReviseView, "complaint-plan-revise"),
    _plan("withdraw/", PlanWithdrawView, "complaint-plan-withdraw"),
    _plan("measures/", MeasureAddView, "complaint-measure-add"),
    _measure("", MeasureUpdateView, "complaint-measure-update"),
    _measure("remove/", MeasureRemoveView, "complaint-measure-remove"),
    _measure("done/", MeasureDoneView, "complaint-measure-done"),
]
