"""SEC-2 pages: sign in, change my password, set a new one through a reset link, and (only when
e-mail is configured) ask for a reset link by e-mail. Django's auth views, in the app's style."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from . import accounts
from .account_forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["password_reset_by_email"] = settings.QSM_PASSWORD_RESET_BY_EMAIL
        return context


def locked_out(request, original_response=None, credentials=None):
    """The login page's answer while the account or address is locked (django-axes): 429, in the
    app's style and the user's language."""
    from axes.helpers import get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else 15
    context = {"failure_limit": get_failure_limit(request, credentials), "minutes": minutes}
    return render(request, "accounts/locked_out.html", context, status=429)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change my own password (user menu). Other sessions and my API token end; this one stays."""

    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("inbox")

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.password_changed(user=form.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


class EmailResetEnabledMixin:
    def dispatch(self, request, *args, **kwargs):
        if not settings.QSM_PASSWORD_RESET_BY_EMAIL:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class PasswordResetView(EmailResetEnabledMixin, auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        # The link is built from SITE_URL, never from the Host header of the request.
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


class PasswordResetDoneView(EmailResetEnabledMixin, auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The one-time link (from the e-mail, or handed over by an administrator) to set a new password."""

    form_class = SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.password_changed(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
