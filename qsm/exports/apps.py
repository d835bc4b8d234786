from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "qsm.exports"
    label = "exports"
    verbose_name = _("Exports")

    def ready(self) -> None:
        from qsm.notify.kinds import register_kind

        register_kind("export_ready", _("Export ready"))
        register_kind("export_failed", _("Export failed"))
