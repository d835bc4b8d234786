"""PERF-1: small SQL builders the modules' scale seeders share (``qsm.scale`` is the frame; this is what
each seeder wrote again before: day intervals, a moment "some days later but never in the future", the
record URL prefix of the deadlines, a clock's reminder lead, the seeding window's "now" and customers).
Imports no domain app."""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from qsm.scale import ScaleContext, lit


def days(x: str) -> str:
    """SQL: ``x`` days as an interval."""
    return f"(({x}) * interval '1 day')"


def after(prev: str, n_days: str, share: float, now: str) -> str:
    """SQL: ``n_days`` after ``prev``, but never more than ``share`` of the time left until ``now``."""
    return f"({prev} + least({days(n_days)}, ({now} - {prev}) * {share}))"


def url_prefix(name: str) -> str:
    """The URL of record 0 of ``name`` without its id (the deadlines' links: prefix || id || '/'); empty
    while the page is not installed."""
    try:
        return reverse(name, args=[0])[:-2]
    except NoReverseMatch:
        return ""


def clock_lead_days(model, stage: str, default: int = 1) -> int:
    """The reminder lead (working days) of ``model``'s date clock ``stage``, as its workflow declares it."""
    from qsm.workflow.engine import workflow_for

    try:
        for clock in workflow_for(model).clocks:
            if clock.stage == stage:
                return int(clock.lead())
    except Exception:  # noqa: BLE001 - the seeder falls back to the declared default
        pass
    return default


def now_sql(ctx: ScaleContext) -> str:
    """SQL: the run's "now" as a timestamptz literal."""
    return f"{lit(ctx.now.isoformat())}::timestamptz"


def customer_range(ctx: ScaleContext) -> tuple[int, int]:
    """(first id, count) of the customers, which the seeders draw from by arithmetic."""
    return ctx.scalar("SELECT MIN(id) FROM org_customer"), ctx.scalar("SELECT COUNT(*) FROM org_customer")


def spread_over_window(ctx: ScaleContext, row: str, salt: int, n: int, now: str) -> str:
    """SQL: two ``CROSS JOIN LATERAL`` giving ``x.received_at``: the ``row``-th (1..``n``) of ``n`` moments
    spread evenly over the seeding window, moved into office hours (from 09:00, 37.5 % of the day's
    span), never later than a minute before ``now``."""
    from qsm.scale import rnd

    tz = lit(ctx.tz)
    span = (ctx.now - ctx.start).total_seconds()
    return (f"""CROSS JOIN LATERAL (SELECT ({lit(ctx.start.isoformat())}::timestamptz
                    + ({row} - 1 + {rnd(row, salt)}) * {span / max(n, 1)} * interval '1 second') AT TIME ZONE {tz} AS l) w
                CROSS JOIN LATERAL (SELECT least((w.l::date + interval '9 hours' + (w.l - w.l::date) * 0.375) AT TIME ZONE {tz},
                                                 {now} - interval '1 minute') AS received_at) x""")


def numbered_by_receipt(now: str) -> str:
    """SQL: the CTE ``numbered`` over ``src`` (rows with ``received_at`` and a tie-breaker ``k``): ``g``, the
    row's number in order of receipt, and its ``age`` in days."""
    return f"""numbered AS (
                SELECT row_number() OVER (ORDER BY received_at, k) AS g, src.*,
                       extract(epoch FROM {now} - received_at) / 86400 AS age
                FROM src
            )"""


def date_clock_deadlines(ctx: ScaleContext, *, content_type: int, stage: str, lead: int, rows: str, record: str,
                         due_date: str, title: str, url: str, owner: str, department: str, started: str,
                         completed: str, running: str, now: str) -> str:
    """SQL: ``INSERT ... SELECT`` of the deadlines of a date clock (``qsm.workflow.clocks`` with ``due=``: due
    at the end of work on ``due_date``, reminded ``lead`` working days before at 09:00), one per row of
    ``rows`` (a FROM clause; the caller appends WHERE / ORDER BY): running while ``running``, met or late
    by ``completed``, reminded and overdue as the sweep would have marked them by ``now``."""
    tz = lit(ctx.tz)
    return f"""
            INSERT INTO sla_deadline (content_type_id, object_id, stage, source, due_date, lead_days, calendar_id, title,
                url, owner_id, department_id, state, started_at, allowed_minutes, remind_at, due_at, paused_minutes,
                completed_at, reminded_at, overdue_at)
            SELECT {content_type}, {record}, {lit(stage)}, 'date', {due_date}, {lead}, {ctx.calendar_id}, {title}, {url},
                   {owner}, {department}, x.state, {started},
                   greatest(0, extract(epoch FROM x.due - {started}) / 60 * 0.27)::int, x.remind, x.due, 0, {completed},
                   CASE WHEN x.remind <= coalesce({completed}, {now}) THEN x.remind END,
                   CASE WHEN x.due <= coalesce({completed}, {now}) THEN x.due END
            FROM {rows}
            CROSS JOIN LATERAL (SELECT pg_temp.qsm_work_end({due_date}) AS due,
                least((({due_date} - CASE WHEN extract(isodow FROM {due_date}) <= {lead} THEN {lead} + 2
                        ELSE {lead} END) + time '09:00') AT TIME ZONE {tz}, pg_temp.qsm_work_end({due_date})) AS remind) x0
            CROSS JOIN LATERAL (SELECT x0.due, x0.remind,
                CASE WHEN {running} THEN 'running' WHEN {completed} <= x0.due THEN 'met' ELSE 'late' END AS state) x"""
