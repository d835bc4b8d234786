from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "qsm.org"
    label = "org"
    verbose_name = _("Organisation")
    # Rows every installation needs, reloaded into a flushed test database (qsm.registry).
    reference_data = "qsm.org.reference:load"
