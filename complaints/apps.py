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
            workflows,  # the complaint, plan, measure, preventive-measure and report tables
        )
        # CMP-4/CMP-5 (h4): the confirmation link's purpose, the customer-facing summary, the
        # follow-up reason, the record page's confirmation and report sections, the exports.
        from . import confirmation_sections, survey
        from .selectors import prevention

        survey.register()
        confirmation_sections.register()
        prevention.register_exports()
