from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    # The right-most app of the dependency chain (DESIGN.md): it may read every module, which is
    # why the demo-data command that spans all of them lives here too.
    name = "assessment"
    verbose_name = _("Quality assessment")
    # Rows every installation needs (the SLA policies of the quality-control clocks), reloaded into
    # a flushed test database (qsm.registry).
    reference_data = "assessment.reference:load"
    # Its part of the benchmark data (PERF-1), seeded by `manage.py seed_scale` after every other module.
    scale_data = "assessment.scale:seeder"
    # What `manage.py bench` measures of it (PERF-1, qsm.bench): its lists once their pages exist.
    bench = "assessment.bench:lists"
    # Its part of the demo data (DATA-1), built by `manage.py load_demo_data` after every other module.
    demo_data = "assessment.demo:build"

    def ready(self) -> None:
        # The tables (WF-1) with their clocks, and who sees what (ORG-1), of each concern.
        from .inspections import rules as inspection_rules  # noqa: F401
        from .inspections import workflows as inspection_workflows  # noqa: F401
        from .rectification import rules as rectification_rules  # noqa: F401
        from .rectification import workflows as rectification_workflows  # noqa: F401
        from .standards import rules as standard_rules  # noqa: F401
        from .standards import workflows as standard_workflows  # noqa: F401
        from .training import rules as training_rules  # noqa: F401
        from .training import workflows as training_workflows  # noqa: F401

        # Each concern's exports, record-page sections, "my work" and beat tasks.
        _register_standards()  # QC-1
        from .inspections.sections import register as register_inspections

        register_inspections()  # QC-2: exports, findings on the inspected record's page, "my work", beat task
        from .inspections.timeline import register_texts as register_inspection_texts

        register_inspection_texts()  # QC-2: how the checklist's and the inspection's own lines read
        from .rectification import wiring as rectification_wiring

        rectification_wiring.register(self)  # QC-3: export, my work, record section, notice page
        from .training import exports as training_exports
        from .training import sections as training_sections

        training_exports.register()  # QC-5: the plan and session lists' CSV / Excel exports
        training_sections.register()  # QC-5: "my work" sessions, the standard page's 相关培训


def _register_standards() -> None:
    """QC-1: the standards export, the "applicable standards" sections, "my work", the beat sweep."""
    from .standards import (
        exports,
        sections,
        tasks,  # noqa: F401  (the beat sweep's task: not autodiscovered in a sub-package)
    )

    exports.register()
    sections.register()
