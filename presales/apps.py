from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PresalesConfig(AppConfig):
    name = "presales"
    verbose_name = _("Pre-sales consultation")
    # Rows every installation needs, reloaded into a flushed test database (qsm.registry).
    reference_data = "presales.reference:load"
    # Its part of the demo data (DATA-1), built by `manage.py load_demo_data` in app order.
    demo_data = "presales.demo:build"
    # What `manage.py bench` measures of it (PERF-1, qsm.bench).
    bench = "presales.bench:lists"
    # Its part of the benchmark data (PERF-1), seeded by `manage.py seed_scale` in app order.
    scale_data = "presales.scale:seeder"
    # Its record pages, for modules that act on an inquiry and re-render its page (qsm.web.pages).
    record_pages = {"inquiry": "presales.views:render_inquiry_page"}

    def ready(self) -> None:
        from qsm import registry

        from . import workflows  # noqa: F401  (registers the inquiry lifecycle)
        from .selectors import inquiry_customer_history, inquiry_inbox
        from .timeline import register_texts

        registry.register_inbox(inquiry_inbox, module="presales")
        register_texts()  # how its service lines read on the timeline (WF-2)
        registry.register_customer_history(inquiry_customer_history)
        from . import exports

        exports.register()  # its exports, for the pages, the API and the export jobs (qsm.exports)
        from . import sampling

        sampling.register()  # QC-2: the records a spot check may sample (qsm.sampling)
