"""SEC-2: the password forms of the pages, in the app's style (Django's forms and validators)."""
from __future__ import annotations

import copy

from django.contrib.auth import forms as auth_forms
from django.core.validators import MaxLengthValidator
from django.template import loader
from django.utils import translation

from qsm.fields import SINGLE_LINE_MAX

from .forms import BootstrapFormMixin

# SEC-1: a password typed on these pages is one line of at most 200 characters, the limit the
# page form base gave Django's unbounded password fields when a form was built; declared on the
# class so that it is visible and rendered as ``maxlength``. Validation is otherwise Django's.
PASSWORD_MAX = SINGLE_LINE_MAX


def _bounded(form_class, name: str):
    """A copy of Django's password field ``name`` of ``form_class`` with a length (Django's own field
    objects, shared with the admin's forms, stay as they are)."""
    field = copy.deepcopy(form_class.base_fields[name])
    field.max_length = PASSWORD_MAX
    field.validators.append(MaxLengthValidator(PASSWORD_MAX))
    field.widget.attrs["maxlength"] = str(PASSWORD_MAX)
    return field


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    old_password = _bounded(auth_forms.PasswordChangeForm, "old_password")
    new_password1 = _bounded(auth_forms.PasswordChangeForm, "new_password1")
    new_password2 = _bounded(auth_forms.PasswordChangeForm, "new_password2")


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    new_password1 = _bounded(auth_forms.SetPasswordForm, "new_password1")
    new_password2 = _bounded(auth_forms.SetPasswordForm, "new_password2")


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
