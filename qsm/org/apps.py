from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "qsm.org"
    label = "org"
    verbose_name = _("Organisation")
    # Rows every installation needs, reloaded into a flushed test database (qsm.registry).
    reference_data = "qsm.org.reference:load"
    # Its part of the demo data (DATA-1), built by `manage.py load_demo_data` in app order.
    demo_data = "qsm.org.demo:build"
