from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")
    # Rows every installation needs (the SLA policies of the complaint clocks), reloaded into a
    # flushed test database (qsm.registry).
    reference_data = "complaints.reference:load"

    def ready(self) -> None:
        from . import (  # noqa: F401
            rules,  # visibility and who-may predicates
            work_setup,
            workflows,  # the complaint, plan, measure, preventive-measure and report tables
        )

        work_setup.register()  # investigation, plans, measures: timeline lines, kinds, export, page sections
