"""VIS-1: the visit scheduler. Beat runs it (``aftersales.tasks.schedule_visits``); it consumes the
core's follow-up queue and plans one visit per due row. No ETA tasks: what is due is read from the
database on every run, so a broker that was down for a week is caught up by the next run.

Each batch is one transaction: ``follow_up_claim_due`` locks up to ``batch`` due rows (SKIP LOCKED:
two schedulers at once share the rows, never plan one twice; ``Visit.follow_up`` is unique as well),
marks them consumed and the visits are created in the same transaction. A failure rolls the batch
back and its rows wait for the next run. Rows whose reason has no active rule (or whose rule's
questionnaire has no published version) are not claimed: they wait, and the run says so in the log.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy

from qsm.followup.models import FollowUp
from qsm.followup.services import follow_up_claim_due
from qsm.notify.services import notify
from qsm.org.models import Role, User
from qsm.sla.calendar import add_working_days
from qsm.workflow import engine
from qsm.workflow.actors import SystemActor
from qsm.workflow.services import next_number

from ..models import QuestionnaireVersion, Visit, VisitRule

log = logging.getLogger(__name__)

SCHEDULER = SystemActor("visit_scheduler")
VISIT_PREFIX = "HF"  # 回访


@dataclass
class _Plan:
    """What a run knows once: the active rules with their questionnaire versions, the owners."""

    rules: dict[str, tuple[VisitRule, QuestionnaireVersion]] = field(default_factory=dict)
    owners: dict[int, User | None] = field(default_factory=dict)
    unplannable: set[int] = field(default_factory=set)  # rows put back this run: not claimed again

    def owner_of(self, department) -> User | None:
        """The department's visit owner (回访负责人), else one of its managers, else nobody (its
        managers are then reminded: the clock's unassigned recipients)."""
        if department.pk not in self.owners:
            owner = department.visit_owner if department.visit_owner_id else None
            if owner is None or not owner.is_active:
                owner = (User.objects.filter(department=department, is_active=True, groups__name=Role.MANAGER)
                         .order_by("pk").first())
            self.owners[department.pk] = owner
        return self.owners[department.pk]


def _active_rules() -> dict[str, tuple[VisitRule, QuestionnaireVersion]]:
    rules = {}
    for rule in VisitRule.objects.filter(is_active=True, questionnaire__is_active=True).select_related("questionnaire"):
        version = rule.questionnaire.current_version()
        if version is None:
            log.warning("visit rule %r: questionnaire %r has no published version; its follow-ups wait",
                        rule.reason, rule.questionnaire.code)
            continue
        rules[rule.reason] = (rule, version)
    return rules


def _records(rows: list[FollowUp]) -> dict[tuple[int, int], object]:
    """The queue rows' records, one query per record type (not one per row)."""
    by_type: dict[int, list[int]] = {}
    for row in rows:
        by_type.setdefault(row.content_type_id, []).append(row.object_id)
    found = {}
    for ct_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None:
            continue
        for pk, record in model._default_manager.in_bulk(ids).items():
            found[(ct_id, pk)] = record
    return found


def planned_date(row: FollowUp, rule: VisitRule) -> dt.date:
    """N working days (the rule's ``due_days``) after the day the row became due, by the working calendar."""
    return add_working_days(timezone.localtime(row.due_at).date(), rule.due_days)


def _plan_visit(row: FollowUp, record, plan: _Plan, now: dt.datetime) -> Visit | None:
    rule, version = plan.rules[row.reason]
    department = row.department or getattr(record, "department", None)
    customer = row.customer or getattr(record, "customer", None)
    if record is None or department is None or customer is None:
        return None
    owner = plan.owner_of(department)
    visit = Visit.objects.create(
        number=next_number(VISIT_PREFIX), follow_up=row, content_type_id=row.content_type_id,
        object_id=row.object_id, reason=row.reason, customer=customer, department=department, owner=owner,
        planned_for=planned_date(row, rule), questionnaire_version=version)
    number = getattr(record, "number", "") or str(record)
    engine.record_created(visit, actor=SCHEDULER, action="scheduled",
                          data={"reason": row.reason, "record": number, "follow_up": row.pk})
    if owner is not None:
        notify(recipients=[owner], kind="visit_assigned",
               title=gettext_lazy("Follow-up visit %(number)s for %(customer)s is planned for %(date)s"),
               params={"number": visit.number, "customer": customer.name, "date": visit.planned_for.isoformat()},
               url=visit.get_absolute_url())
    return visit


def _unplannable(rows: list[FollowUp]) -> None:
    """Rows claimed but not plannable (the record or its department is gone): back to waiting."""
    if rows:
        FollowUp.objects.filter(pk__in=[r.pk for r in rows]).update(consumed_at=None)
        for row in rows:
            log.warning("follow-up %s (%s %s, reason %r): no record, customer or department to visit; it waits",
                        row.pk, row.content_type_id, row.object_id, row.reason)


def _batch(plan: _Plan, *, now: dt.datetime, batch: int) -> tuple[int, int]:
    """One transaction: claim up to ``batch`` due rows and plan their visits. Returns (claimed, planned)."""
    with transaction.atomic():
        rows = follow_up_claim_due(now=now, limit=batch, reasons=plan.rules.keys(), exclude=plan.unplannable)
        records = _records(rows)
        skipped, planned = [], 0
        for row in rows:
            visit = _plan_visit(row, records.get((row.content_type_id, row.object_id)), plan, now)
            if visit is None:
                skipped.append(row)
            else:
                planned += 1
        _unplannable(skipped)
    plan.unplannable.update(row.pk for row in skipped)
    return len(rows), planned


def _log_waiting_without_rule(plan: _Plan, now: dt.datetime) -> int:
    waiting = (FollowUp.objects.filter(consumed_at__isnull=True, due_at__lte=now)
               .exclude(reason__in=list(plan.rules)).values("reason").annotate(n=Count("id")).order_by("reason"))
    total = 0
    for row in waiting:
        total += row["n"]
        log.warning("%d follow-ups of reason %r wait: no active visit rule with a published questionnaire",
                    row["n"], row["reason"])
    return total


def visits_schedule(*, now: dt.datetime | None = None, batch: int | None = None,
                    seconds: float | None = None) -> dict[str, int]:
    """Plan a visit for every due follow-up row, a batch per transaction, until none is left or the
    run's time budget (``seconds``) is spent (the rest is the next run's)."""
    now = now or timezone.now()
    batch = batch or getattr(settings, "VISIT_SCHEDULER_BATCH", 200)
    seconds = getattr(settings, "VISIT_SCHEDULER_SECONDS", 40) if seconds is None else seconds
    started = time.monotonic()
    plan = _Plan(rules=_active_rules())
    result = {"planned": 0, "batches": 0, "waiting_without_rule": 0}
    if plan.rules:
        while True:
            claimed, planned = _batch(plan, now=now, batch=batch)
            result["batches"] += 1
            result["planned"] += planned
            if claimed < batch or time.monotonic() - started > seconds:
                break
    result["waiting_without_rule"] = _log_waiting_without_rule(plan, now)
    if result["planned"]:
        log.info("visit scheduler: %(planned)d visits planned in %(batches)d batches", result)
    return result
