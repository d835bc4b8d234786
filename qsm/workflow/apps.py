from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "qsm.workflow"
    label = "workflow"
    verbose_name = _("Workflow")

    def ready(self) -> None:
        from django.core import checks

        from .checks import clock_policies

        checks.register(clock_policies)
