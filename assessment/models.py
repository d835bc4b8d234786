"""The quality-control models (§4): Django reads them here; each concern keeps its own module."""
from .inspections.models import (  # noqa: F401
    Checklist,
    ChecklistItem,
    Finding,
    InspectedRecord,
    Inspection,
    InspectionPlan,
    ItemKind,
)
from .rectification.models import Notice, RectificationMeasure, RectificationPlan  # noqa: F401
from .standards.models import Standard, StandardVersion  # noqa: F401
from .training.models import Attendance, Topic, TrainingPlan, TrainingSession  # noqa: F401
