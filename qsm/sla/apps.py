from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "qsm.sla"
    label = "sla"
    verbose_name = _("Service levels")
    # Rows every installation needs, reloaded into a flushed test database (qsm.registry).
    reference_data = "qsm.sla.reference:load"
    # Its part of the demo data (DATA-1), built by `manage.py load_demo_data` in app order.
    demo_data = "qsm.sla.demo:build"
