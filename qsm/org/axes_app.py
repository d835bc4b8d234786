"""django-axes' app under a name a Chinese administrator reads (ADMIN-1): the admin section of the
access attempts is "登录保护", not "Axes". Its models' and fields' names are translated in
locale/zh_Hans (axes ships no Chinese catalogue). Only the labels; axes' behaviour is configured
in settings."""
from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in protection")

    def ready(self) -> None:
        super().ready()
        from axes import admin as axes_admin
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog
        from django.utils import formats

        # ADMIN-1: axes names its rows in English ("Attempted Access: …") and leaves its status
        # column unnamed ("Status"); what the admin shows is in the reader's language.
        def when(moment) -> str:
            return formats.date_format(moment, "DATETIME_FORMAT") if moment else ""

        AccessAttempt.__str__ = lambda self: _("Sign-in attempt: %(time)s") % {"time": when(self.attempt_time)}
        AccessLog.__str__ = lambda self: _("Sign-in of %(user)s at %(time)s") % {
            "user": self.username, "time": when(self.attempt_time)}
        AccessFailureLog.__str__ = lambda self: _("Failed sign-in of %(user)s at %(time)s from %(ip)s") % {
            "user": self.username, "time": when(self.attempt_time), "ip": self.ip_address}
        axes_admin.AccessAttemptAdmin.status.short_description = _("status")
        axes_admin.AccessAttemptAdmin.expiration.short_description = _("expires at")
