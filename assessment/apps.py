from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    # The right-most app of the dependency chain (DESIGN.md): it may read every module, which is
    # why the demo-data command that spans all of them lives here too.
    name = "assessment"
    verbose_name = _("Quality assessment")
