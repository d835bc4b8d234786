"""QC-1 pages: the library of standards (filters, Chinese search, CSV/Excel, cards on a phone), a
standard's page (the version in force, every version of its history, the sections other concerns add:
its training sessions), each version at its own URL with its Chinese PDF, the forms that create a
standard, edit its card, start a revision and edit the draft, and the version's action bar (submit,
approve, return with a reason, withdraw).

Every view reads through the selectors (a draft the user may not see is a 404) and writes through one
service call; refusals come back as 400 (fields), 403, 409 (``qsm.web.views.RecordPostView``).
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.views import add_validation_errors
from qsm.web.actions import RecordPageMixin, TransitionView, action_bar
from qsm.web.forms import TransitionForm
from qsm.web.views import RecordExportView, RecordListView, RecordPostView
from qsm.workflow.selectors import timeline

from ..choices import Module
from . import services
from .filters import StandardFilter
from .forms import StandardCardForm, StandardCreateForm, VersionForm
from .models import Standard, StandardVersion
from .rules import can_create_standard, can_edit_version, can_manage_standard
from .selectors import open_version, standard_get, standard_list, version_get, versions_of
from .workflows import VERSION_WORKFLOW

V = StandardVersion.Status


# --- the list (SEARCH-1) ----------------------------------------------------------------------------

class StandardListView(RecordListView):
    template_name = "assessment/standards/list.html"
    filterset_class = StandardFilter
    keys, rows_name = ("updated_at", "id"), "standards"

    def get_queryset(self):
        return standard_list(user=self.request.user)

    def get_context_data(self, **extra):
        return {"can_add_standard": can_create_standard(self.request.user), **extra}


class StandardExportView(RecordExportView):
    export_name = "assessment.standards"  # assessment/standards/exports.py


# --- the standard's page ---------------------------------------------------------------------------

def standard_page_context(request, standard: Standard, forms: dict | None = None) -> dict:
    user = request.user
    forms = forms or {}
    versions = versions_of(standard, user=user)
    can_manage = can_manage_standard(user, standard)
    revising = next((v for v in versions if v.status in StandardVersion.OPEN_STATES), None)
    return {
        "standard": standard,
        "current": standard.current_version,
        "versions": versions,
        "revising": revising,
        "can_manage": can_manage,
        "can_revise": can_manage and not standard.retired and revising is None and open_version(standard) is None,
        "departments": standard.loaded_departments,
        "module_labels": [dict(Module.choices).get(m, m) for m in standard.modules],
        "timeline": timeline(standard),
        "today": timezone.localdate(),
        "transition_form": forms.get("transition_form") or TransitionForm(),
    }


def render_standard_page(request, standard: Standard, *, forms: dict | None = None, status: int = 200):
    return render(request, "assessment/standards/detail.html", standard_page_context(request, standard, forms),
                  status=status)


class StandardPage(RecordPageMixin):
    record_selector, record_name = staticmethod(standard_get), "standard"

    def render_record(self, record, *, forms, status):
        return render_standard_page(self.request, record, forms=forms, status=status)


class StandardDetailView(StandardPage, LoginRequiredMixin, View):
    def get(self, request, pk: int):
        return render_standard_page(request, self.get_record(pk))


class StandardReviseView(StandardPage, RecordPostView):
    """QC-1 §4(一)2: start the next revision (a draft copied from the newest version)."""

    anchor = "versions"

    def perform(self, *, standard, form, data):
        return services.version_revise(standard=standard, actor=self.request.user)

    def success_url(self, record) -> str:
        return self.result_url

    def run(self, form, record):
        result, error = super().run(form, record)
        if result is not None:
            self.result_url = result.get_absolute_url() + "edit/"
        return result, error

    def success_message(self, record, result) -> str:
        return _("Version %(version)s was drafted from the current text: change it, then submit it for review.") % {
            "version": result.version}


# --- the forms of their own page (create, card, draft) ----------------------------------------------

class _FormPage(LoginRequiredMixin, View):
    """A form on a page of its own: GET shows it, POST calls one service; a service's refusal lands on
    the fields (400) or as a message (409)."""

    template_name = ""
    form_class = None

    def initial(self) -> dict:
        return {}

    def context(self, form) -> dict:
        return {"form": form}

    def save(self, data):  # pragma: no cover - each page implements it
        raise NotImplementedError

    def show(self, form, status=200):
        return render(self.request, self.template_name, self.context(form), status=status)

    def get(self, request, **kwargs):
        return self.show(self.form_class(initial=self.initial()))

    def post(self, request, **kwargs):
        form = self.form_class(request.POST)
        if not form.is_valid():
            messages.error(request, _("Nothing was saved: please correct the marked fields."))
            return self.show(form, 400)
        try:
            result = self.save(form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(request, exc, form)
            return self.show(form, 400)
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            return self.show(form, 409)
        messages.success(request, self.saved_message(result))
        return redirect(self.success_url(result))

    def saved_message(self, result) -> str:
        return _("Saved.")

    def success_url(self, result) -> str:
        return result.get_absolute_url()


class StandardCreateView(_FormPage):
    template_name, form_class = "assessment/standards/form.html", StandardCreateForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_create_standard(request.user):
            raise PermissionDenied(_("You are not allowed to create service standards."))
        return super().dispatch(request, *args, **kwargs)

    def initial(self):
        return {"owner": self.request.user.pk}

    def context(self, form):
        return {"form": form, "creating": True}

    def save(self, data):
        return services.standard_create(actor=self.request.user, **data)

    def saved_message(self, standard):
        return _("Standard %(number)s was created with version 1 as a draft.") % {"number": standard.number}


class StandardEditView(_FormPage):
    template_name, form_class = "assessment/standards/form.html", StandardCardForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.standard = standard_get(user=request.user, pk=kwargs["pk"])
            if not can_manage_standard(request.user, self.standard):
                raise PermissionDenied(_("Only the owner or the quality department changes the standard."))
        return super().dispatch(request, *args, **kwargs)

    def initial(self):
        s = self.standard
        return {"title": s.title, "kind": s.kind, "modules": s.modules, "departments": s.loaded_departments,
                "owner": s.owner_id}

    def context(self, form):
        return {"form": form, "standard": self.standard}

    def save(self, data):
        return services.standard_update(standard=self.standard, actor=self.request.user, **data)

    def saved_message(self, standard):
        return _("The standard was changed.")


# --- a version --------------------------------------------------------------------------------------

def version_page_context(request, version: StandardVersion, forms: dict | None = None) -> dict:
    user = request.user
    forms = forms or {}
    standard = version.standard
    return {
        "version": version,
        "standard": standard,
        "is_current": standard.current_version_id == version.pk,
        "can_edit": version.status == V.DRAFT and can_edit_version(user, version),
        "others": versions_of(standard, user=user),
        "timeline": timeline(version),
        "failed_action": forms.get("failed_action", ""),
        "transition_form": forms.get("transition_form") or TransitionForm(),
        **action_bar(VERSION_WORKFLOW, version, user),
    }


def render_version_page(request, version: StandardVersion, *, forms: dict | None = None, status: int = 200):
    return render(request, "assessment/standards/version_detail.html", version_page_context(request, version, forms),
                  status=status)


class VersionPage(RecordPageMixin):
    record_selector, record_name = staticmethod(version_get), "version"

    def render_record(self, record, *, forms, status):
        return render_version_page(self.request, record, forms=forms, status=status)


class VersionDetailView(VersionPage, LoginRequiredMixin, View):
    def get(self, request, pk: int):
        return render_version_page(request, self.get_record(pk))


class VersionTransitionView(VersionPage, TransitionView):
    """Submit, approve, return (reason required), withdraw."""

    workflow = VERSION_WORKFLOW
    success_text = gettext_lazy("%(action)s: the version is now “%(state)s”.")

    def fire(self, version, action, data):
        return services.version_fire(version=version, actor=self.request.user, action=action,
                                     comment=data.get("comment", ""))


class VersionEditView(_FormPage):
    template_name, form_class = "assessment/standards/version_form.html", VersionForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.version = version_get(user=request.user, pk=kwargs["pk"])
            if not can_edit_version(request.user, self.version):
                raise PermissionDenied(_("Only the author, the owner or the quality department edits this draft."))
        return super().dispatch(request, *args, **kwargs)

    def show(self, form, status=200):
        if self.version.status != V.DRAFT and status == 200:
            messages.error(self.request, _("Only a draft is edited (this version is “%(state)s”).")
                           % {"state": self.version.get_status_display()})
            status = 409
        return super().show(form, status)

    def initial(self):
        v = self.version
        return {name: getattr(v, name) for name in services.VERSION_FIELDS}

    def context(self, form):
        return {"form": form, "version": self.version, "standard": self.version.standard}

    def save(self, data):
        return services.version_update(version=self.version, actor=self.request.user, **data)

    def saved_message(self, version):
        return _("The draft was saved.")


class VersionPdfView(LoginRequiredMixin, View):
    """QC-1: a version printed as a Chinese PDF (a superseded one too: the rules that applied then)."""

    def get(self, request, pk: int):
        from .pdf import version_pdf_response

        return version_pdf_response(version_get(user=request.user, pk=pk))
