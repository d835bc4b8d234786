from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = _("After-sales service")
    # Rows every installation needs (SLA policies, cause taxonomy, questionnaires, visit rules),
    # reloaded into a flushed test database (qsm.registry).
    reference_data = "aftersales.reference:load"

    def ready(self) -> None:
        from . import workflows  # noqa: F401  (the case, plan, step and visit tables; rules and visibility)
        from .services import plans

        plans.register()  # the special-solution flow's notification kinds and timeline lines
