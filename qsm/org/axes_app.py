"""django-axes' app under a name a Chinese administrator reads (ADMIN-1): the admin section of the
access attempts is "登录保护", not "Axes". Its models' and fields' names are translated in
locale/zh_Hans (axes ships no Chinese catalogue). Only the labels; axes' behaviour is configured
in settings."""
from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in protection")
