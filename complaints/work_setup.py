"""What the investigation, the handling plans and the measures (CMP-2, CMP-3) register at start-up
(ComplaintsConfig.ready): their timeline lines and notification kind, the measure export, and their
sections of the complaint page (complaints.sections)."""
from __future__ import annotations


def register() -> None:
    from . import measure_exports, measure_filters  # noqa: F401  (measure_filters: the measures' search)
    from .services import investigation, plans

    investigation.register()
    plans.register()
    measure_exports.register()
    _sections()


def _sections() -> None:
    from . import sections
    from .views.investigation import investigation_section
    from .views.plans import plans_section

    sections.register_section("investigation", 20, "complaints/_investigation.html", investigation_section)
    sections.register_section("plans", 30, "complaints/_plans.html", plans_section)
