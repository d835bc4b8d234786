"""Bulk rows for the QC-2 list tests (query counts at 10 and 100 rows): inspections and findings
written in a few statements, as the lists read them (the services are tested one by one elsewhere)."""
from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from assessment.inspections.models import Finding, InspectedRecord, Inspection
from qsm.workflow.services import next_number
from tests.builders.assessment import a_checklist


def bulk_inspections(n: int, *, people, department=None, inspector=None, status="completed", kind="spot",
                     module="inquiries", judged: bool = True) -> list[Inspection]:
    """``n`` inspections of ``department`` with one sampled record each and its findings judged."""
    department = department or people.department
    inspector = inspector or people.quality
    checklist = a_checklist(module=module, people=people)
    items = list(checklist.items.all())
    today = timezone.localdate()
    now = timezone.now()
    rows = [Inspection(number=next_number("INS"), kind=kind, department=department, module=module,
                       checklist=checklist, period_start=today - dt.timedelta(days=30), period_end=today,
                       sample_size=1, seed=1000 + i, inspector=inspector, status=status,
                       completed_at=now if status == "completed" else None, due_on=today + dt.timedelta(days=7),
                       title=f"批量抽查{i}", pass_count=1 if judged else 0, fail_count=1 if judged else 0)
            for i in range(n)]
    inspections = Inspection.objects.bulk_create(rows)
    ct = ContentType.objects.get_for_model(Inspection)  # any model: the lists read the snapshot only
    samples = InspectedRecord.objects.bulk_create([
        InspectedRecord(inspection=i, content_type=ct, object_id=i.pk, number=f"INQ-{i.pk}", title="样本",
                        department=department, position=1) for i in inspections])
    Finding.objects.bulk_create([
        Finding(sample=s, inspection_id=s.inspection_id, item=item, kind=item.kind,
                result=(("pass" if item.position == 1 else "fail") if judged else "pending"),
                comment="记录不完整" if judged and item.position != 1 else "",
                judged_by=inspector if judged else None, judged_at=now if judged else None)
        for s in samples for item in items])
    return inspections


def bulk_plans(n: int, *, people, checklist=None) -> None:
    """``n`` inspection plans and ``n`` checklists of the quality officer (the two small lists)."""
    from assessment.inspections.models import Checklist, InspectionPlan

    checklist = checklist or a_checklist(people=people)
    Checklist.objects.bulk_create([Checklist(name=f"检查表{i}", module="orders", owner=people.quality)
                                   for i in range(n)])
    InspectionPlan.objects.bulk_create([
        InspectionPlan(title=f"计划{i}", department=people.department, module="inquiries", checklist=checklist,
                       frequency="monthly", sample_size=3, inspector=people.quality,
                       next_run_on=timezone.localdate() + dt.timedelta(days=i)) for i in range(n)])
