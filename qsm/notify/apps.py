from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "qsm.notify"
    label = "notify"
    verbose_name = _("Notifications")
    # Its part of the demo data (DATA-1), built by `manage.py load_demo_data` in app order.
    demo_data = "qsm.notify.demo:build"
