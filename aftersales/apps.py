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
    # Its record pages, for modules that act on a case and re-render its page (qsm.web.pages).
    record_pages = {"case": "aftersales.views.cases:render_case_page"}
    # What `manage.py bench` measures of it (PERF-1, qsm.bench).
    bench = "aftersales.bench:lists"
    # Its part of the benchmark data (PERF-1), seeded by `manage.py seed_scale` in app order.
    scale_data = "aftersales.scale:seeder"

    def ready(self) -> None:
        from . import (  # noqa: F401  (filters: the cases' search declaration, qsm.search)
            exports,
            filters,
            visit_setup,
            workflows,  # noqa: F401  (the case, plan, step and visit tables; rules and visibility)
        )
        from .inbox import register as register_inbox
        from .services import plans
        from .timeline import register_texts

        register_texts()  # how the cases' service lines read on the timeline (WF-2)
        exports.register()  # the case export, for the page, the API and the export jobs (qsm.exports)
        visit_setup.register()  # the survey link, the case's customer summary, visit timeline lines, export
        register_inbox()  # "my work", the customer page and the order page (qsm.registry)
        plans.register()  # the special-solution flow's notification kinds and timeline lines
        from . import sampling

        sampling.register()  # QC-2: the records a spot check may sample (qsm.sampling)
