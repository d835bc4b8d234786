"""Core pages: my work (INBOX-1), notifications (NTF-1), language switch."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import ListView, TemplateView

from qsm import registry
from qsm.errors import TransitionNotAllowed
from qsm.notify.selectors import notification_list
from qsm.notify.services import notification_mark_read


class DomainErrorMixin:
    """Turns the core's domain errors into page feedback (STYLE.md: one page mixin).

    A view calls ``self.run(fn, form=form, **kwargs)``: a ValidationError becomes form errors,
    TransitionNotAllowed a 409 page message, PermissionDenied a 403.
    """

    def run_service(self, fn, *, form=None, **kwargs):
        from django.contrib import messages

        try:
            return fn(**kwargs), None
        except ValidationError as exc:
            if form is not None and hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    target = field if field in form.fields else None
                    for e in errors:
                        for m in e.messages:
                            form.add_error(target, m)
            else:
                for m in exc.messages:
                    messages.error(self.request, m)
            return None, exc
        except TransitionNotAllowed as exc:
            messages.error(self.request, exc.message)
            return None, exc
        except PermissionDenied:
            raise


class InboxView(LoginRequiredMixin, TemplateView):
    """INBOX-1: what waits on me across every module, by deadline, overdue first."""

    template_name = "inbox.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        items = registry.inbox_items(self.request.user)
        now = timezone.now()
        ctx["items"] = items
        ctx["now"] = now
        ctx["overdue_count"] = sum(1 for i in items if i.due_at and i.due_at < now)
        return ctx


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "notifications.html"
    paginate_by = 30
    context_object_name = "notifications"

    def get_queryset(self):
        return notification_list(user=self.request.user)


class NotificationMarkReadView(LoginRequiredMixin, View):
    def post(self, request):
        ids = request.POST.getlist("id")
        notification_mark_read(user=request.user, ids=[int(i) for i in ids if i.isdigit()] or None)
        return redirect("notifications")


class LanguageSwitchView(View):
    """Switch between 简体中文 and English; a signed-in user's choice is saved on the account."""

    def post(self, request):
        language = request.POST.get("language", "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        if request.user.is_authenticated and request.user.language != language:
            type(request.user).objects.filter(pk=request.user.pk).update(language=language)
        translation.activate(language)
        next_url = request.POST.get("next") or "/"
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = "/"
        response = HttpResponseRedirect(next_url)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
        return response
