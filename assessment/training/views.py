"""QC-5 pages: plan and session lists (SEARCH-1, cards on a phone) with exports, the plan page
(sessions, completion per member), the session page (attendees, attendance and scores, sign-in
sheet and score import), each person's training record.

Every page reads through training.selectors (another department's plan or session is a 404); every
POST calls one service, then redirects or re-renders with the bound form: 400 invalid input, 409 an
illegal state, 403 a missing right (``qsm.web.views.RecordPostView``).
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.org.models import User
from qsm.parsing import parse_id
from qsm.views import add_validation_errors
from qsm.web.actions import RecordPageMixin, TransitionView, action_bar
from qsm.web.forms import TransitionForm
from qsm.web.views import RecordExportView, RecordListView, RecordPostView
from qsm.workflow.selectors import timeline

from . import excel, selectors, services
from .exports import PLAN_EXPORT, SESSION_EXPORT
from .filters import TrainingPlanFilter, TrainingSessionFilter
from .forms import AttendanceForm, AttendeesForm, PlanForm, ScoreImportForm, SessionForm
from .models import Topic, TrainingPlan, TrainingSession
from .rules import can_create_training_plan, can_manage_training_plan, can_run_session, can_schedule_session
from .workflows import SESSION_WORKFLOW, TRAINING_PLAN_WORKFLOW

# --- lists -----------------------------------------------------------------------------------------


class PlanListView(RecordListView):
    template_name = "assessment/training/plan_list.html"
    filterset_class = TrainingPlanFilter
    keys, rows_name, status_choices = ("period_start", "id"), "plans", TrainingPlan.Status.choices

    def get_queryset(self):
        return selectors.plan_list(user=self.request.user)

    def get_context_data(self, **extra):
        return {"can_add_plan": can_create_training_plan(self.request.user), "topics": Topic.choices, **extra}


class PlanExportView(RecordExportView):
    export_name = PLAN_EXPORT


class SessionListView(RecordListView):
    template_name = "assessment/training/session_list.html"
    filterset_class = TrainingSessionFilter
    keys, rows_name, status_choices = ("starts_at", "id"), "sessions", TrainingSession.Status.choices

    def get_queryset(self):
        return selectors.session_list(user=self.request.user)

    def get_context_data(self, **extra):
        # The trainer filter once picked shows the person's name (one query, only when filtered).
        trainer_id = parse_id(self.request.GET.get("trainer"))
        trainer = User.objects.filter(pk=trainer_id).first() if trainer_id else None
        return {"filter_trainer": trainer, **extra}


class SessionExportView(RecordExportView):
    export_name = SESSION_EXPORT


# --- the plan page -----------------------------------------------------------------------------------


def render_plan_page(request, plan: TrainingPlan, *, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    user = request.user
    completion = selectors.plan_completion(plan)
    ctx = {
        "plan": plan,
        "sessions": selectors.plan_sessions(plan),
        "completion": completion,
        "summary": selectors.plan_summary(completion),
        "can_manage": can_manage_training_plan(user, plan),
        "can_schedule": plan.status != TrainingPlan.Status.CLOSED and can_schedule_session(user, plan),
        "topic_labels": [str(dict(Topic.choices).get(t, t)) for t in plan.topics],
        "timeline": timeline(plan),
        "fire_url": f"{plan.get_absolute_url()}fire/",
        "failed_action": forms.get("failed_action", ""),
        "transition_form": forms.get("transition_form") or TransitionForm(),
        **action_bar(TRAINING_PLAN_WORKFLOW, plan, user),
    }
    return render(request, "assessment/training/plan_detail.html", ctx, status=status)


class PlanPage(RecordPageMixin):
    record_selector, record_name = staticmethod(selectors.plan_get), "plan"

    def render_record(self, record, *, forms, status):
        return render_plan_page(self.request, record, forms=forms, status=status)


class PlanDetailView(PlanPage, LoginRequiredMixin, View):
    def get(self, request, pk: int):
        return render_plan_page(request, self.get_record(pk))


class PlanTransitionView(PlanPage, TransitionView):
    workflow = TRAINING_PLAN_WORKFLOW
    success_text = gettext_lazy("%(action)s: the training plan is now “%(state)s”.")

    def fire(self, record, action, data):
        return services.plan_fire(plan=record, actor=self.request.user, action=action, comment=data.get("comment", ""))


class _FormPage(LoginRequiredMixin, View):
    """A page with one form that calls one service (new plan, edit plan, new / edit session)."""

    template_name = "assessment/training/form.html"
    heading = ""

    def form(self, data=None):  # pragma: no cover - each page declares it
        raise NotImplementedError

    def save(self, form):  # pragma: no cover
        raise NotImplementedError

    def cancel_url(self) -> str:  # pragma: no cover
        raise NotImplementedError

    def allowed(self) -> bool:
        return True

    def render_form(self, form, status=200):
        return render(self.request, self.template_name, {"form": form, "heading": self.heading,
                                                         "cancel_url": self.cancel_url()}, status=status)

    def get(self, request, **kwargs):
        if not self.allowed():
            raise PermissionDenied
        return self.render_form(self.form())

    def post(self, request, **kwargs):
        if not self.allowed():
            raise PermissionDenied
        form = self.form(request.POST)
        if form.is_valid():
            try:
                record = self.save(form)
            except ValidationError as exc:
                add_validation_errors(request, exc, form)
                return self.render_form(form, 400)
            except TransitionNotAllowed as exc:
                messages.error(request, exc.message)
                return self.render_form(form, 409)
            messages.success(request, _("Saved."))
            return redirect(record.get_absolute_url())
        messages.error(request, _("Nothing was saved: please correct the marked fields."))
        return self.render_form(form, 400)


class PlanCreateView(_FormPage):
    heading = gettext_lazy("New training plan")

    def allowed(self):
        return can_create_training_plan(self.request.user)

    def form(self, data=None):
        return PlanForm(data, user=self.request.user)

    def cancel_url(self):
        from django.urls import reverse

        return reverse("assessment:training-plan-list")

    def save(self, form):
        d = form.cleaned_data
        return services.plan_create(actor=self.request.user, title=d["title"], department=d["department"],
                                    period_start=d["period_start"], period_end=d["period_end"],
                                    target_hours=d["target_hours"], topics=d["topics"], notes=d["notes"])


class PlanEditView(_FormPage):
    heading = gettext_lazy("Edit training plan")

    def dispatch(self, request, *args, **kwargs):
        self.plan = selectors.plan_get(user=request.user, pk=kwargs["pk"]) if request.user.is_authenticated else None
        return super().dispatch(request, *args, **kwargs)

    def allowed(self):
        return can_manage_training_plan(self.request.user, self.plan)

    def form(self, data=None):
        return PlanForm(data, instance=selectors.plan_get(user=self.request.user, pk=self.plan.pk))

    def cancel_url(self):
        return self.plan.get_absolute_url()

    def save(self, form):
        d = form.cleaned_data
        return services.plan_update(plan=self.plan, actor=self.request.user, title=d["title"],
                                    period_start=d["period_start"], period_end=d["period_end"],
                                    target_hours=d["target_hours"], topics=d["topics"], notes=d["notes"])


class SessionCreateView(_FormPage):
    heading = gettext_lazy("New training session")

    def dispatch(self, request, *args, **kwargs):
        self.plan = selectors.plan_get(user=request.user, pk=kwargs["pk"]) if request.user.is_authenticated else None
        return super().dispatch(request, *args, **kwargs)

    def allowed(self):
        return can_schedule_session(self.request.user, self.plan)

    def form(self, data=None):
        return SessionForm(data, initial={"topic": (self.plan.topics or [Topic.STANDARDS])[0]})

    def cancel_url(self):
        return self.plan.get_absolute_url()

    def save(self, form):
        d = form.cleaned_data
        return services.session_schedule(
            plan=self.plan, actor=self.request.user, title=d["title"], topic=d["topic"], trainer=d["trainer"],
            trainer_name=d["trainer_name"], starts_at=d["starts_at"], ends_at=d["ends_at"], hours=d["hours"],
            place=d["place"], notes=d["notes"], standards=d["standards"])


class SessionEditView(_FormPage):
    heading = gettext_lazy("Edit training session")

    def dispatch(self, request, *args, **kwargs):
        self.session = (selectors.session_get(user=request.user, pk=kwargs["pk"])
                        if request.user.is_authenticated else None)
        return super().dispatch(request, *args, **kwargs)

    def allowed(self):
        return can_run_session(self.request.user, self.session)

    def form(self, data=None):
        return SessionForm(data, instance=selectors.session_get(user=self.request.user, pk=self.session.pk),
                           initial={"standards": list(self.session.standards.all())})

    def cancel_url(self):
        return self.session.get_absolute_url()

    def save(self, form):
        d = form.cleaned_data
        data = {k: d[k] for k in ("title", "topic", "trainer", "trainer_name", "starts_at", "ends_at", "place", "notes")}
        if d.get("hours"):
            data["hours"] = d["hours"]
        return services.session_update(session=self.session, actor=self.request.user, standards=d["standards"], **data)


# --- the session page ----------------------------------------------------------------------------------


def render_session_page(request, session: TrainingSession, *, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    user = request.user
    can_run = can_run_session(user, session)
    attendances = selectors.session_attendances(session, None if can_run else user)
    attendance_form = forms.get("attendance_form") or AttendanceForm(attendances=attendances)
    ctx = {
        "session": session,
        "attendances": attendances,
        "attended_count": sum(1 for a in attendances if a.attended),
        "standards": selectors.session_standards(session),
        "can_run": can_run,
        "can_edit": can_run and session.status == TrainingSession.Status.SCHEDULED,
        "can_score": can_run and session.status == TrainingSession.Status.HELD,
        "can_add": can_run and session.status != TrainingSession.Status.CANCELLED,
        "attendance_rows": attendance_form.bound_rows(),
        "attendance_form": attendance_form,
        "attendees_form": forms.get("attendees_form") or AttendeesForm(),
        "import_form": forms.get("import_form") or ScoreImportForm(),
        "import_errors": forms.get("import_errors") or [],
        "timeline": timeline(session),
        "now": timezone.now(),
        "fire_url": f"{session.get_absolute_url()}fire/",
        "failed_action": forms.get("failed_action", ""),
        "transition_form": forms.get("transition_form") or TransitionForm(),
        **action_bar(SESSION_WORKFLOW, session, user),
    }
    return render(request, "assessment/training/session_detail.html", ctx, status=status)


class SessionPage(RecordPageMixin):
    record_selector, record_name = staticmethod(selectors.session_get), "session"

    def render_record(self, record, *, forms, status):
        return render_session_page(self.request, record, forms=forms, status=status)


class SessionDetailView(SessionPage, LoginRequiredMixin, View):
    def get(self, request, pk: int):
        return render_session_page(request, self.get_record(pk))


class SessionTransitionView(SessionPage, TransitionView):
    workflow = SESSION_WORKFLOW
    success_text = gettext_lazy("%(action)s: the training session is now “%(state)s”.")

    def fire(self, record, action, data):
        return services.session_fire(session=record, actor=self.request.user, action=action,
                                     comment=data.get("comment", ""))


class AttendeesAddView(SessionPage, RecordPostView):
    form_class, form_key, anchor = AttendeesForm, "attendees_form", "attendees"

    def get_form(self, record):
        return AttendeesForm(self.request.POST)

    def perform(self, *, form, data, session):
        if not can_run_session(self.request.user, session):
            raise PermissionDenied
        return services.attendees_add(session=session, actor=self.request.user, people=data["people"])

    def success_message(self, record, result):
        return _("%(n)s attendees added.") % {"n": result}


class AttendanceView(SessionPage, RecordPostView):
    form_key, anchor = "attendance_form", "attendees"

    def get_form(self, record):
        return AttendanceForm(self.request.POST, attendances=selectors.session_attendances(record))

    def perform(self, *, form, data, session):
        return services.attendance_record(session=session, actor=self.request.user, rows=form.rows())

    def handle_error(self, exc, form):
        add_validation_errors(self.request, exc, form)

    def success_message(self, record, result):
        return _("Attendance and scores of %(n)s people saved.") % {"n": result}


class ScoreImportView(SessionPage, RecordPostView):
    form_class, form_key, anchor = ScoreImportForm, "import_form", "attendees"

    def perform(self, *, form, data, session):
        return excel.score_import(session=session, actor=self.request.user, upload=data["file"])

    def handle_error(self, exc, form):
        self.import_errors = exc.messages
        add_validation_errors(self.request, exc, form)

    def error_forms(self, form):
        return {"import_form": form, "import_errors": getattr(self, "import_errors", [])}

    def success_message(self, record, result):
        return _("Attendance and scores of %(n)s people imported.") % {"n": result}


class SignInSheetView(SessionPage, LoginRequiredMixin, View):
    def get(self, request, pk: int):
        session = self.get_record(pk)
        response = HttpResponse(excel.sign_in_sheet(session),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="sign-in-{session.number}.xlsx"'
        return response


# --- a person's training record -------------------------------------------------------------------------


class PersonRecordView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        person = selectors.person_get(user=request.user, pk=pk)
        attendances = selectors.person_attendances(person)
        return render(request, "assessment/training/person.html", {
            "person": person, "attendances": attendances, "plans": selectors.person_plans(person, attendances),
            "summary": selectors.person_summary(attendances)})


class MyTrainingView(LoginRequiredMixin, View):
    def get(self, request):
        return redirect("assessment:training-person", pk=request.user.pk)
