from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")
    # Rows every installation needs (the SLA policies of the complaint clocks), reloaded into a
    # flushed test database (qsm.registry).
    reference_data = "complaints.reference:load"

    def ready(self) -> None:
        # CMP-4/CMP-5 (h4): the confirmation link's purpose, the customer-facing summary, the
        # follow-up reason, the record page's confirmation and report sections, the exports.
        from . import (  # noqa: F401
            confirmation_sections,
            rules,  # visibility and who-may predicates
            survey,
            workflows,  # the complaint, plan, measure, preventive-measure and report tables
        )
        from .selectors import prevention

        survey.register()
        confirmation_sections.register()
        prevention.register_exports()
