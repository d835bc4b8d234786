"""QC-2 random spot checks (不定期抽查): the reproducible draw of an inspection's sample.

The inspector picks a module, a department, a period and a sample size; the system draws the
sample through the sampling registry (``qsm.sampling``: each module says which of its records
belong to a department and a period) with a seed it stores on the inspection, so the same seed
draws the same records again (``redraw``). VIS-2: "re-check only" samples the phone visits marked
for re-check. ``draw_into`` also fills the sample of a scheduled inspection (h3's beat sweep).

The draw costs a constant number of queries whatever the sample size: the candidates' keys (1),
the drawn records with what their snapshot needs (1), the samples (1 bulk insert), the checklist's
items (1), the pending findings (1 bulk insert).
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm import sampling
from qsm.errors import PermissionDenied, ValidationError
from qsm.notify.services import notify
from qsm.org.rules import in_quality_department, is_administrator
from qsm.workflow import engine
from qsm.workflow.services import next_number

from .models import MAX_SAMPLE_SIZE, Checklist, ChecklistItem, Finding, InspectedRecord, Inspection
from .rules import can_draw_spot_check
from .workflows import KIND_INSPECTION_ASSIGNED

NUMBER_PREFIX = "INS"
# A spot check is to be carried out within this many days unless the inspector says otherwise.
SPOT_CHECK_DAYS = 7
SEED_BITS = 62  # fits the BigIntegerField with room to spare
# The longest period a spot check may cover (the draw reads every candidate's key of the period).
MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class Draw:
    """What a draw gave: ``drawn`` records of the ``asked`` sample size out of ``available``."""

    asked: int
    drawn: int
    available: int

    @property
    def short(self) -> bool:
        """Fewer candidates than the sample size asked: every candidate was taken."""
        return self.drawn < self.asked


def new_seed() -> int:
    return secrets.randbits(SEED_BITS)


def _candidates(inspection: Inspection) -> tuple[list[int], int]:
    return sampling.draw_counted(inspection.module, inspection.department, inspection.period_start,
                                 inspection.period_end, inspection.sample_size, inspection.seed,
                                 recheck_only=inspection.recheck_only)


def redraw(inspection: Inspection) -> list[int]:
    """The keys the inspection's stored seed draws now, in draw order (an audit: the same as its
    samples while the module's records of that department and period are unchanged)."""
    return _candidates(inspection)[0]


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def draw_into(inspection: Inspection, *, keys: list[int] | None = None, available: int | None = None) -> Draw:
    """Draw the sample of ``inspection`` (its stored seed) into InspectedRecord rows, a snapshot of
    each record's number, title and page, and a pending finding for every active item of its
    checklist on every sampled record. Idempotent: an inspection already sampled is left alone."""
    existing = InspectedRecord.objects.filter(inspection=inspection).count()
    if existing:
        return Draw(asked=inspection.sample_size, drawn=existing, available=available if available is not None else existing)
    if keys is None:
        keys, available = _candidates(inspection)
    records = sampling.describe(inspection.module, keys)
    content_type = ContentType.objects.get_for_model(sampling.population(inspection.module).model)
    samples = []
    for key in keys:
        if key not in records:  # deleted between the draw and now (records are never deleted; belt and braces)
            continue
        _, snapshot = records[key]
        samples.append(InspectedRecord(
            inspection=inspection, content_type=content_type, object_id=key, number=_clip(snapshot.number, 40),
            title=_clip(snapshot.title, 300), url=snapshot.url[:300], department_id=inspection.department_id,
            position=len(samples) + 1))
    samples = InspectedRecord.objects.bulk_create(samples)
    items = list(ChecklistItem.objects.filter(checklist_id=inspection.checklist_id, active=True)
                 .order_by("position", "id").only("id", "kind"))
    Finding.objects.bulk_create([Finding(sample=sample, inspection=inspection, item=item, kind=item.kind)
                                 for sample in samples for item in items], ignore_conflicts=True)
    return Draw(asked=inspection.sample_size, drawn=len(samples),
                available=available if available is not None else len(samples))


def _errors(*, module, department, period_start, period_end, sample_size, checklist, inspector,
            recheck_only, seed) -> dict[str, str]:
    errors: dict[str, str] = {}
    try:
        population = sampling.population(module)
    except sampling.UnknownPopulation:
        population = None
        errors["module"] = _("Choose one of the modules that can be sampled.")
    if department is None:
        errors["department"] = _("Choose the department to inspect.")
    if period_start is None or period_end is None:
        errors["period_end" if period_start else "period_start"] = _("Give the period: from and to.")
    elif period_end < period_start:
        errors["period_end"] = _("The end of the period cannot be before its start.")
    elif period_start > timezone.localdate():
        errors["period_start"] = _("The period has not started yet: there is nothing to sample.")
    elif (period_end - period_start).days >= MAX_PERIOD_DAYS:
        errors["period_end"] = _("A spot check covers at most %(days)d days.") % {"days": MAX_PERIOD_DAYS}
    if not isinstance(sample_size, int) or isinstance(sample_size, bool) or not 1 <= sample_size <= MAX_SAMPLE_SIZE:
        errors["sample_size"] = _("The sample size is a whole number from 1 to %(max)d.") % {"max": MAX_SAMPLE_SIZE}
    if checklist is None:
        errors["checklist"] = _("Choose the checklist to judge the records with.")
    elif population is not None and (checklist.module != module or not checklist.active):
        errors["checklist"] = _("Choose an active checklist of the module sampled.")
    if recheck_only and population is not None and not population.supports_recheck:
        errors["recheck_only"] = _("Only phone visits can be marked for re-check: choose the return visits.")
    if inspector is not None and not (inspector.is_active and (in_quality_department(inspector)
                                                               or is_administrator(inspector))):
        errors["inspector"] = _("The inspector is an active member of the quality department.")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2 ** 63):
        errors["seed"] = _("The seed is a whole number from 0 to 2⁶³−1.")
    return errors


def create_spot_check(actor, *, module: str, department, period_start: dt.date, period_end: dt.date,
                      sample_size: int, checklist: Checklist, inspector=None, recheck_only: bool = False,
                      seed: int | None = None, due_on: dt.date | None = None, title: str = "") -> Inspection:
    """QC-2: a random spot check of ``module``'s records of ``department`` in the period (inclusive),
    its sample drawn at once with ``seed`` (a new random one when None; stored). Fewer records than
    asked: all of them are taken (``inspection.draw.short``). No record at all: nothing is created.
    The quality department's staff (or an administrator) draw spot checks."""
    if not can_draw_spot_check(actor):
        raise PermissionDenied(_("Only the quality department draws spot checks."))
    errors = _errors(module=module, department=department, period_start=period_start, period_end=period_end,
                     sample_size=sample_size, checklist=checklist, inspector=inspector, recheck_only=recheck_only,
                     seed=seed)
    today = timezone.localdate()
    due_on = due_on or today + dt.timedelta(days=SPOT_CHECK_DAYS)
    if due_on < today:
        errors["due_on"] = _("The date to be done by cannot be in the past.")
    if errors:
        raise ValidationError(errors, code="invalid")
    inspector = inspector or actor
    seed = new_seed() if seed is None else seed
    population = sampling.population(module)
    inspection = Inspection(
        number="", kind=Inspection.Kind.SPOT, department=department, module=module, checklist=checklist,
        period_start=period_start, period_end=period_end, sample_size=sample_size, seed=seed,
        recheck_only=recheck_only, inspector=inspector, due_on=due_on, created_by=actor,
        title=_clip((title or "").strip() or _("Spot check of %(module)s, %(department)s") % {
            "module": population.label, "department": department.name}, 200))
    _validate_title(inspection)
    with transaction.atomic():
        keys, available = _candidates(inspection)
        if not keys:
            raise ValidationError({"period_start": _("No record of that module, department and period can be sampled:"
                                                     " choose another period or department.")}, code="empty")
        inspection.number = next_number(NUMBER_PREFIX)
        inspection.save()
        engine.record_created(inspection, actor=actor)
        inspection.draw = draw_into(inspection, keys=keys, available=available)
        if inspector.pk != getattr(actor, "pk", None):
            notify(recipients=[inspector], kind=KIND_INSPECTION_ASSIGNED,
                   title=gettext_lazy("Inspection %(number)s assigned to you"), params={"number": inspection.number},
                   url=inspection.get_absolute_url())
    return inspection


def _validate_title(inspection: Inspection) -> None:
    from django.core.exceptions import ValidationError as DjangoValidationError

    try:
        inspection.clean_fields(exclude=[f.name for f in Inspection._meta.fields if f.name != "title"])
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict, code="invalid") from None
