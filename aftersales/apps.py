from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = _("After-sales service")
    # Rows every installation needs (SLA policies, cause taxonomy, questionnaires, visit rules),
    # reloaded into a flushed test database (qsm.registry).
    reference_data = "aftersales.reference:load"
    # Its part of the demo data (DATA-1), built by `manage.py load_demo_data` in app order.
    demo_data = "aftersales.demo:build"

    def ready(self) -> None:
        from . import workflows  # noqa: F401  (the case, plan, step and visit tables; rules and visibility)
