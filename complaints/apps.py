from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")
    # Rows every installation needs (the SLA policies of the complaint clocks), reloaded into a
    # flushed test database (qsm.registry).
    reference_data = "complaints.reference:load"
    # The complaint's page, re-rendered by the core's record views (qsm.web.pages).
    record_pages = {"complaint": "complaints.views.record:render_complaint_page"}
    # Its part of the demo data (DATA-1), built by `manage.py load_demo_data` in app order.
    demo_data = "complaints.demo:build"
    # What `manage.py bench` measures of it (PERF-1, qsm.bench).
    bench = "complaints.bench:lists"
    # Its part of the benchmark data (PERF-1), seeded by `manage.py seed_scale` in app order.
    scale_data = "complaints.scale:seeder"

    def ready(self) -> None:
        from . import (  # noqa: F401
            confirmation_sections,
            entry_points,
            exports,
            rules,  # visibility and who-may predicates
            survey,
            work_setup,
            workflows,  # the complaint, plan, measure, preventive-measure and report tables
        )

        work_setup.register()  # investigation, plans, measures: timeline lines, kinds, export, page sections
        # CMP-4/CMP-5 (h4): the confirmation link's purpose, the customer-facing summary, the
        # follow-up reason, the record page's confirmation and report sections, the exports.
        from .selectors import prevention

        survey.register()
        confirmation_sections.register()
        prevention.register_exports()
        from .timeline import register_texts

        register_texts()  # how the reply and a plan's revision read on the timeline (WF-2)

        exports.register()  # SEARCH-1: the complaint list's CSV / Excel export
        entry_points.register()  # CMP-1: "Open a complaint" on the visit, case and order pages
        from .inbox import register as register_inbox

        register_inbox()  # "my work", the customer page, the order, visit and case pages (qsm.registry)
        from . import sampling

        sampling.register()  # QC-2: the records a spot check may sample (qsm.sampling)
