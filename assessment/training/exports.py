"""SEARCH-1 / PERF-1: the training plan and session exports, declared once for the page, the API
and the export job."""
from django.utils.translation import gettext_lazy

from qsm.exports import ExportSpec, register_export

from .filters import TrainingPlanFilter, TrainingSessionFilter
from .selectors import plan_export_columns, plan_list, session_export_columns, session_list

PLAN_EXPORT = "assessment.training_plans"
SESSION_EXPORT = "assessment.training_sessions"


def register() -> None:
    register_export(ExportSpec(
        name=PLAN_EXPORT, filterset_class=TrainingPlanFilter, queryset=plan_list, columns=plan_export_columns,
        filename="training-plans", title=gettext_lazy("Training plans")))
    register_export(ExportSpec(
        name=SESSION_EXPORT, filterset_class=TrainingSessionFilter, queryset=session_list,
        columns=session_export_columns, filename="training-sessions",
        title=gettext_lazy("Training sessions")))
