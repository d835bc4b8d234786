"""VIS-1 pages: the quality department lists the questionnaires and their versions and edits the
questions of a version (a version a visit used is frozen: saving it makes the next version)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.followup.reasons import reason_label
from qsm.views import add_validation_errors

from ..models import Questionnaire, QuestionnaireVersion, Visit
from ..questionnaire_forms import QuestionsForm
from ..services import questionnaires as services


class QualityOnlyMixin(LoginRequiredMixin):
    """Only the quality department (ORG-1 roles of that department); everyone else gets 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.can_edit_questionnaires(request.user):
            raise PermissionDenied(_("Only the quality department edits questionnaires."))
        return super().dispatch(request, *args, **kwargs)


def version_url(version: QuestionnaireVersion) -> str:
    return reverse("aftersales:questionnaire-version", args=[version.questionnaire_id, version.version])


def _versions(questionnaire: Questionnaire):
    used = Visit.objects.filter(questionnaire_version=OuterRef("pk"))
    return (QuestionnaireVersion.objects.filter(questionnaire=questionnaire)
            .annotate(question_count=Count("questions", distinct=True), in_use=Exists(used))
            .select_related("created_by").order_by("-version"))


class QuestionnaireListView(QualityOnlyMixin, View):
    def get(self, request):
        questionnaires = list(Questionnaire.objects.order_by("-is_active", "name", "pk"))
        used = Visit.objects.filter(questionnaire_version=OuterRef("pk"))
        versions = (QuestionnaireVersion.objects.filter(questionnaire__in=questionnaires)
                    .annotate(question_count=Count("questions", distinct=True), in_use=Exists(used))
                    .select_related("created_by").order_by("questionnaire_id", "-version"))
        by_questionnaire: dict[int, list] = {}
        for version in versions:
            by_questionnaire.setdefault(version.questionnaire_id, []).append(version)
        rows = []
        for q in questionnaires:
            own = by_questionnaire.get(q.pk, [])
            published = [v for v in own if v.published_at is not None]
            current = max(published, key=lambda v: v.version) if published else None
            rows.append({"questionnaire": q, "versions": own, "current": current,
                         "reason": reason_label(q.reason) if q.reason else ""})
        return render(request, "aftersales/questionnaire_list.html", {"rows": rows})


class _VersionView(QualityOnlyMixin, View):
    def get_version(self, pk: int, version: int) -> QuestionnaireVersion:
        return get_object_or_404(QuestionnaireVersion.objects.select_related("questionnaire", "created_by"),
                                 questionnaire_id=pk, version=version)

    def render_page(self, version: QuestionnaireVersion, form: QuestionsForm, *, status: int = 200):
        questions = services.version_questions(version)
        context = {
            "questionnaire": version.questionnaire, "version": version, "questions": questions, "form": form,
            "versions": _versions(version.questionnaire), "in_use": services.version_in_use(version),
            "current": services.version_current(version.questionnaire),
        }
        return render(self.request, "aftersales/questionnaire_version.html", context, status=status)


class QuestionnaireVersionView(_VersionView):
    """GET: the version's questions and the edit form; POST: save them (in place, or the next
    version when a visit used this one)."""

    def get(self, request, pk: int, version: int):
        version = self.get_version(pk, version)
        return self.render_page(version, QuestionsForm(questions=services.version_questions(version)))

    def post(self, request, pk: int, version: int):
        version = self.get_version(pk, version)
        form = QuestionsForm(request.POST)
        if not form.is_valid():
            return self.render_page(version, form)
        questions = form.questions()
        try:
            saved, created = services.version_save(version=version, actor=request.user, questions=questions,
                                                   note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_validation_errors(request, exc, form, field_map=form.field_map())
            return self.render_page(version, form)
        if created:
            messages.success(request, _("Version %(old)s has been used by visits, so the questions were saved as "
                                        "version %(new)s, which new visits now get.")
                             % {"old": version.version, "new": saved.version})
        else:
            messages.success(request, _("The questions of version %(n)s were saved.") % {"n": saved.version})
        return HttpResponseRedirect(version_url(saved))


class QuestionnaireVersionPublishView(_VersionView):
    def post(self, request, pk: int, version: int):
        version = self.get_version(pk, version)
        try:
            services.version_publish(version=version, actor=request.user)
        except ValidationError as exc:
            add_validation_errors(request, exc)
        except TransitionNotAllowed as exc:  # already published, or a newer one is: 409 with the reason
            messages.error(request, exc.message)
            return self.render_page(version, QuestionsForm(questions=services.version_questions(version)), status=409)
        else:
            messages.success(request, _("Version %(n)s is published: new visits get it.") % {"n": version.version})
        return HttpResponseRedirect(version_url(version))


class QuestionnaireDraftView(_VersionView):
    """A new draft version that starts as a copy of this one (published later with "publish")."""

    def post(self, request, pk: int, version: int):
        version = self.get_version(pk, version)
        try:
            draft = services.version_create(questionnaire=version.questionnaire, actor=request.user,
                                            questions=services.version_inputs(version), publish=False,
                                            note=_("Draft from version %(n)s") % {"n": version.version})
        except ValidationError as exc:
            add_validation_errors(request, exc)
            return HttpResponseRedirect(version_url(version))
        messages.success(request, _("Draft version %(n)s was made: edit its questions, then publish it.")
                         % {"n": draft.version})
        return HttpResponseRedirect(version_url(draft))
