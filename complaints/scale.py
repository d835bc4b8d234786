"""PERF-1, complaints at scale (``manage.py seed_scale``): customer complaints over five years with the rows
the app writes for each (CMP-1..CMP-5). Declared on ComplaintsConfig (``scale_data``); runs after
after-sales (a complaint may be opened from a case).

At scale 1: 100,000 complaints (about one per three after-sales cases), numbered as the app numbers them,
about a third about a delivered order (its customer, product), a few opened from an after-sales case; on
every channel and severity, received by a business department's staff. Old ones are closed (satisfied,
a few closed unresolved by a quality manager's decision, a few cancelled); recent ones are received,
investigated, planned, executed or waiting for the customer's answer; a few old ones stayed open past
their deadline (overdue). Investigated ones have their facts, cause (the after-sales taxonomy), whys,
root cause, responsible department and person.

Handling plans: one approved version per confirmation round (a customer not satisfied gives a next round
and a next version, the previous one superseded), some first versions rejected by the manager with a
reason and revised; each plan has two or three measures with owners and due dates (open, done, overdue).
Customer answers by phone and by signed link; case reports and preventive measures for closed ones; the
``reply`` and ``resolution`` deadlines, the measures' date clocks, ``due_at``; the acknowledgement in the
contact log; the timeline (one event per transition); the follow-up queue row on closing.
"""
from __future__ import annotations

from qsm.scale import ScaleContext, Seeder, int_array, lit, pick, rnd, text_array, weighted
from qsm.scale_sql import (
    after,
    clock_lead_days,
    customer_range,
    date_clock_deadlines,
    days,
    now_sql,
    numbered_by_receipt,
    spread_over_window,
    url_prefix,
)

# --- word lists ----------------------------------------------------------------------------------

HEADS = ["主轴", "数控系统", "刀库", "丝杠", "导轨", "液压站", "冷却系统", "伺服电机", "机器人", "焊枪", "视觉系统", "夹具",
         "加工中心", "装配线", "控制柜", "服务工程师", "备件发货", "安装调试"]
PROBLEMS = ["反复故障", "精度长期不达标", "维修后问题复发", "交货严重延误", "服务响应超时", "质量问题造成停产", "多次投诉未解决",
            "安装质量差", "备件质量不合格", "说明书与实物不符"]
DESCRIPTIONS = ["客户来电投诉：问题已反映多次，至今未彻底解决，影响生产计划。", "客户发函投诉，要求书面答复原因和整改措施。",
                "客户在回访中提出投诉，对处理速度非常不满。", "客户要求赔偿停产损失，并要求派专人跟进。"]
DEMANDS = ["尽快彻底解决问题并书面说明原因。", "更换设备关键部件并延长质保期。", "赔偿停产损失。", "派专人跟进直到问题解决。"]
FACTS = ["现场核实：同一故障三个月内发生四次，维修记录齐全。", "调取发货记录：备件发货比承诺晚九天。",
         "质量部复检：批次零件硬度不合格。", "与客户现场负责人确认，问题属实。"]
WHYS = [["部件失效", "材料硬度不足", "供应商来料未检", "来料检验规程缺项"],
        ["服务响应超时", "派工无人跟进", "值班安排缺人", "排班制度未覆盖节假日"],
        ["安装精度不达标", "地基未找平", "安装作业指导书不清", "技术交底缺失"]]
ROOT_CAUSES = ["来料检验规程缺少硬度项，不合格零件流入装配。", "派工流程无人跟进，节假日排班缺人。",
               "安装作业指导书不清，现场未做技术交底。"]
REPLIES = ["已收到您的投诉，质量管理部已立案调查，三个工作日内答复调查结果。", "已安排专人负责，明天上午前电话答复处理意见。"]
SUMMARIES = ["更换不合格部件，复测合格后交客户确认；同批次设备全部排查。", "调整派工流程，指定专人跟进并向客户书面致歉。",
             "重新安装调试并培训客户操作人员，连续跟踪两周。"]
MEASURES = ["更换故障部件并试运行", "同批次设备排查", "修订来料检验规程", "向客户书面说明原因并致歉", "重新安装调试并复测精度",
            "对服务工程师进行培训"]
DONE_NOTES = ["已完成，客户现场签字确认。", "已完成，排查记录已上传。", "已完成，规程已发布。"]
REJECT_REASONS = ["措施没有针对根本原因，请补充来料检验的改进。", "完成期限太晚，客户不能接受，请缩短。"]
OBJECTIONS = ["问题仍时有发生，要求再次处理。", "只换了部件，没有说明原因，不满意。"]
LESSONS = ["来料检验必须覆盖关键性能指标。", "服务派工必须有人跟进到底。", "安装前必须做技术交底。"]
PREVENTIVE = ["修订来料检验规程并培训检验员", "建立派工跟进看板", "编制安装技术交底模板"]
CLOSE_REASONS = ["客户要求超出合同范围，经管理层决定按现状关闭。", "客户失联超过三个月，经管理层决定关闭。"]
CANCEL_REASONS = ["重复登记。", "经核实不属于投诉，已转售后服务单。"]
CONTACT_NAMES = ["王建国", "李海燕", "张志强", "刘秀英", "陈晓东", "杨丽华", "黄国庆", "赵文博"]
USER_AGENTS = ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.47",
               "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"]

CHANNELS = [("phone", 50), ("email", 15), ("chat", 10), ("letter", 5), ("visit", 10), ("web", 5), ("other", 5)]
SEVERITIES = [("general", 65), ("serious", 28), ("critical", 7)]
OPEN = ("received", "investigating", "planning", "executing", "confirming")
# Final states by the complaint's age (days): recent ones open, old ones closed; old ones still open are
# the overdue ones.
MIX_BY_AGE = [
    (3, [("received", 45), ("investigating", 35), ("planning", 12), ("cancelled", 8)]),
    (15, [("received", 3), ("investigating", 17), ("planning", 25), ("executing", 30), ("confirming", 10),
          ("closed", 10), ("cancelled", 5)]),
    (60, [("investigating", 2), ("planning", 5), ("executing", 15), ("confirming", 8), ("closed", 62),
          ("closed_unresolved", 4), ("cancelled", 4)]),
    (None, [("investigating", 0.02), ("planning", 0.03), ("executing", 0.1), ("confirming", 0.05), ("closed", 91.8),
            ("closed_unresolved", 4), ("cancelled", 4)]),
]


def _policies(stage: str, record_type: str = "complaints.complaint") -> dict[str, tuple[int, int, int]]:
    """severity -> (policy id, working minutes, remind percent), as the engine picks them (the clock's
    category is the complaint's severity: complaints.reference)."""
    from qsm.sla.services import sla_policy_for

    found = {}
    for severity, _w in SEVERITIES:
        policy = sla_policy_for(record_type=record_type, stage=stage, category=severity)
        if policy is None:
            raise RuntimeError(f"no SLA policy for {record_type} {stage} {severity}: load the reference data")
        found[severity] = (policy.pk, policy.working_minutes, policy.remind_at_percent)
    return found


def _by_severity(policies, index: int, alias: str = "c") -> str:
    whens = " ".join(f"WHEN {alias}.severity = {lit(s)} THEN {v[index]}" for s, v in policies.items())
    return f"(CASE {whens} END)"


def seed(ctx: ScaleContext) -> None:
    from aftersales.scale import seed_due_visits

    _plan_complaints(ctx)
    _insert_complaints(ctx)
    _insert_plans_and_measures(ctx)
    _insert_answers_reports_preventive(ctx)
    _insert_clocks_and_timeline(ctx)
    # VIS-1: closing wrote the follow-up rows; the visit scheduler made the visits of the due ones.
    seed_due_visits(ctx)


# --- the plan of every complaint (a temporary table) -------------------------------------------------


def _plan_complaints(ctx: ScaleContext) -> None:
    org = ctx.org_lookups()
    n_total = ctx.count(100_000, minimum=24)
    tz = lit(ctx.tz)
    now = now_sql(ctx)
    first, (first_customer, n_customers) = ctx.next_id("complaints_complaint"), customer_range(ctx)
    products = [r[0] for r in ctx.rows("SELECT id FROM org_product WHERE is_active ORDER BY id")] or [0]
    causes = [r[0] for r in ctx.rows("SELECT id FROM aftersales_causecategory WHERE parent_id IS NOT NULL "
                                     "AND is_active ORDER BY id")]
    quality = org["quality_users"] or [0]
    managers = ctx.rows("""SELECT u.id FROM org_user u JOIN org_department d ON d.id = u.department_id
                           JOIN org_user_groups ug ON ug.user_id = u.id JOIN auth_group g ON g.id = ug.group_id
                           WHERE d.kind = 'quality' AND g.name = 'manager' AND u.is_active ORDER BY u.id""")
    ctx.shared["complaints"] = {"quality": quality, "quality_managers": [r[0] for r in managers] or quality[:1]}
    from_orders = ctx.scalar("SELECT COUNT(*) FROM orders_order WHERE delivered_at IS NOT NULL")
    n_from_orders = min(from_orders, round(n_total / 3))
    n_direct = n_total - n_from_orders
    reply, resolution, investigation = _policies("reply"), _policies("resolution"), _policies("investigation")
    ctx.shared["complaints"]["approval"] = _policies("approval", "complaints.handlingplan")

    with ctx.step("plan complaints (temporary table)") as rows:
        age_case = "CASE " + " ".join(
            f"WHEN age < {limit} THEN {weighted(mix, rnd('g', 901))}" for limit, mix in MIX_BY_AGE if limit is not None
        ) + f" ELSE {weighted(MIX_BY_AGE[-1][1], rnd('g', 901))} END"
        rows.append(ctx.execute(f"""
            DROP TABLE IF EXISTS scale_complaint; CREATE TEMP TABLE scale_complaint ON COMMIT DROP AS
            WITH src AS (
                SELECT {after('o.delivered_at', f"2 + 500 * power({rnd('o.id', 902)}, 2)", 0.8, now)} AS received_at,
                       o.customer_id, o.id AS order_id, -o.id AS k
                FROM (SELECT id, customer_id, delivered_at FROM orders_order WHERE delivered_at IS NOT NULL
                      ORDER BY {rnd('id', 903)}, id LIMIT {n_from_orders}) o
                UNION ALL
                SELECT x.received_at, {first_customer} + floor(power({rnd('d', 904)}, 1.5) * {n_customers})::bigint,
                       NULL, d
                FROM generate_series(1::bigint, {n_direct}) d
                {spread_over_window(ctx, 'd', 905, n_direct, now)}
            ), {numbered_by_receipt(now)}
            SELECT {first} + g - 1 AS id, numbered.*, {age_case} AS status,
                   {weighted(SEVERITIES, rnd('g', 906))} AS severity, {weighted(CHANNELS, rnd('g', 907))} AS channel,
                   ({org['intake']})[1 + floor({rnd('g', 908)} * 1000)::int] AS dept_id,
                   ({org['handover']})[1 + floor({rnd('g', 909)} * 1000)::int] AS resp_dept_id
            FROM numbered"""))
        # The newest complaints go through every state and the two oldest stayed open (overdue), so that even
        # a tiny scale has each; the third newest closed took three plan versions.
        newest = ["received", "investigating", "planning", "executing", "confirming", "closed", "closed_unresolved",
                  "cancelled", "closed", "planning"]
        ctx.execute(f"""
            UPDATE scale_complaint c SET status = ({text_array(newest)})[{n_total} - c.g + 1]
            WHERE c.g > {n_total} - {len(newest)};
            UPDATE scale_complaint c SET status = (ARRAY['executing', 'investigating'])[c.g] WHERE c.g <= 2""")
        ctx.execute(f"""
            ALTER TABLE scale_complaint ADD COLUMN receiver_id bigint, ADD COLUMN investigator_id bigint,
                ADD COLUMN resp_person_id bigint, ADD COLUMN number text, ADD COLUMN product_id bigint,
                ADD COLUMN cause_id bigint, ADD COLUMN rejected int, ADD COLUMN rounds int, ADD COLUMN n_versions int,
                ADD COLUMN by_link boolean, ADD COLUMN reply_policy bigint, ADD COLUMN reply_minutes int,
                ADD COLUMN reply_percent int, ADD COLUMN res_policy bigint, ADD COLUMN res_minutes int,
                ADD COLUMN res_percent int, ADD COLUMN t_reply timestamptz, ADD COLUMN t_assign timestamptz,
                ADD COLUMN t_plan timestamptz, ADD COLUMN t_exec timestamptz, ADD COLUMN t_confirm timestamptz,
                ADD COLUMN t_end timestamptz, ADD COLUMN reply_due timestamptz, ADD COLUMN reply_remind timestamptz,
                ADD COLUMN res_due timestamptz, ADD COLUMN res_remind timestamptz, ADD COLUMN paused_minutes int,
                ADD COLUMN inv_policy bigint, ADD COLUMN inv_minutes int, ADD COLUMN inv_percent int,
                ADD COLUMN inv_due timestamptz, ADD COLUMN inv_remind timestamptz;
            UPDATE scale_complaint c SET receiver_id = s.user_id
            FROM scale_biz b, scale_staff s
            WHERE b.id = c.dept_id AND s.dept_id = b.id AND s.n = 1 + floor(power({rnd('c.g', 910)}, 2) * b.n_staff)::int;
            UPDATE scale_complaint c SET resp_person_id = s.user_id
            FROM scale_biz b, scale_staff s
            WHERE b.id = c.resp_dept_id AND s.dept_id = b.id AND s.n = 1 + floor({rnd('c.g', 911)} * b.n_staff)::int;
            UPDATE scale_complaint c SET number = 'TS-' || y.year || '-' || lpad(y.k::text, 6, '0')
            FROM (SELECT g, extract(year FROM received_at AT TIME ZONE {tz})::int AS year,
                         row_number() OVER (PARTITION BY extract(year FROM received_at AT TIME ZONE {tz}) ORDER BY g) AS k
                  FROM scale_complaint) y
            WHERE y.g = c.g;
            UPDATE scale_complaint c SET
                investigator_id = CASE WHEN c.status NOT IN ('received', 'cancelled')
                    THEN ({int_array(quality)})[1 + floor({rnd('c.g', 912)} * {len(quality)})::int] END,
                product_id = CASE WHEN c.order_id IS NOT NULL
                    THEN (SELECT l.product_id FROM orders_orderline l WHERE l.order_id = c.order_id ORDER BY l.id LIMIT 1)
                    WHEN {rnd('c.g', 913)} < 0.6 THEN ({int_array(products)})[1 + floor({rnd('c.g', 914)} * {len(products)})::int] END,
                cause_id = CASE WHEN c.status NOT IN ('received', 'investigating', 'cancelled') AND {len(causes)} > 0
                    THEN ({int_array(causes or [0])})[1 + floor({rnd('c.g', 915)} * {max(len(causes), 1)})::int] END,
                rejected = CASE WHEN c.g = {n_total} - 8 OR {rnd('c.g', 916)} < 0.15 THEN 1 ELSE 0 END,
                rounds = CASE WHEN c.g = {n_total} - 8 THEN 2 WHEN {rnd('c.g', 917)} < 0.1 THEN 2 ELSE 1 END,
                by_link = {rnd('c.g', 918)} < 0.4,
                reply_policy = {_by_severity(reply, 0)}, reply_minutes = {_by_severity(reply, 1)},
                reply_percent = {_by_severity(reply, 2)},
                res_policy = {_by_severity(resolution, 0)}, res_minutes = {_by_severity(resolution, 1)},
                res_percent = {_by_severity(resolution, 2)},
                inv_policy = {_by_severity(investigation, 0)}, inv_minutes = {_by_severity(investigation, 1)},
                inv_percent = {_by_severity(investigation, 2)};
            -- Only a complaint that reached planning has plans; a second round needs a customer's answer.
            UPDATE scale_complaint c SET rounds = 1 WHERE c.status NOT IN ('planning', 'executing', 'confirming', 'closed');
            UPDATE scale_complaint c SET n_versions = CASE
                WHEN c.status IN ('received', 'investigating', 'cancelled') THEN 0
                WHEN c.status = 'closed_unresolved' THEN 1 + c.rejected
                ELSE c.rounds + c.rejected END;
            UPDATE scale_complaint c SET
                reply_due = qsm_work_add(c.received_at, c.reply_minutes),
                reply_remind = qsm_work_add(c.received_at, c.reply_minutes * c.reply_percent / 100.0),
                res_due = qsm_work_add(c.received_at, c.res_minutes),
                res_remind = qsm_work_add(c.received_at, c.res_minutes * c.res_percent / 100.0),
                t_reply = CASE WHEN c.status NOT IN ('received', 'cancelled') OR {rnd('c.g', 920)} < 0.4 THEN least(
                    qsm_work_add(c.received_at, c.reply_minutes * (0.1 + 1.2 * power({rnd('c.g', 921)}, 1.5))),
                    c.received_at + ({now} - c.received_at) * 0.1) END;
            UPDATE scale_complaint c SET t_assign = {after('c.received_at', f"0.2 + 2 * {rnd('c.g', 922)}", 0.15, now)}
            WHERE c.investigator_id IS NOT NULL;
            UPDATE scale_complaint c SET inv_due = qsm_work_add(c.t_assign, c.inv_minutes),
                inv_remind = qsm_work_add(c.t_assign, c.inv_minutes * c.inv_percent / 100.0)
            WHERE c.t_assign IS NOT NULL;
            UPDATE scale_complaint c SET t_plan = {after('c.t_assign', f"1 + 5 * {rnd('c.g', 923)}", 0.2, now)}
            WHERE c.n_versions > 0;
            UPDATE scale_complaint c SET t_exec = {after('c.t_plan', f"1 + 4 * {rnd('c.g', 924)}", 0.3, now)}
            WHERE c.status IN ('executing', 'confirming', 'closed') OR (c.status = 'closed_unresolved' AND c.n_versions > 0);
            UPDATE scale_complaint c SET t_confirm = {after('c.t_exec', f"3 + 20 * {rnd('c.g', 925)}", 0.5, now)}
            WHERE c.status IN ('confirming', 'closed');
            UPDATE scale_complaint c SET t_end = CASE
                WHEN c.status = 'closed' THEN {after('c.t_confirm', f"1 + 5 * {rnd('c.g', 926)}", 0.5, now)}
                WHEN c.status = 'closed_unresolved' THEN {after('coalesce(c.t_exec, c.t_plan, c.t_assign, c.received_at)', f"10 + 30 * {rnd('c.g', 927)}", 0.5, now)}
                WHEN c.status = 'cancelled' THEN {after('c.received_at', f"0.2 + 2 * {rnd('c.g', 928)}", 0.3, now)}
                END;
            -- The resolution clock stands still while the customer is asked (confirming).
            UPDATE scale_complaint c SET paused_minutes = CASE WHEN c.status = 'closed'
                THEN (extract(epoch FROM c.t_end - c.t_confirm) / 60 * 0.27)::int ELSE 0 END;
            CREATE UNIQUE INDEX ON scale_complaint (id);
            ANALYZE scale_complaint;
        """)


def _insert_complaints(ctx: ScaleContext) -> None:
    now = now_sql(ctx)
    qm = ctx.shared["complaints"]["quality_managers"]
    whys = "CASE " + " ".join(
        f"WHEN c.g % {len(WHYS)} = {k} THEN {lit(__import__('json').dumps(w, ensure_ascii=False))}::jsonb"
        for k, w in enumerate(WHYS)) + " END"
    root = "CASE " + " ".join(f"WHEN c.g % {len(ROOT_CAUSES)} = {k} THEN {lit(r)}"
                              for k, r in enumerate(ROOT_CAUSES)) + " END"
    with ctx.step("complaints") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO complaints_complaint (id, number, channel, customer_id, contact_name, contact_phone, order_id,
                product_id, source_visit_id, source_case_id, subject, description, customer_demand, severity, status,
                received_at, received_by_id, receiving_department_id, investigator_id, promised_reply_at, replied_at,
                reply, facts, cause_id, whys, root_cause, responsible_department_id, responsible_person_id,
                investigated_at, round, plan_version, closed_at, closed_satisfied, close_decision_reason, closed_by_id,
                due_at, created_at, updated_at)
            SELECT c.id, c.number, c.channel, c.customer_id, {pick(CONTACT_NAMES, 'c.g', 930)},
                   '1' || {pick(list('3589'), 'c.g', 931)} || lpad(((c.g * 7919 + 17) % 1000000000)::text, 9, '0'),
                   c.order_id, c.product_id, NULL, NULL, x.subject, {pick(DESCRIPTIONS, 'c.g', 932)},
                   {pick(DEMANDS, 'c.g', 933)}, c.severity, c.status, c.received_at, c.receiver_id, c.dept_id,
                   c.investigator_id, c.reply_due, c.t_reply,
                   CASE WHEN c.t_reply IS NOT NULL THEN {pick(REPLIES, 'c.g', 934)} ELSE '' END,
                   CASE WHEN c.t_plan IS NOT NULL THEN {pick(FACTS, 'c.g', 935)} ELSE '' END, c.cause_id,
                   CASE WHEN c.t_plan IS NOT NULL THEN {whys} ELSE '[]'::jsonb END,
                   CASE WHEN c.t_plan IS NOT NULL THEN {root} ELSE '' END,
                   CASE WHEN c.t_plan IS NOT NULL THEN c.resp_dept_id END,
                   CASE WHEN c.t_plan IS NOT NULL THEN c.resp_person_id END, c.t_plan, c.rounds, c.n_versions,
                   CASE WHEN c.status IN ('closed', 'closed_unresolved', 'cancelled') THEN c.t_end END,
                   CASE WHEN c.status = 'closed' THEN true WHEN c.status = 'closed_unresolved' THEN false END,
                   CASE WHEN c.status = 'closed_unresolved' THEN {pick(CLOSE_REASONS, 'c.g', 936)}
                        WHEN c.status = 'cancelled' THEN {pick(CANCEL_REASONS, 'c.g', 937)} ELSE '' END,
                   CASE WHEN c.status = 'closed_unresolved' THEN ({int_array(qm)})[1 + floor({rnd('c.g', 938)} * {len(qm)})::int]
                        WHEN c.status = 'closed' THEN c.investigator_id END,
                   CASE WHEN c.status IN {OPEN} AND c.status <> 'confirming' THEN least(
                        CASE WHEN c.t_reply IS NULL THEN c.reply_due END,
                        CASE WHEN c.status = 'investigating' THEN c.inv_due END, c.res_due) END,
                   c.received_at, coalesce(c.t_end, c.t_confirm, c.t_exec, c.t_plan, c.t_assign, c.received_at)
            FROM scale_complaint c
            CROSS JOIN LATERAL (SELECT {pick(HEADS, 'c.g', 939)} || {pick(PROBLEMS, 'c.g', 940)} AS subject) x
            ORDER BY c.id"""))
        # Numbers continue after the seeded ones (the app's sequence).
        ctx.execute("""
            INSERT INTO workflow_numbersequence (prefix, year, last)
            SELECT 'TS', split_part(number, '-', 2)::int, MAX(split_part(number, '-', 3)::int)
            FROM complaints_complaint GROUP BY 2
            ON CONFLICT (prefix, year) DO UPDATE SET last = GREATEST(workflow_numbersequence.last, EXCLUDED.last)""")
        ct = ctx.content_type_id("complaints", "complaint")
        # CMP-1: the acknowledgement to the customer with the promised reply time, logged at intake.
        rows.append(ctx.execute(f"""
            INSERT INTO contacts_contactentry (content_type_id, object_id, kind, channel, direction, summary, occurred_at,
                recorded_by_id, created_at, answer)
            SELECT {ct}, c.id, 'update', CASE WHEN c.channel IN ('phone', 'email', 'chat', 'visit') THEN c.channel
                                              ELSE 'other' END, 'out',
                   '您的投诉 ' || c.number || ' 已受理，我们将在 '
                   || to_char(c.reply_due AT TIME ZONE {lit(ctx.tz)}, 'YYYY-MM-DD HH24:MI') || ' 前答复您。',
                   c.received_at, c.receiver_id, c.received_at, ''
            FROM scale_complaint c ORDER BY c.id"""))
        rows.append(ctx.execute(f"""
            INSERT INTO followup_followup (content_type_id, object_id, reason, due_at, customer_id, department_id, created_at)
            SELECT {ct}, c.id, 'complaint_closed', c.t_end, c.customer_id,
                   CASE WHEN c.t_plan IS NOT NULL THEN c.resp_dept_id ELSE c.dept_id END, c.t_end
            FROM scale_complaint c WHERE c.status IN ('closed', 'closed_unresolved') AND c.t_end < {now}
            ORDER BY c.t_end"""))


def _insert_plans_and_measures(ctx: ScaleContext) -> None:
    n_total = ctx.scalar("SELECT COUNT(*) FROM scale_complaint")
    tz = lit(ctx.tz)
    now = now_sql(ctx)
    with ctx.step("handling plans and measures") as rows:
        # Version v of a complaint: the first one rejected when ``rejected``; each round's approved version
        # superseded by the next round's; the last one as the complaint's state says.
        ctx.execute(f"""
            DROP TABLE IF EXISTS scale_plan10; CREATE TEMP TABLE scale_plan10 ON COMMIT DROP AS
            SELECT c.id AS complaint_id, c.g, v AS version, c.investigator_id AS author_id,
                   CASE WHEN c.rejected = 1 AND v = 1 THEN 1 ELSE v - c.rejected END AS round,
                   CASE WHEN c.rejected = 1 AND v = 1 THEN 'rejected'
                        WHEN v < c.n_versions THEN 'superseded'
                        WHEN c.status = 'planning' THEN CASE WHEN c.g = {n_total} - 2 THEN 'draft'
                            WHEN c.g = {n_total} - 9 OR {rnd('c.g', 950)} < 0.5 THEN 'submitted' ELSE 'draft' END
                        WHEN c.status = 'executing' THEN 'approved'
                        WHEN c.status = 'closed_unresolved' THEN 'approved'
                        ELSE 'done' END AS status,
                   c.t_plan + (coalesce(c.t_exec, c.t_end, {now}) - c.t_plan) * ((v - 1)::float / c.n_versions) AS created_at,
                   c.t_plan + (coalesce(c.t_exec, c.t_end, {now}) - c.t_plan) * ((v - 0.5) / c.n_versions) AS submitted_at,
                   c.t_plan + (coalesce(c.t_exec, c.t_end, {now}) - c.t_plan) * ((v - 0.2) / c.n_versions) AS decided_at,
                   c.resp_dept_id, c.resp_person_id, c.status AS complaint_status, c.t_confirm, c.t_exec,
                   2 + floor({rnd('c.g * 7 + v', 951)} * 2)::int AS n_measures
            FROM scale_complaint c CROSS JOIN LATERAL generate_series(1, c.n_versions) v
            WHERE c.n_versions > 0;
            ALTER TABLE scale_plan10 ADD COLUMN id bigint, ADD COLUMN approver_id bigint;
            UPDATE scale_plan10 p SET id = {ctx.next_id('complaints_handlingplan')} + x.n - 1
            FROM (SELECT complaint_id, version, row_number() OVER (ORDER BY created_at, complaint_id, version) AS n
                  FROM scale_plan10) x WHERE x.complaint_id = p.complaint_id AND x.version = p.version;
            CREATE UNIQUE INDEX ON scale_plan10 (id); ANALYZE scale_plan10;""")
        managers = ctx.shared["complaints"]["quality_managers"]
        ctx.execute(f"""
            UPDATE scale_plan10 p SET approver_id = coalesce(
                (SELECT u.id FROM org_user u JOIN org_user_groups ug ON ug.user_id = u.id
                 JOIN auth_group g ON g.id = ug.group_id
                 WHERE u.department_id = p.resp_dept_id AND g.name = 'manager' AND u.is_active AND u.id <> p.author_id
                 ORDER BY u.id LIMIT 1), ({int_array(managers)})[1])""")
        rows.append(ctx.execute(f"""
            INSERT INTO complaints_handlingplan (id, complaint_id, version, round, summary, customer_objections, author_id,
                status, submitted_at, decided_by_id, decided_at, decision_reason, due_at, created_at)
            SELECT p.id, p.complaint_id, p.version, p.round, {pick(SUMMARIES, 'p.g + p.version', 952)},
                   CASE WHEN p.round > 1 THEN {pick(OBJECTIONS, 'p.g', 953)} ELSE '' END,
                   p.author_id, p.status, CASE WHEN p.status <> 'draft' THEN p.submitted_at END,
                   CASE WHEN p.status IN ('approved', 'rejected', 'superseded', 'done') THEN p.approver_id END,
                   CASE WHEN p.status IN ('approved', 'rejected', 'superseded', 'done') THEN p.decided_at END,
                   CASE WHEN p.status = 'rejected' THEN {pick(REJECT_REASONS, 'p.g', 954)} ELSE '' END,
                   NULL, p.created_at
            FROM scale_plan10 p ORDER BY p.id"""))
        rows.append(ctx.execute(f"""
            INSERT INTO complaints_measure (plan_id, position, description, owner_id, department_id, due_date, status,
                done_at, done_by_id, done_note, due_at, created_at)
            SELECT p.id, m.pos, {pick(MEASURES, 'p.g * 5 + m.pos', 955)}, coalesce(o.user_id, p.resp_person_id),
                   p.resp_dept_id, (x.due AT TIME ZONE {tz})::date, x.status,
                   CASE WHEN x.status = 'done' THEN x.done_at END, CASE WHEN x.status = 'done' THEN coalesce(o.user_id, p.resp_person_id) END,
                   CASE WHEN x.status = 'done' THEN {pick(DONE_NOTES, 'p.g * 5 + m.pos', 956)} ELSE '' END,
                   CASE WHEN x.status = 'open' THEN pg_temp.qsm_work_end((x.due AT TIME ZONE {tz})::date) END,
                   p.created_at
            FROM scale_plan10 p CROSS JOIN generate_series(1, 3) AS m(pos)
            JOIN scale_biz b ON b.id = p.resp_dept_id
            LEFT JOIN scale_staff o ON o.dept_id = b.id AND o.n = 1 + floor({rnd('p.g * 3 + m.pos', 957)} * b.n_staff)::int
            CROSS JOIN LATERAL (SELECT p.decided_at + interval '3 days' + m.pos * interval '4 days'
                                       + {days(f"10 * {rnd('p.g * 3 + m.pos', 958)}")} AS due) x0
            CROSS JOIN LATERAL (SELECT x0.due,
                CASE WHEN p.status IN ('draft', 'submitted') THEN 'planned'
                     WHEN p.status = 'rejected' THEN 'cancelled'
                     WHEN p.complaint_status = 'closed_unresolved' AND m.pos > 1 THEN 'cancelled'
                     WHEN p.status IN ('done', 'superseded') THEN 'done'
                     WHEN m.pos = 1 AND {rnd('p.g', 959)} < 0.5 THEN 'done'
                     ELSE 'open' END AS status,
                least(coalesce(p.t_confirm, {now}) - interval '1 hour', x0.due - interval '1 day') AS done_at) x
            WHERE m.pos <= p.n_measures ORDER BY p.id, m.pos"""))


def _insert_answers_reports_preventive(ctx: ScaleContext) -> None:
    now = now_sql(ctx)
    ct = ctx.content_type_id("complaints", "complaint")
    with ctx.step("customer answers, links, case reports, preventive measures") as rows:
        # One answer per finished round: the earlier rounds not satisfied, the last satisfied (closed).
        ctx.execute(f"""
            DROP TABLE IF EXISTS scale_answer; CREATE TEMP TABLE scale_answer ON COMMIT DROP AS
            SELECT c.id AS complaint_id, c.g, p.round, p.id AS plan_id, p.status = 'done' AND c.status = 'closed' AS satisfied,
                   CASE WHEN p.status = 'superseded' THEN p.decided_at + (coalesce(c.t_exec, {now}) - p.decided_at) * 0.5
                        ELSE c.t_end - interval '10 minutes' END AS answered_at,
                   c.by_link AND {rnd('c.g * 3 + p.round', 960)} < 0.8 AS by_link, c.investigator_id, n.contact_name
            FROM scale_complaint c
            JOIN complaints_handlingplan p ON p.complaint_id = c.id AND (p.status = 'superseded'
                                                                         OR (p.status = 'done' AND c.status = 'closed'))
            CROSS JOIN LATERAL (SELECT {pick(CONTACT_NAMES, 'c.g', 930)} AS contact_name) n""")
        rows.append(ctx.execute(f"""
            INSERT INTO links_signedlink (content_type_id, object_id, purpose, token_hash, contact_name, created_by_id,
                                          created_at, expires_at, used_at, revoked_at)
            SELECT {ct}, a.complaint_id, 'complaint_confirm',
                   encode(sha256(convert_to('qsm-scale-complaint-link-' || a.complaint_id || '-' || a.round, 'UTF8')), 'hex'),
                   a.contact_name, a.investigator_id, a.answered_at - interval '1 day', a.answered_at + interval '6 days',
                   a.answered_at, NULL
            FROM scale_answer a WHERE a.by_link ORDER BY a.answered_at"""))
        rows.append(ctx.execute(f"""
            INSERT INTO complaints_customeranswer (complaint_id, round, plan_id, method, satisfied, objections, answered_at,
                recorded_by_id, link_id, ip, user_agent)
            SELECT a.complaint_id, a.round, a.plan_id, CASE WHEN a.by_link THEN 'link' ELSE 'phone' END, a.satisfied,
                   CASE WHEN a.satisfied THEN '' ELSE {pick(OBJECTIONS, 'a.g', 953)} END, a.answered_at,
                   CASE WHEN a.by_link THEN NULL ELSE a.investigator_id END, l.id,
                   CASE WHEN a.by_link THEN ('10.' || (a.g % 250) || '.' || (a.g / 250 % 250) || '.' || (1 + a.g % 200))::inet END,
                   CASE WHEN a.by_link THEN {pick(USER_AGENTS, 'a.g', 961)} ELSE '' END
            FROM scale_answer a
            LEFT JOIN links_signedlink l ON a.by_link AND l.content_type_id = {ct} AND l.object_id = a.complaint_id
                 AND l.purpose = 'complaint_confirm' AND l.used_at = a.answered_at
            ORDER BY a.answered_at"""))
        rows.append(ctx.execute(f"""
            INSERT INTO complaints_casereport (complaint_id, summary, cause_text, responsibility_text, measures_text,
                lessons_learned, written_by_id, written_at, status, updated_at)
            SELECT c.id, c.number || ' ' || x.subject, cp.root_cause, d.name || ' · ' || u.username,
                   {pick(SUMMARIES, 'c.g', 952)}, {pick(LESSONS, 'c.g', 962)}, c.investigator_id, c.t_end + interval '1 day',
                   CASE WHEN {rnd('c.g', 963)} < 0.8 THEN 'final' ELSE 'draft' END, c.t_end + interval '1 day'
            FROM scale_complaint c JOIN complaints_complaint cp ON cp.id = c.id
            JOIN org_department d ON d.id = c.resp_dept_id JOIN org_user u ON u.id = c.resp_person_id
            CROSS JOIN LATERAL (SELECT cp.subject) x
            WHERE c.status = 'closed' AND c.t_end + interval '1 day' < {now} AND {rnd('c.g', 964)} < 0.7
            ORDER BY c.id"""))
        tz = lit(ctx.tz)
        rows.append(ctx.execute(f"""
            INSERT INTO complaints_preventivemeasure (complaint_id, description, owner_id, department_id, due_date, status,
                done_at, done_by_id, done_note, due_at, created_at, created_by_id)
            SELECT c.id, {pick(PREVENTIVE, 'c.g', 965)}, c.resp_person_id, c.resp_dept_id, (x.due AT TIME ZONE {tz})::date,
                   x.status, CASE WHEN x.status = 'done' THEN x.due - interval '2 days' END,
                   CASE WHEN x.status = 'done' THEN c.resp_person_id END,
                   CASE WHEN x.status = 'done' THEN {pick(DONE_NOTES, 'c.g', 956)} ELSE '' END,
                   CASE WHEN x.status = 'open' THEN pg_temp.qsm_work_end((x.due AT TIME ZONE {tz})::date) END,
                   c.t_end + interval '1 day', c.investigator_id
            FROM scale_complaint c
            CROSS JOIN LATERAL (SELECT c.t_end + interval '10 days' + {days(f"30 * {rnd('c.g', 966)}")} AS due) x0
            CROSS JOIN LATERAL (SELECT x0.due, CASE WHEN x0.due < {now} - interval '3 days' AND {rnd('c.g', 967)} < 0.9
                                                    THEN 'done' ELSE 'open' END AS status) x
            WHERE c.status = 'closed' AND c.t_end + interval '1 day' < {now} AND {rnd('c.g', 968)} < 0.4
            ORDER BY c.id"""))


def _insert_clocks_and_timeline(ctx: ScaleContext) -> None:
    from .models import Measure, PreventiveMeasure

    now = now_sql(ctx)
    ct = ctx.content_type_id("complaints", "complaint")
    ct_plan = ctx.content_type_id("complaints", "handlingplan")
    ct_measure = ctx.content_type_id("complaints", "measure")
    ct_preventive = ctx.content_type_id("complaints", "preventivemeasure")
    url = url_prefix("complaints:complaint-detail")
    lead = clock_lead_days(Measure, "measure")
    preventive_lead = clock_lead_days(PreventiveMeasure, "preventive")
    title = "left(c.number || ' ' || a.subject, 200)"
    approval = ctx.shared["complaints"]["approval"]
    deadline = """INSERT INTO sla_deadline (content_type_id, object_id, stage, source, policy_id, calendar_id, title, url,
                owner_id, department_id, state, started_at, allowed_minutes, remind_at, due_at, paused_at, paused_minutes,
                completed_at, reminded_at, overdue_at)"""
    with ctx.step("deadlines (reply, investigation, resolution, approval, measures, preventive)") as rows:
        # The complaint's policy clocks: (stage, column prefix, owner, started, paused at, state, completed, rows)
        clocks = [
            ("reply", "reply", "c.receiver_id", "c.received_at", "NULL::timestamptz",
             f"CASE WHEN c.t_reply IS NULL AND c.status IN {OPEN} THEN 'running' WHEN c.t_reply IS NULL THEN "
             "'cancelled' WHEN c.t_reply <= c.reply_due THEN 'met' ELSE 'late' END",
             f"CASE WHEN c.t_reply IS NULL AND c.status IN {OPEN} THEN NULL ELSE coalesce(c.t_reply, c.t_end) END",
             "TRUE"),
            ("resolution", "res", "coalesce(c.investigator_id, c.receiver_id)", "c.received_at",
             "CASE WHEN c.status = 'confirming' THEN c.t_confirm END",
             "CASE WHEN c.status IN ('received', 'investigating', 'planning', 'executing') THEN 'running' "
             "WHEN c.status = 'confirming' THEN 'paused' WHEN c.status = 'cancelled' THEN 'cancelled' "
             "WHEN c.t_end <= c.res_due THEN 'met' ELSE 'late' END", "c.t_end", "TRUE"),
            ("investigation", "inv", "c.investigator_id", "c.t_assign", "NULL::timestamptz",
             "CASE WHEN c.status = 'investigating' THEN 'running' WHEN c.t_plan IS NULL THEN 'cancelled' "
             "WHEN c.t_plan <= c.inv_due THEN 'met' ELSE 'late' END",
             "CASE WHEN c.status = 'investigating' THEN NULL ELSE coalesce(c.t_plan, c.t_end) END",
             "c.t_assign IS NOT NULL"),
        ]
        for stage, p, owner, started, paused, state, completed, where in clocks:
            paused_minutes = "c.paused_minutes" if stage == "resolution" else "0"
            rows.append(ctx.execute(f"""
                {deadline}
                SELECT {ct}, c.id, '{stage}', 'policy', c.{p}_policy, {ctx.calendar_id}, {title}, {lit(url)} || c.id || '/',
                       {owner}, c.dept_id, x.state, {started}, c.{p}_minutes, c.{p}_remind, c.{p}_due, x.paused_at,
                       {paused_minutes}, x.completed_at,
                       CASE WHEN c.{p}_remind <= coalesce(x.completed_at, x.paused_at, {now}) THEN c.{p}_remind END,
                       CASE WHEN c.{p}_due <= coalesce(x.completed_at, x.paused_at, {now}) THEN c.{p}_due END
                FROM scale_complaint c JOIN complaints_complaint a ON a.id = c.id
                CROSS JOIN LATERAL (SELECT {state} AS state, {completed} AS completed_at, {paused} AS paused_at) x
                WHERE {where}
                ORDER BY c.id"""))
        rows.append(ctx.execute(f"""
            {deadline}
            SELECT {ct_plan}, h.id, 'approval', 'policy', x.policy, {ctx.calendar_id}, left(c.number || ' v' || h.version, 200),
                   {lit(url)} || c.id || '/', p.approver_id, c.resp_dept_id, x.state, h.submitted_at, x.minutes,
                   x.remind, x.due, NULL, 0, h.decided_at,
                   CASE WHEN x.remind <= coalesce(h.decided_at, {now}) THEN x.remind END,
                   CASE WHEN x.due <= coalesce(h.decided_at, {now}) THEN x.due END
            FROM complaints_handlingplan h JOIN scale_plan10 p ON p.id = h.id
            JOIN scale_complaint c ON c.id = h.complaint_id
            CROSS JOIN LATERAL (SELECT {_by_severity(approval, 0)} AS policy, {_by_severity(approval, 1)} AS minutes,
                                       {_by_severity(approval, 2)} AS percent) x0
            CROSS JOIN LATERAL (SELECT x0.policy, x0.minutes, qsm_work_add(h.submitted_at, x0.minutes) AS due,
                                       qsm_work_add(h.submitted_at, x0.minutes * x0.percent / 100.0) AS remind,
                                       CASE WHEN h.status = 'submitted' THEN 'running'
                                            WHEN h.decided_at <= qsm_work_add(h.submitted_at, x0.minutes) THEN 'met'
                                            ELSE 'late' END AS state) x
            WHERE h.submitted_at IS NOT NULL
            ORDER BY h.id"""))
        rows.append(ctx.execute(f"""
            UPDATE complaints_handlingplan h SET due_at = d.due_at FROM sla_deadline d
            WHERE d.content_type_id = {ct_plan} AND d.object_id = h.id AND d.stage = 'approval' AND d.state = 'running'"""))
        rows.append(ctx.execute(date_clock_deadlines(
            ctx, content_type=ct_measure, stage="measure", lead=lead, record="m.id", due_date="m.due_date",
            rows="""complaints_measure m JOIN complaints_handlingplan p ON p.id = m.plan_id
                    JOIN complaints_complaint c ON c.id = p.complaint_id""",
            title="left(c.number || ' #' || m.position || ' ' || m.description, 200)",
            url=f"{lit(url)} || c.id || '/'", owner="m.owner_id", department="m.department_id", started="p.decided_at",
            completed="m.done_at", running="m.status = 'open'", now=now)
            + " WHERE m.status IN ('open', 'done') AND p.decided_at IS NOT NULL ORDER BY m.id"))
        # CMP-5: the preventive measures' date clocks (open ones running, done ones met or late).
        rows.append(ctx.execute(date_clock_deadlines(
            ctx, content_type=ct_preventive, stage="preventive", lead=preventive_lead, record="pm.id",
            due_date="pm.due_date", rows="complaints_preventivemeasure pm JOIN complaints_complaint c ON c.id = pm.complaint_id",
            title="left(c.number || ' ' || pm.description, 200)", url=f"{lit(url)} || c.id || '/'", owner="pm.owner_id",
            department="pm.department_id", started="pm.created_at", completed="pm.done_at",
            running="pm.status = 'open'", now=now) + " ORDER BY pm.id"))

    event = """INSERT INTO workflow_event (content_type_id, object_id, kind, action, from_state, to_state, changes, data,
                   actor_kind, actor_id, actor_label, via, comment, created_at)"""
    with ctx.step("timeline events (complaints, plans)") as rows:
        rows.append(ctx.execute(f"""
            {event}
            SELECT {ct}, c.id, e.kind, e.action, e.from_state, e.to_state, '[]'::jsonb, '{{}}'::jsonb,
                   CASE WHEN e.actor IS NULL THEN 'system' ELSE 'user' END, e.actor, '', 'page', e.comment, e.at
            FROM scale_complaint c
            CROSS JOIN LATERAL (VALUES
                ('created', '', '', 'received', c.receiver_id, c.received_at, ''),
                ('transition', 'assign', 'received', 'investigating', c.investigator_id, c.t_assign, ''),
                ('transition', 'start_planning', 'investigating', 'planning', c.investigator_id, c.t_plan, ''),
                ('transition', 'execute', 'planning', 'executing', NULL, c.t_exec, ''),
                ('transition', 'confirm', 'executing', 'confirming', NULL, c.t_confirm, ''),
                ('transition', 'satisfied', 'confirming', 'closed', c.investigator_id,
                 CASE WHEN c.status = 'closed' THEN c.t_end END, ''),
                ('transition', 'close_unresolved', coalesce(CASE WHEN c.t_exec IS NOT NULL THEN 'executing' END,
                    CASE WHEN c.t_plan IS NOT NULL THEN 'planning' END, 'investigating'), 'closed_unresolved', NULL,
                 CASE WHEN c.status = 'closed_unresolved' THEN c.t_end END, {pick(CLOSE_REASONS, 'c.g', 936)}),
                ('transition', 'cancel', 'received', 'cancelled', NULL, CASE WHEN c.status = 'cancelled' THEN c.t_end END,
                 {pick(CANCEL_REASONS, 'c.g', 937)})
            ) AS e(kind, action, from_state, to_state, actor, at, comment)
            WHERE e.at IS NOT NULL
            ORDER BY e.at"""))
        rows.append(ctx.execute(f"""
            {event}
            SELECT {ct_plan}, p.id, e.kind, e.action, e.from_state, e.to_state, '[]'::jsonb, '{{}}'::jsonb, 'user', e.actor,
                   '', 'page', e.comment, e.at
            FROM scale_plan10 p JOIN complaints_handlingplan h ON h.id = p.id
            CROSS JOIN LATERAL (VALUES
                ('created', '', '', 'draft', p.author_id, p.created_at, ''),
                ('transition', 'submit', 'draft', 'submitted', p.author_id,
                 CASE WHEN p.status <> 'draft' THEN p.submitted_at END, ''),
                ('transition', CASE WHEN p.status = 'rejected' THEN 'reject' ELSE 'approve' END, 'submitted',
                 CASE WHEN p.status = 'rejected' THEN 'rejected' ELSE 'approved' END, p.approver_id,
                 CASE WHEN p.status IN ('approved', 'rejected', 'superseded', 'done') THEN p.decided_at END,
                 h.decision_reason)
            ) AS e(kind, action, from_state, to_state, actor, at, comment)
            WHERE e.at IS NOT NULL ORDER BY e.at"""))


def report(ctx: ScaleContext) -> list[str]:
    total, open_, overdue, unresolved, rounds = ctx.rows(f"""
        SELECT COUNT(*), COUNT(*) FILTER (WHERE status IN {OPEN}),
               COUNT(*) FILTER (WHERE status IN {OPEN} AND due_at < now()),
               COUNT(*) FILTER (WHERE status = 'closed_unresolved'), COUNT(*) FILTER (WHERE round > 1)
        FROM complaints_complaint""")[0]
    measures, late = ctx.rows("""SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 'open' AND due_at < now())
                                 FROM complaints_measure""")[0]
    return [f"Complaints: {total:,}, {open_:,} open, {overdue:,} overdue, {unresolved:,} closed unresolved, "
            f"{rounds:,} with more than one round; measures: {measures:,}, {late:,} overdue."]


seeder = Seeder(
    module="complaints",
    tables=("complaints_complaint", "complaints_handlingplan", "complaints_measure", "complaints_customeranswer",
            "complaints_casereport", "complaints_preventivemeasure", "links_signedlink", "followup_followup",
            "aftersales_visit", "aftersales_visitanswer", "aftersales_phoneattempt", "contacts_contactentry",
            "sla_deadline", "workflow_event", "workflow_numbersequence"),
    seed=seed,
    report=report,
)
