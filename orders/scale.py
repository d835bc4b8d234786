"""PERF-1, orders at scale (``manage.py seed_scale``): orders over five years with the rows the app
writes for each (ORD-1..4). Declared on OrdersConfig (``scale_data``); runs after pre-sales.

At scale 1: 300,000 orders, numbered ``ORD-<year>-<n>`` per year of receipt: one for every converted
inquiry (received when it was converted, owned by who acknowledged it, in the department it was
handed to) and the rest entered directly, all numbered in the order they were received. Old orders
are delivered (no installation) or accepted (installed), a few cancelled; recent ones are in review,
returned, approved, in production, delivering, delivered awaiting installation or being installed;
a few old ones are stuck in production or delivery past their promised date (late).

For each order, as ``orders.services`` / the engine write them: 1-3 lines (delivered quantities kept),
review rounds with their checklist findings (some returned once and amended), the ``review`` deadline
(running, paused while returned, met, late or cancelled) and the ``delivery`` date clock to the
promised date (with the at-risk flag where its reminder fired), ``due_at`` = the earliest running
one, production steps, a delivery with its lines, the installation with engineers, commissioning and
acceptance rounds, the follow-up queue row on delivery (no installation) or acceptance, progress
updates and answered customer questions, and one timeline event per transition on the order, the
delivery and the installation.
"""
from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from qsm.scale import ScaleContext, Seeder, lit, pick, rnd, text_array, weighted
from qsm.scale_sql import after as _next
from qsm.scale_sql import numbered_by_receipt, spread_over_window
from qsm.sla.services import sla_policy_for

from .demo import (
    ACCEPTANCE_FEEDBACK,
    ACCEPTANCE_REJECTIONS,
    CARRIERS,
    ORDER_CANCELS,
    PROGRESS_UPDATES,
    QUALITY_NOTES,
    QUESTIONS,
    SITE_WORK,
)
from .models import Order

S = Order.Status
# Final states by the order's age (days). "done" is delivered (no installation) or accepted
# (installed); "waiting" is delivered with an installation still to schedule.
MIX_BY_AGE = [
    (3, [("review", 55), ("returned", 5), ("approved", 15), ("in_production", 20), ("cancelled", 5)]),
    (60, [("review", 4), ("returned", 2), ("approved", 8), ("in_production", 30), ("delivering", 14), ("waiting", 10),
          ("installing", 10), ("done", 18), ("cancelled", 4)]),
    (240, [("in_production", 6), ("delivering", 4), ("waiting", 4), ("installing", 14), ("done", 68), ("cancelled", 4)]),
    # Old orders stuck undelivered are the late ones; old installations still open wait on the customer.
    (None, [("in_production", 0.25), ("delivering", 0.25), ("installing", 3), ("done", 92.5), ("cancelled", 4)]),
]
NEEDS = ["用于批量加工，年产量约两万件。", "替换车间服役十年以上的旧设备。", "新建加工车间，首期采购。", "产线自动化改造。",
         "用机器人替代人工上下料。", "年度维保，覆盖定期巡检和故障抢修。"]
SITES = ["苏州工业园区星湖街", "宁波北仑区新碶街道", "无锡新区长江路", "常州武进高新区", "青岛黄岛区", "佛山顺德区北滘镇"]
CHECKLIST = ["customer", "items", "prices", "delivery_date"]
INSTALLING = [("scheduled", 30), ("on_site", 25), ("commissioned", 25), ("rework", 20)]
PROBLEMS = ["单价低于允许范围，请客户确认价格或提供价格审批。", "要求交期过紧，生产部评估需延后两周。", "缺少开票信息和收货联系人。"]


def seed(ctx: ScaleContext) -> None:
    org = ctx.org_lookups()
    n_total = ctx.count(300_000, minimum=15)
    tz = lit(ctx.tz)
    now = f"{lit(ctx.now.isoformat())}::timestamptz"
    first = ctx.next_id("orders_order")
    first_customer = ctx.scalar("SELECT MIN(id) FROM org_customer")
    n_customers = ctx.scalar("SELECT COUNT(*) FROM org_customer")
    review = sla_policy_for(record_type="orders.order", stage="review")
    ct = ctx.content_type_id("orders", "order")
    ct_delivery = ctx.content_type_id("orders", "delivery")
    ct_installation = ctx.content_type_id("orders", "installation")
    url = reverse("orders:order-detail", args=[0])[:-2]
    lead = settings.ORDER_RISK_LEAD_DAYS
    engineers = "ARRAY[" + ",".join(map(str, org["engineers"])) + "]::bigint[]"
    producers = ctx.scalar("""SELECT array_agg(u.id ORDER BY u.id) FROM org_user u JOIN org_department d
                              ON d.id = u.department_id WHERE d.is_production""")

    with ctx.step("plan orders (temporary table)") as rows:
        n_converted = ctx.scalar("SELECT COUNT(*) FROM presales_inquiry WHERE status = 'converted'")
        n_direct = max(0, n_total - n_converted)
        age_case = "CASE " + " ".join(
            f"WHEN age < {limit} THEN {weighted(mix, rnd('g', 201))}" for limit, mix in MIX_BY_AGE if limit is not None
        ) + f" ELSE {weighted(MIX_BY_AGE[-1][1], rnd('g', 201))} END"
        rows.append(ctx.execute(f"""
            DROP TABLE IF EXISTS scale_ord; CREATE TEMP TABLE scale_ord ON COMMIT DROP AS
            WITH src AS (
                SELECT i.closed_at + interval '5 minutes' AS received_at, i.customer_id, i.handover_department_id AS department_id,
                       i.acknowledged_by_id AS owner_id, i.id AS source_inquiry_id, i.number AS inquiry_number, i.id AS k
                FROM presales_inquiry i WHERE i.status = 'converted'
                UNION ALL
                SELECT x.received_at, {first_customer} + floor(power({rnd('d', 202)}, 1.5) * {n_customers})::bigint,
                       ({org['intake']})[1 + floor({rnd('d', 203)} * 1000)::int], NULL, NULL, NULL, -d
                FROM generate_series(1::bigint, {n_direct}) d
                {spread_over_window(ctx, 'd', 204, n_direct, now)}
            ), {numbered_by_receipt(now)}
            SELECT {first} + g - 1 AS id, numbered.*, {age_case} AS plan FROM numbered"""))
        ctx.execute(f"""
            ALTER TABLE scale_ord ADD COLUMN status text, ADD COLUMN installation boolean, ADD COLUMN returned boolean,
                ADD COLUMN number text, ADD COLUMN promised_date date, ADD COLUMN reviewer_id bigint,
                ADD COLUMN t_return timestamptz, ADD COLUMN t_resubmit timestamptz, ADD COLUMN t_approve timestamptz,
                ADD COLUMN t_prod timestamptz, ADD COLUMN t_ship timestamptz, ADD COLUMN t_deliv timestamptz,
                ADD COLUMN t_sched timestamptz, ADD COLUMN t_start timestamptz, ADD COLUMN t_comm timestamptz,
                ADD COLUMN t_accept timestamptz, ADD COLUMN t_cancel timestamptz, ADD COLUMN inst_status text,
                ADD COLUMN cancel_from text, ADD COLUMN review_due timestamptz, ADD COLUMN review_remind timestamptz,
                ADD COLUMN delivery_due timestamptz, ADD COLUMN delivery_remind timestamptz;
            UPDATE scale_ord o SET owner_id = s.user_id
            FROM scale_biz b, scale_staff s
            WHERE o.owner_id IS NULL AND b.id = o.department_id AND s.dept_id = b.id
              AND s.n = 1 + floor(power({rnd('o.g', 205)}, 2) * b.n_staff)::int;
            UPDATE scale_ord o SET
                installation = o.plan IN ('installing', 'waiting') OR (o.plan <> 'done' AND {rnd('o.g', 206)} < 0.4)
                               OR (o.plan = 'done' AND {rnd('o.g', 206)} < 0.4),
                status = CASE o.plan WHEN 'waiting' THEN 'delivered'
                                     WHEN 'done' THEN CASE WHEN {rnd('o.g', 206)} < 0.4 THEN 'accepted' ELSE 'delivered' END
                                     ELSE o.plan END,
                returned = o.plan = 'returned' OR (o.plan NOT IN ('review') AND {rnd('o.g', 207)} < 0.08),
                cancel_from = CASE WHEN o.plan = 'cancelled' THEN
                              CASE WHEN {rnd('o.g', 208)} < 0.5 THEN 'review' ELSE 'in_production' END END,
                promised_date = (o.received_at AT TIME ZONE {tz})::date + (28 + floor({rnd('o.g', 209)} * 84))::int,
                inst_status = {weighted(INSTALLING, rnd('o.g', 210))};
            UPDATE scale_ord o SET number = 'ORD-' || y.year || '-' || lpad(y.k::text, 6, '0')
            FROM (SELECT g, extract(year FROM received_at AT TIME ZONE {tz})::int AS year,
                         row_number() OVER (PARTITION BY extract(year FROM received_at AT TIME ZONE {tz}) ORDER BY g) AS k
                  FROM scale_ord) y
            WHERE y.g = o.g;
            -- The reviewer: the department's manager (four-eyes: not who entered the order).
            UPDATE scale_ord o SET reviewer_id = m.id
            FROM (SELECT DISTINCT ON (u.department_id) u.department_id, u.id FROM org_user u
                  JOIN org_user_groups ug ON ug.user_id = u.id JOIN auth_group gr ON gr.id = ug.group_id
                  WHERE gr.name = 'manager' ORDER BY u.department_id, u.id) m
            WHERE m.department_id = o.department_id;
        """)
        s_done = "('approved', 'in_production', 'delivering', 'delivered', 'installing', 'accepted')"
        ctx.execute(f"""
            UPDATE scale_ord o SET t_return = qsm_work_add(o.received_at, 60 + 300 * {rnd('o.g', 220)})
            WHERE o.returned;
            UPDATE scale_ord o SET t_return = least(o.t_return, o.received_at + ({now} - o.received_at) * 0.1) WHERE o.returned;
            UPDATE scale_ord o SET t_resubmit = {_next('o.t_return', f"1 + 4 * {rnd('o.g', 221)}", 0.1, now)}
            WHERE o.returned AND o.status <> 'returned';
            UPDATE scale_ord o SET t_approve = least(
                qsm_work_add(coalesce(o.t_resubmit, o.received_at), 480 * (0.2 + 1.1 * power({rnd('o.g', 222)}, 2))),
                coalesce(o.t_resubmit, o.received_at) + ({now} - coalesce(o.t_resubmit, o.received_at)) * 0.1)
            WHERE o.status IN {s_done} OR o.cancel_from = 'in_production';
            UPDATE scale_ord o SET t_prod = {_next('o.t_approve', f"0.5 + 2.5 * {rnd('o.g', 223)}", 0.1, now)}
            WHERE o.status IN ('in_production', 'delivering', 'delivered', 'installing', 'accepted')
               OR o.cancel_from = 'in_production';
            UPDATE scale_ord o SET t_ship = {_next('o.t_prod', f"14 + 56 * {rnd('o.g', 224)}", 0.5, now)}
            WHERE o.status IN ('delivering', 'delivered', 'installing', 'accepted');
            UPDATE scale_ord o SET t_deliv = {_next('o.t_ship', f"1 + 6 * {rnd('o.g', 225)}", 0.3, now)}
            WHERE o.status IN ('delivered', 'installing', 'accepted');
            UPDATE scale_ord o SET t_sched = {_next('o.t_deliv', f"1 + 4 * {rnd('o.g', 226)}", 0.2, now)}
            WHERE o.status IN ('installing', 'accepted');
            UPDATE scale_ord o SET t_start = {_next('o.t_sched', f"2 + 8 * {rnd('o.g', 227)}", 0.3, now)}
            WHERE o.status = 'accepted' OR (o.status = 'installing' AND o.inst_status <> 'scheduled');
            UPDATE scale_ord o SET t_comm = {_next('o.t_start', f"1 + 2 * {rnd('o.g', 228)}", 0.3, now)}
            WHERE o.status = 'accepted' OR (o.status = 'installing' AND o.inst_status IN ('commissioned', 'rework'));
            UPDATE scale_ord o SET t_accept = {_next('o.t_comm', f"1 + 4 * {rnd('o.g', 229)}", 0.3, now)}
            WHERE o.status = 'accepted' OR (o.status = 'installing' AND o.inst_status = 'rework');
            UPDATE scale_ord o SET t_cancel = {_next('coalesce(o.t_prod, o.received_at)', f"1 + 10 * {rnd('o.g', 230)}", 0.3, now)}
            WHERE o.status = 'cancelled';
            UPDATE scale_ord o SET
                review_due = qsm_work_add(o.received_at, {review.working_minutes}),
                review_remind = qsm_work_add(o.received_at, {review.working_minutes * review.remind_at_percent / 100}),
                delivery_due = pg_temp.qsm_work_end(o.promised_date),
                delivery_remind = least(((o.promised_date - CASE WHEN extract(isodow FROM o.promised_date) <= {lead}
                    THEN {lead} + 2 ELSE {lead} END) + time '09:00') AT TIME ZONE {tz}, pg_temp.qsm_work_end(o.promised_date));
            -- A resubmitted order's review clock resumed with the working time it had left (SLA-1).
            UPDATE scale_ord o SET review_due = qsm_work_add(o.t_resubmit,
                    greatest(0, {review.working_minutes} - 60 - 300 * {rnd('o.g', 220)}))
            WHERE o.t_resubmit IS NOT NULL;
            CREATE UNIQUE INDEX ON scale_ord (id);
            ANALYZE scale_ord;
        """)

    with ctx.step("orders") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO orders_order (id, number, customer_id, department_id, owner_id, source_inquiry_id, customer_reference,
                needs, promised_date, installation_required, site_address, site_contact, status, received_at, approved_at,
                delivered_at, accepted_at, risk_flagged_at, follow_up_due_at, follow_up_reason, due_at, cancel_reason,
                created_at, updated_at)
            SELECT o.id, o.number, o.customer_id, o.department_id, o.owner_id, o.source_inquiry_id,
                   'PO-' || to_char(o.received_at AT TIME ZONE {tz}, 'YYYYMM') || '-' || lpad((o.g % 100000)::text, 5, '0'),
                   {pick(NEEDS, 'o.g', 240)}, o.promised_date, o.installation,
                   CASE WHEN o.installation THEN {pick(SITES, 'o.g', 241)} || (1 + o.g % 300) || '号' ELSE '' END,
                   CASE WHEN o.installation THEN '现场联系人' || (1 + o.g % 50) ELSE '' END,
                   o.status, o.received_at, o.t_approve, o.t_deliv, CASE WHEN o.status = 'accepted' THEN o.t_accept END,
                   CASE WHEN o.status <> 'cancelled' AND o.delivery_remind <= coalesce(o.t_deliv, {now})
                        THEN o.delivery_remind END,
                   x.follow_up_at, CASE WHEN x.follow_up_at IS NULL THEN '' WHEN o.status = 'accepted' THEN 'accepted'
                                        ELSE 'delivered' END,
                   CASE WHEN o.status = 'review' THEN least(o.review_due, o.delivery_due)
                        WHEN o.status IN ('returned', 'approved', 'in_production', 'delivering') THEN o.delivery_due END,
                   CASE WHEN o.status = 'cancelled' THEN {pick(ORDER_CANCELS, 'o.g', 242)} ELSE '' END,
                   o.received_at,
                   coalesce(o.t_cancel, o.t_accept, o.t_comm, o.t_start, o.t_sched, o.t_deliv, o.t_ship, o.t_prod,
                            o.t_approve, o.t_resubmit, o.t_return, o.received_at)
            FROM scale_ord o
            CROSS JOIN LATERAL (SELECT CASE WHEN o.status = 'accepted' THEN o.t_accept
                                            WHEN o.status = 'delivered' AND NOT o.installation THEN o.t_deliv END
                                       AS follow_up_at) x
            ORDER BY o.id"""))
        ctx.execute("""
            INSERT INTO workflow_numbersequence (prefix, year, last)
            SELECT 'ORD', split_part(number, '-', 2)::int, MAX(split_part(number, '-', 3)::int)
            FROM orders_order GROUP BY 2
            ON CONFLICT (prefix, year) DO UPDATE SET last = GREATEST(workflow_numbersequence.last, EXCLUDED.last)""")

    with ctx.step("order lines") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO orders_orderline (order_id, product_id, quantity, unit_price, delivered_quantity)
            SELECT o.id, p.id, q.quantity, round(p.list_price * (0.95 + 0.1 * {rnd('o.g * 3 + ln', 252)})::numeric, 2),
                   CASE WHEN o.status IN ('delivered', 'installing', 'accepted') THEN q.quantity ELSE 0 END
            FROM scale_ord o CROSS JOIN generate_series(0, 2) ln
            CROSS JOIN LATERAL (SELECT (1 + floor(4 * power({rnd('o.g * 3 + ln', 251)}, 3)))::numeric(12, 2) AS quantity) q
            JOIN LATERAL (SELECT id, list_price FROM org_product
                          WHERE id = (SELECT MIN(id) FROM org_product) + floor({rnd('o.g * 3 + ln', 250)}
                                     * (SELECT COUNT(*) FROM org_product))::int) p ON true
            WHERE ln = 0 OR (ln = 1 AND {rnd('o.g', 253)} < 0.45) OR (ln = 2 AND {rnd('o.g', 254)} < 0.2)
            ORDER BY o.id, ln"""))

    with ctx.step("review rounds and findings") as rows:
        rows.append(ctx.execute("""
            INSERT INTO orders_reviewround (order_id, number, outcome, reviewer_id, problems, started_at, decided_at)
            SELECT o.id, r.number, r.outcome, r.reviewer, r.problems, r.started_at, r.decided_at
            FROM scale_ord o CROSS JOIN LATERAL (VALUES
                (1, 'returned', o.reviewer_id, 'P', o.received_at, o.t_return, o.returned),
                (CASE WHEN o.returned THEN 2 ELSE 1 END,
                 CASE WHEN o.t_approve IS NOT NULL THEN 'approved' ELSE 'open' END,
                 CASE WHEN o.t_approve IS NOT NULL THEN o.reviewer_id END, '',
                 coalesce(o.t_resubmit, o.received_at), o.t_approve, NOT o.returned OR o.t_resubmit IS NOT NULL)
            ) r(number, outcome, reviewer, problems, started_at, decided_at, wanted)
            WHERE r.wanted ORDER BY o.id, r.number"""))
        ctx.execute(f"UPDATE orders_reviewround r SET problems = {pick(PROBLEMS, 'r.order_id', 260)} WHERE r.problems = 'P'")
        rows.append(ctx.execute(f"""
            INSERT INTO orders_reviewfinding (round_id, item, result, note)
            SELECT r.id, c.item, CASE WHEN r.outcome = 'returned' AND c.n = 1 + r.order_id % 4 THEN 'fail' ELSE 'pass' END,
                   CASE WHEN r.outcome = 'returned' AND c.n = 1 + r.order_id % 4 THEN r.problems ELSE '' END
            FROM orders_reviewround r JOIN scale_ord o ON o.id = r.order_id
            CROSS JOIN LATERAL unnest({text_array(CHECKLIST + ['installation'])}) WITH ORDINALITY c(item, n)
            WHERE r.outcome <> 'open' AND (c.item <> 'installation' OR o.installation)"""))

    title = "left(o.number || ' ' || c.name, 200)"
    with ctx.step("deadlines (review, delivery)") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO sla_deadline (content_type_id, object_id, stage, source, policy_id, calendar_id, title, url,
                owner_id, department_id, state, started_at, allowed_minutes, remind_at, due_at, paused_at, paused_minutes,
                completed_at, reminded_at, overdue_at)
            SELECT {ct}, o.id, 'review', 'policy', {review.pk}, {ctx.calendar_id}, {title}, {lit(url)} || o.id || '/',
                   o.owner_id, o.department_id, x.state, o.received_at, {review.working_minutes}, o.review_remind,
                   o.review_due, CASE WHEN o.status = 'returned' THEN o.t_return END,
                   CASE WHEN o.t_resubmit IS NOT NULL THEN extract(epoch FROM o.t_resubmit - o.t_return) / 60 * 0.27 ELSE 0 END,
                   x.completed_at,
                   CASE WHEN o.review_remind <= coalesce(x.completed_at, o.t_return, {now}) THEN o.review_remind END,
                   CASE WHEN o.review_due <= coalesce(x.completed_at, o.t_return, {now}) THEN o.review_due END
            FROM scale_ord o JOIN org_customer c ON c.id = o.customer_id
            CROSS JOIN LATERAL (SELECT
                CASE WHEN o.status = 'review' THEN 'running' WHEN o.status = 'returned' THEN 'paused'
                     WHEN o.t_approve IS NULL THEN 'cancelled' WHEN o.t_approve <= o.review_due THEN 'met' ELSE 'late' END AS state,
                coalesce(o.t_approve, CASE WHEN o.status = 'cancelled' THEN o.t_cancel END) AS completed_at) x
            ORDER BY o.id"""))
        rows.append(ctx.execute(f"""
            INSERT INTO sla_deadline (content_type_id, object_id, stage, source, due_date, lead_days, calendar_id, title,
                url, owner_id, department_id, state, started_at, allowed_minutes, remind_at, due_at, paused_minutes,
                completed_at, reminded_at, overdue_at)
            SELECT {ct}, o.id, 'delivery', 'date', o.promised_date, {lead}, {ctx.calendar_id}, {title},
                   {lit(url)} || o.id || '/', o.owner_id, o.department_id, x.state, o.received_at,
                   greatest(0, extract(epoch FROM o.delivery_due - o.received_at) / 60 * 0.27)::int,
                   o.delivery_remind, o.delivery_due, 0, x.completed_at,
                   CASE WHEN o.delivery_remind <= coalesce(x.completed_at, {now}) THEN o.delivery_remind END,
                   CASE WHEN o.delivery_due <= coalesce(x.completed_at, {now}) THEN o.delivery_due END
            FROM scale_ord o JOIN org_customer c ON c.id = o.customer_id
            CROSS JOIN LATERAL (SELECT
                CASE WHEN o.status = 'cancelled' THEN 'cancelled' WHEN o.t_deliv IS NULL THEN 'running'
                     WHEN o.t_deliv <= o.delivery_due THEN 'met' ELSE 'late' END AS state,
                coalesce(o.t_deliv, o.t_cancel) AS completed_at) x
            ORDER BY o.id"""))

    with ctx.step("production steps") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO orders_productionstep (order_id, stage, note, occurred_at, recorded_by_id, created_at)
            SELECT o.id, s.stage, s.note, s.at, ({lit('{' + ','.join(map(str, producers or [])) + '}')}::bigint[])[
                       1 + floor({rnd('o.g', 270)} * {len(producers or [1])})::int], s.at
            FROM scale_ord o CROSS JOIN LATERAL (VALUES
                ('planned', '已排产，纳入本月生产计划。', o.t_prod + interval '2 hours'),
                ('machining', '关键零件精加工完成，首件检验合格。', o.t_prod + (coalesce(o.t_ship, {now}) - o.t_prod) * 0.5),
                ('ready', '完工入库，待发货。', o.t_ship - interval '1 day')
            ) s(stage, note, at)
            WHERE o.t_prod IS NOT NULL AND s.at IS NOT NULL AND s.at > o.t_prod AND s.at < {now}
            ORDER BY s.at"""))

    with ctx.step("deliveries and lines") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO orders_delivery (order_id, number, status, shipped_at, carrier, delivered_at, quality_note, recorded_by_id)
            SELECT o.id, 1, CASE WHEN o.t_deliv IS NULL THEN 'shipped' ELSE 'delivered' END, o.t_ship,
                   {pick(CARRIERS, 'o.g', 280)} || (100000 + o.g % 900000), o.t_deliv,
                   CASE WHEN o.t_deliv IS NULL THEN '' ELSE {pick(QUALITY_NOTES, 'o.g', 281)} END, o.owner_id
            FROM scale_ord o WHERE o.t_ship IS NOT NULL ORDER BY o.t_ship"""))
        rows.append(ctx.execute("""
            INSERT INTO orders_deliveryline (delivery_id, order_line_id, quantity)
            SELECT d.id, l.id, l.quantity FROM orders_delivery d JOIN orders_orderline l ON l.order_id = d.order_id
            JOIN scale_ord o ON o.id = d.order_id ORDER BY d.id, l.id"""))

    with ctx.step("installations, engineers, commissioning and acceptance") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO orders_installation (order_id, status, scheduled_for, commissioned_at, accepted_at, created_at)
            SELECT o.id, CASE WHEN o.status = 'accepted' THEN 'accepted' ELSE o.inst_status END,
                   (coalesce(o.t_start, o.t_sched + interval '3 days') AT TIME ZONE {tz})::date, o.t_comm,
                   CASE WHEN o.status = 'accepted' THEN o.t_accept END, o.t_sched
            FROM scale_ord o WHERE o.t_sched IS NOT NULL ORDER BY o.t_sched"""))
        ctx.execute("""
            DROP TABLE IF EXISTS scale_inst; CREATE TEMP TABLE scale_inst ON COMMIT DROP AS
            SELECT i.id, i.status, o.g, o.id AS order_id, o.owner_id, o.t_sched, o.t_start, o.t_comm, o.t_accept
            FROM orders_installation i JOIN scale_ord o ON o.id = i.order_id""")
        if org["engineers"]:
            rows.append(ctx.execute(f"""
                INSERT INTO orders_installation_engineers (installation_id, user_id)
                SELECT DISTINCT i.id, ({engineers})[1 + floor({rnd('i.g * 2 + k', 290)} * cardinality({engineers}))::int]
                FROM scale_inst i CROSS JOIN generate_series(0, 1) k WHERE k = 0 OR {rnd('i.g', 291)} < 0.5"""))
        rows.append(ctx.execute(f"""
            INSERT INTO orders_commissioninground (installation_id, number, site_work, checklist, measurements, notes,
                                                   recorded_by_id, commissioned_at)
            SELECT i.id, 1, {pick(SITE_WORK, 'i.g', 292)},
                   '[{{"item": "空载运行 4 小时", "ok": true}}, {{"item": "定位精度检测", "ok": true}}]'::jsonb,
                   '[{{"name": "定位精度", "value": "0.006", "unit": "mm"}}]'::jsonb, '', i.owner_id, i.t_comm
            FROM scale_inst i WHERE i.t_comm IS NOT NULL"""))
        rows.append(ctx.execute(f"""
            INSERT INTO orders_acceptanceround (installation_id, number, result, remarks, customer_feedback,
                                                customer_signatory, recorded_by_id, decided_at)
            SELECT i.id, 1, CASE WHEN i.status = 'rework' THEN 'rejected' ELSE 'accepted' END,
                   CASE WHEN i.status = 'rework' THEN {pick(ACCEPTANCE_REJECTIONS, 'i.g', 293)} ELSE '' END,
                   {pick(ACCEPTANCE_FEEDBACK, 'i.g', 294)}, '客户代表', i.owner_id, i.t_accept
            FROM scale_inst i WHERE i.t_accept IS NOT NULL"""))

    with ctx.step("follow-up queue") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO followup_followup (content_type_id, object_id, reason, due_at, customer_id, department_id, created_at)
            SELECT {ct}, o.id, o.follow_up_reason, o.follow_up_due_at, o.customer_id, o.department_id, o.follow_up_due_at
            FROM orders_order o JOIN scale_ord s ON s.id = o.id WHERE o.follow_up_due_at IS NOT NULL
            ORDER BY o.follow_up_due_at"""))

    with ctx.step("progress updates and customer questions") as rows:
        questions = text_array(q for q, _a in QUESTIONS)
        answers = text_array(a for _q, a in QUESTIONS)
        rows.append(ctx.execute(f"""
            INSERT INTO contacts_contactentry (content_type_id, object_id, kind, channel, direction, summary, occurred_at,
                recorded_by_id, created_at, answer, answered_at, answered_by_id)
            SELECT {ct}, o.id, x.kind, CASE WHEN x.kind = 'update' THEN 'phone' ELSE 'email' END,
                   CASE WHEN x.kind = 'update' THEN 'out' ELSE 'in' END,
                   CASE WHEN x.kind = 'update' THEN {pick(PROGRESS_UPDATES, 'o.g', 301)} ELSE {questions}[1 + o.g % 4] END,
                   x.at, o.owner_id, x.at, CASE WHEN x.answered THEN {answers}[1 + o.g % 4] ELSE '' END,
                   CASE WHEN x.answered THEN x.at + interval '3 hours' END, CASE WHEN x.answered THEN o.owner_id END
            FROM scale_ord o
            CROSS JOIN LATERAL (SELECT CASE WHEN {rnd('o.g', 302)} < 0.6 THEN 'update' ELSE 'question' END AS kind,
                o.t_prod + (coalesce(o.t_deliv, {now}) - o.t_prod) * (0.2 + 0.6 * {rnd('o.g', 303)}) AS at) x0
            CROSS JOIN LATERAL (SELECT x0.kind, x0.at,
                x0.kind = 'question' AND x0.at + interval '3 hours' < {now} AND {rnd('o.g', 304)} < 0.9 AS answered) x
            WHERE o.t_prod IS NOT NULL AND {rnd('o.g', 300)} < 0.4
            ORDER BY x.at"""))

    event = """INSERT INTO workflow_event (content_type_id, object_id, kind, action, from_state, to_state, changes, data,
                   actor_kind, actor_id, actor_label, via, comment, created_at)"""
    with ctx.step("timeline events (orders, deliveries, installations)") as rows:
        findings = ("jsonb_build_object('findings', jsonb_build_array(" + ", ".join(
            f"jsonb_build_array({lit(item)}, 'pass', '')" for item in CHECKLIST) + "))")
        rows.append(ctx.execute(f"""
            {event}
            SELECT {ct}, o.id, e.kind, e.action, e.from_state, e.to_state, '[]'::jsonb, e.data, 'user', e.actor, '',
                   'page', e.comment, e.at
            FROM scale_ord o
            CROSS JOIN LATERAL (VALUES
                ('created', CASE WHEN o.inquiry_number IS NULL THEN '' ELSE 'from_inquiry' END, '', 'review', o.owner_id,
                 o.received_at, '', CASE WHEN o.inquiry_number IS NULL THEN '{{}}'::jsonb
                                         ELSE jsonb_build_object('inquiry', o.inquiry_number) END),
                ('review', 'review_findings', '', '', o.reviewer_id, o.t_return - interval '1 minute', '',
                 jsonb_build_object('findings', jsonb_build_array(jsonb_build_array('prices', 'fail', '请确认价格')))),
                ('transition', 'return', 'review', 'returned', o.reviewer_id, o.t_return, '', '{{}}'::jsonb),
                ('transition', 'resubmit', 'returned', 'review', o.owner_id, o.t_resubmit, '', '{{}}'::jsonb),
                ('review', 'review_findings', '', '', o.reviewer_id, o.t_approve - interval '1 minute', '', {findings}),
                ('transition', 'approve', 'review', 'approved', o.reviewer_id, o.t_approve, '', '{{}}'::jsonb),
                ('transition', 'start_production', 'approved', 'in_production', o.owner_id, o.t_prod, '', '{{}}'::jsonb),
                ('transition', 'ship', 'in_production', 'delivering', o.owner_id, o.t_ship, '', '{{}}'::jsonb),
                ('transition', 'complete_delivery', 'delivering', 'delivered', o.owner_id, o.t_deliv, '', '{{}}'::jsonb),
                ('transition', 'schedule_installation', 'delivered', 'installing', o.owner_id, o.t_sched, '', '{{}}'::jsonb),
                ('transition', 'accept', 'installing', 'accepted', o.owner_id,
                 CASE WHEN o.status = 'accepted' THEN o.t_accept END, '', '{{}}'::jsonb),
                ('transition', 'cancel', CASE WHEN o.t_prod IS NULL THEN 'review' ELSE 'in_production' END, 'cancelled',
                 o.owner_id, o.t_cancel, {pick(ORDER_CANCELS, 'o.g', 242)}, '{{}}'::jsonb)
            ) AS e(kind, action, from_state, to_state, actor, at, comment, data)
            WHERE e.at IS NOT NULL
            ORDER BY e.at"""))
        rows.append(ctx.execute(f"""
            {event}
            SELECT {ct}, p.order_id, 'comment', 'production_step', '', '', '[]'::jsonb, jsonb_build_object('stage', p.stage),
                   'user', p.recorded_by_id, '', 'page', p.note, p.occurred_at
            FROM orders_productionstep p JOIN scale_ord o ON o.id = p.order_id ORDER BY p.occurred_at"""))
        rows.append(ctx.execute(f"""
            {event}
            SELECT {ct_delivery}, d.id, e.kind, e.action, e.from_state, e.to_state, '[]'::jsonb, '{{}}'::jsonb, 'user',
                   d.recorded_by_id, '', 'page', '', e.at
            FROM orders_delivery d JOIN scale_ord o ON o.id = d.order_id
            CROSS JOIN LATERAL (VALUES ('created', '', '', 'shipped', d.shipped_at),
                                       ('transition', 'confirm', 'shipped', 'delivered', d.delivered_at))
                AS e(kind, action, from_state, to_state, at)
            WHERE e.at IS NOT NULL ORDER BY e.at"""))
        rows.append(ctx.execute(f"""
            {event}
            SELECT {ct_installation}, i.id, 'transition', e.action, e.from_state, e.to_state, '[]'::jsonb, '{{}}'::jsonb,
                   'user', i.owner_id, '', 'page', '', e.at
            FROM scale_inst i
            CROSS JOIN LATERAL (VALUES ('start', 'scheduled', 'on_site', i.t_start),
                                       ('commission', 'on_site', 'commissioned', i.t_comm),
                                       (CASE WHEN i.status = 'rework' THEN 'reject' ELSE 'accept' END, 'commissioned',
                                        CASE WHEN i.status = 'rework' THEN 'rework' ELSE 'accepted' END, i.t_accept))
                AS e(action, from_state, to_state, at)
            WHERE e.at IS NOT NULL ORDER BY e.at"""))


def report(ctx: ScaleContext) -> list[str]:
    open_states = "', '".join(str(s) for s in Order.OPEN_STATES)
    total, open_, late = ctx.rows(f"""SELECT COUNT(*), COUNT(*) FILTER (WHERE status IN ('{open_states}')),
                                      COUNT(*) FILTER (WHERE status IN ('{open_states}') AND due_at < now())
                                      FROM orders_order""")[0]
    return [f"Orders: {total:,}, {open_:,} open ({100 * open_ / max(total, 1):.1f} %), "
            f"{late:,} overdue ({100 * late / max(total, 1):.1f} %)."]


seeder = Seeder(
    module="orders",
    tables=("orders_order", "orders_orderline", "orders_reviewround", "orders_reviewfinding", "orders_productionstep",
            "orders_delivery", "orders_deliveryline", "orders_installation", "orders_installation_engineers",
            "orders_commissioninground", "orders_acceptanceround", "followup_followup", "contacts_contactentry",
            "sla_deadline", "workflow_event", "workflow_numbersequence"),
    seed=seed,
    report=report,
)
