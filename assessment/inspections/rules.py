"""QC-2: who sees and who works inspections. assessment/inspections/workflows.py says when.

Sees an inspection, its samples and findings: the quality department (everything), the inspector,
and the managers of the inspected department (read). Everyone else gets a 404.
Works it (starts, judges, completes): the inspector and the quality department's staff.
Plans and checklists, spot checks: the quality department's staff. Cancelling: the quality manager.
"""
from __future__ import annotations

import rules

from qsm.visibility import Visibility, register

from ..rules import is_quality_manager, quality_staff_or_admin
from .models import Checklist, ChecklistItem, Finding, InspectedRecord, Inspection, InspectionPlan

INSPECTION_VISIBILITY = register(Inspection, Visibility(
    owner="inspector", departments=(), manager_departments=("department",),
))
SAMPLE_VISIBILITY = register(InspectedRecord, Visibility(through="inspection"))
FINDING_VISIBILITY = register(Finding, Visibility(through="inspection"))
# Plans and checklists are the quality department's tools: its staff, and each plan's inspector.
PLAN_VISIBILITY = register(InspectionPlan, Visibility(owner="inspector", departments=(),
                                                      manager_departments=("department",)))
CHECKLIST_VISIBILITY = register(Checklist, Visibility(owner="owner", departments=()))
CHECKLIST_ITEM_VISIBILITY = register(ChecklistItem, Visibility(through="checklist"))

can_view_inspection = rules.predicate(INSPECTION_VISIBILITY.can_view, name="can_view_inspection")
can_view_finding = rules.predicate(FINDING_VISIBILITY.can_view, name="can_view_finding")


@rules.predicate
def is_inspector(user, inspection) -> bool:
    return bool(getattr(user, "is_authenticated", False) and inspection.inspector_id == user.pk)


# Checklists, inspection plans, spot checks: the quality department.
can_manage_checklists = quality_staff_or_admin
can_manage_plans = quality_staff_or_admin
can_draw_spot_check = quality_staff_or_admin
# QC-2: who carries an inspection out (start, judge the items, complete).
can_work_inspection = is_inspector | quality_staff_or_admin
can_cancel_inspection = is_quality_manager


@rules.predicate
def can_judge_finding(user, finding) -> bool:
    return can_work_inspection(user, finding.inspection)


rules.add_perm("assessment.view_inspection", can_view_inspection)
rules.add_perm("assessment.add_inspection", can_draw_spot_check)
