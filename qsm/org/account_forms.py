"""SEC-2: the password forms of the pages, in the app's style (Django's forms and validators)."""
from __future__ import annotations

from django.contrib.auth import forms as auth_forms
from django.template import loader
from django.utils import translation

from .forms import BootstrapFormMixin


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    pass


class PasswordResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    """The e-mail goes out on the mail queue after the request (NTF-1: sending never blocks a
    request), written in the recipient's saved language."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        from .tasks import send_password_reset_email

        with translation.override(getattr(context.get("user"), "language", None) or translation.get_language()):
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
        send_password_reset_email.delay_on_commit(subject=subject, body=body, to=to_email)
