"""PERF-1, after-sales at scale (``manage.py seed_scale``): feedback cases and follow-up visits over five
years with the rows the app writes for each (AFS-1, AFS-2, VIS-1, VIS-2). Declared on
AftersalesConfig (``scale_data``); runs after orders.

At scale 1: 300,000 cases, numbered ``AS-<year>-<n>`` per year of receipt: about half logged for a
delivered order (its customer, department, product and delivery, some days to months after the
delivery), the rest for any customer. On every channel, of each type (product quality, service,
other) and severity. Old ones are closed or resolved, a few cancelled; recent ones new, in progress,
waiting for the customer (their clocks paused) or in the special-solution flow; a few old ones
stayed open past their deadline (overdue); some were reopened once (counted). A complex case has
its special plan (draft, running or done) with two or three dated steps with owners, the
discussion with the invited technical department and progress updates to the customer.

For each case, as ``aftersales.services`` / the engine write them: the ``reply`` and ``resolution``
deadlines (policy by severity and case type, paused while waiting, a second resolution clock after
a reopening), ``due_at`` = the earliest running one, the diagnosis, cause and solution once worked,
one timeline event per transition, and the follow-up queue row ``case_resolved`` on resolving.

Then the visit scheduler's work over the last two years (the rows due before were closed when the
visits began): every follow-up queue row whose reason has an active visit rule (delivered and
accepted orders, resolved cases) and that fell due became a visit (the row consumed), due the
rule's working days later, owned by the department's visit owner, asking the rule's questionnaire's
current version. Done visits (by phone with the call time and duration, some after failed attempts;
by survey link, the link issued and used, the customer's IP and browser) carry a spread of scores,
the answers to each question, comments and suggestions; a few phone visits were re-checked by the
quality department; recent ones are planned or wait for the survey, a few are overdue. With the
``visit`` deadline, ``due_at`` and the timeline events of each.
"""
from __future__ import annotations

from qsm.scale import ScaleContext, Seeder, int_array, lit, pick, rnd, text_array, weighted
from qsm.scale_sql import after as _next
from qsm.scale_sql import clock_lead_days as _lead_days
from qsm.scale_sql import date_clock_deadlines, numbered_by_receipt, spread_over_window
from qsm.scale_sql import url_prefix as _url

# --- word lists ----------------------------------------------------------------------------------

HEADS = ["主轴", "数控系统", "刀库", "丝杠", "导轨", "液压站", "冷却系统", "润滑系统", "伺服电机", "防护门", "机器人",
         "焊枪", "视觉系统", "夹具", "排屑器", "光栅尺", "控制柜", "加工中心", "数控车床", "装配线"]
PROBLEMS = ["异响", "漏油", "报警", "精度超差", "安装问题", "无法启动", "振动大", "温升过高", "定位不准", "安装后调试问题",
            "维修不及时", "备件缺货", "安装质量", "售后服务态度", "培训不到位", "故障频发", "发货错漏", "说明书不清"]
DETAILS = ["客户来电反映：", "客户邮件反映：", "在线客服转入：", "回访时客户提出：", "经销商反馈："]
DESCRIPTIONS = ["设备运行约两小时后出现，停机冷却后恢复，影响生产节拍。", "新设备安装后第一周即出现，要求尽快派人处理。",
                "已按说明书排查，问题依旧，客户较为着急。", "批量加工时尺寸不稳定，废品率上升到百分之三。",
                "现场工程师答复后一直未处理，客户不满意。", "偶发，约每天两到三次，报警后复位可继续运行。"]
DIAGNOSES = ["现场检查确认：轴承润滑不良导致磨损，需更换。", "远程诊断：参数设置错误，已指导客户修改。",
             "拆检发现密封件老化，属批次质量问题。", "运输途中受潮，电气元件绝缘下降。", "操作不当导致过载，已培训操作人员。",
             "安装时地基未按要求找平，引起振动。"]
SOLUTIONS = ["更换轴承并重新调整预紧力，试运行八小时正常。", "修改参数并备份，客户确认恢复正常。", "更换同批次全部密封件，免费处理。",
             "更换受潮元件，增加柜内除湿装置。", "重新培训操作人员并补充操作规程。", "重新找平地基并紧固地脚螺栓，复测精度合格。"]
CAUSE_DETAILS = ["供应商来料批次问题，已反馈采购部。", "装配工序漏检，已补充检验项目。", "客户现场环境温湿度超出要求。",
                 "服务工程师响应超时，已纳入考核。", ""]
REPLIES = ["已收到反馈，工程师将在24小时内联系您。", "已安排技术支持远程诊断，请保持电话畅通。", "已派工程师明天上门处理。"]
WAIT_COMMENTS = ["等待客户提供故障视频。", "等待客户安排停机时间。", "等待客户确认现场环境。"]
CANCEL_COMMENTS = ["重复登记，已合并到其他服务单。", "客户撤回反馈。", "经核实非本公司产品。"]
REOPEN_COMMENTS = ["客户反映问题再次出现。", "更换后仍有异响，客户要求复查。"]
CLOSE_COMMENTS = ["客户确认问题已解决。", ""]
PLAN_TITLES = ["批次质量问题专项整改", "现场精度恢复方案", "多部门联合排查方案", "备件紧急调拨与更换方案"]
PLAN_CONTENTS = ["成立专项小组：质量、技术、生产三方联合分析原因，分步实施整改并向客户通报进度。",
                 "先临时处置保证生产，再根本整改；每一步完成后由客户确认。"]
STEP_TEXTS = ["现场取证并分析根本原因", "制定整改方案并与客户确认", "更换故障部件并试运行", "复测精度并出具报告",
              "对同批次设备进行排查"]
STEP_NOTES = ["已完成，客户现场确认。", "已完成，报告已归档。", "已完成，试运行八小时正常。"]
UPDATES = ["已向客户通报排查进度：原因已初步确定，备件已发出。", "已告知客户整改计划及时间节点，客户表示认可。",
           "电话告知客户：第一步已完成，下周完成复测。"]
TOPICS = ["专项问题分析会", "整改方案评审", "跨部门协调会"]
CONTACT_NAMES = ["王建国", "李海燕", "张志强", "刘秀英", "陈晓东", "杨丽华", "黄国庆", "赵文博", "吴雪梅", "周建华"]
COMMENTS = ["服务及时，工程师很专业。", "问题解决了，但等待时间有点长。", "整体满意。", "响应慢，希望改进。",
            "设备运行稳定，感谢。", "工程师态度很好。", "", ""]
SUGGESTIONS = ["希望能提供更多操作培训。", "建议缩短备件供货周期。", "希望定期上门巡检。", "", "", ""]
ATTEMPT_NOTES = ["无人接听", "占线，稍后再拨", "客户在开会", ""]
USER_AGENTS = ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.47",
               "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36",
               "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/122.0 Safari/537.36"]
RECHECK_NOTES = ["电话复核，客户确认回访内容属实。", "复核时客户表示未接到回访电话。"]

CHANNELS = [("phone", 45), ("email", 15), ("chat", 25), ("visit", 5), ("other", 10)]
TYPES = [("product_quality", 50), ("service", 32), ("other", 18)]
SEVERITIES = [("low", 15), ("normal", 58), ("high", 20), ("urgent", 7)]
# Final states by the case's age (days): recent ones open, old ones closed; old ones still open are
# the overdue ones.
MIX_BY_AGE = [
    (2, [("new", 35), ("in_progress", 33), ("special", 4), ("waiting_customer", 8), ("resolved", 15), ("cancelled", 5)]),
    (10, [("new", 2), ("in_progress", 25), ("special", 8), ("waiting_customer", 8), ("resolved", 45), ("closed", 8),
          ("cancelled", 4)]),
    (30, [("new", 0.3), ("in_progress", 4), ("special", 4), ("waiting_customer", 3), ("resolved", 38), ("closed", 47),
          ("cancelled", 3.7)]),
    (180, [("new", 0.1), ("in_progress", 0.5), ("special", 0.5), ("waiting_customer", 0.5), ("resolved", 8),
           ("closed", 86), ("cancelled", 4.4)]),
    (None, [("new", 0.01), ("in_progress", 0.05), ("special", 0.03), ("waiting_customer", 0.08), ("resolved", 1.5),
            ("closed", 94.33), ("cancelled", 4)]),
]
SCORES = [("5", 45), ("4", 30), ("3", 13), ("2", 8), ("1", 4)]
# Visits began two years ago (~200,000 at scale 1): the queue rows due before were closed at go-live.
VISIT_DAYS = 730


def _policies(stage: str) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(case type, severity) -> (policy id, working minutes, remind percent), as the engine picks them."""
    from qsm.sla.services import sla_policy_for

    found = {}
    for case_type, _w in TYPES:
        for severity, _s in SEVERITIES:
            policy = sla_policy_for(record_type="aftersales.case", stage=stage, priority=severity, category=case_type)
            if policy is None:
                raise RuntimeError(f"no SLA policy for aftersales.case {stage} {case_type}/{severity}: "
                                   "load the reference data first")
            found[(case_type, severity)] = (policy.pk, policy.working_minutes, policy.remind_at_percent)
    return found


def _policy_case(policies, index: int, alias: str = "c") -> str:
    whens = " ".join(f"WHEN {alias}.case_type = {lit(t)} AND {alias}.severity = {lit(s)} THEN {v[index]}"
                     for (t, s), v in policies.items())
    return f"(CASE {whens} END)"


def seed(ctx: ScaleContext) -> None:
    _questionnaires_present()
    _seed_cases(ctx)
    _seed_visits(ctx)


def _questionnaires_present() -> None:
    """The visits ask the rules' questionnaires. ``seed_scale --reset`` truncates the users with CASCADE,
    which empties the questionnaire versions (their ``created_by``) but leaves the questionnaires and
    rules: those are given back their reference versions here (aftersales.reference)."""
    from django.apps import apps

    from . import reference
    from .models import Questionnaire, VisitRule

    empty = Questionnaire.objects.filter(versions__isnull=True)
    if empty.exists():
        VisitRule.objects.filter(questionnaire__in=empty).delete()
        empty.delete()
        reference.load(apps)


# --- cases -----------------------------------------------------------------------------------------


def _seed_cases(ctx: ScaleContext) -> None:
    from .models import PlanStep

    org = ctx.org_lookups()
    n_total = ctx.count(300_000, minimum=20)
    tz = lit(ctx.tz)
    now = f"{lit(ctx.now.isoformat())}::timestamptz"
    first = ctx.next_id("aftersales_case")
    first_customer = ctx.scalar("SELECT MIN(id) FROM org_customer")
    n_customers = ctx.scalar("SELECT COUNT(*) FROM org_customer")
    products = [r[0] for r in ctx.rows("SELECT id FROM org_product WHERE is_active ORDER BY id")]
    product_array = int_array(products or [0])
    causes = [r[0] for r in ctx.rows("SELECT id FROM aftersales_causecategory WHERE parent_id IS NOT NULL "
                                     "AND is_active ORDER BY id")]
    cause_array = int_array(causes) if causes else None
    reply = _policies("reply")
    resolution = _policies("resolution")
    ct = ctx.content_type_id("aftersales", "case")
    ct_plan = ctx.content_type_id("aftersales", "specialplan")
    ct_step = ctx.content_type_id("aftersales", "planstep")
    url = _url("aftersales:case-detail")
    step_lead = _lead_days(PlanStep, "step")
    support = [r[0] for r in ctx.rows("SELECT id FROM org_department WHERE kind = 'other' ORDER BY id")]
    support_array = int_array(support or org["business"][:1])
    from_orders = ctx.scalar("SELECT COUNT(*) FROM orders_order WHERE delivered_at IS NOT NULL")
    n_from_orders = min(from_orders, round(0.5 * n_total))
    n_direct = n_total - n_from_orders

    with ctx.step("plan cases (temporary table)") as rows:
        age_case = "CASE " + " ".join(
            f"WHEN age < {limit} THEN {weighted(mix, rnd('g', 401))}" for limit, mix in MIX_BY_AGE if limit is not None
        ) + f" ELSE {weighted(MIX_BY_AGE[-1][1], rnd('g', 401))} END"
        rows.append(ctx.execute(f"""
            DROP TABLE IF EXISTS scale_case; CREATE TEMP TABLE scale_case ON COMMIT DROP AS
            WITH src AS (
                SELECT {_next('o.delivered_at', f"1 + 400 * power({rnd('o.id', 402)}, 2)", 0.8, now)} AS received_at,
                       o.customer_id, o.department_id, o.id AS order_id, o.id AS k
                FROM (SELECT id, customer_id, department_id, delivered_at FROM orders_order
                      WHERE delivered_at IS NOT NULL ORDER BY {rnd('id', 403)}, id LIMIT {n_from_orders}) o
                UNION ALL
                SELECT x.received_at, {first_customer} + floor(power({rnd('d', 404)}, 1.5) * {n_customers})::bigint,
                       ({org['intake']})[1 + floor({rnd('d', 405)} * 1000)::int], NULL, -d
                FROM generate_series(1::bigint, {n_direct}) d
                {spread_over_window(ctx, 'd', 406, n_direct, now)}
            ), {numbered_by_receipt(now)}
            SELECT {first} + g - 1 AS id, numbered.*, {age_case} AS status,
                   {weighted(TYPES, rnd('g', 407))} AS case_type, {weighted(SEVERITIES, rnd('g', 408))} AS severity,
                   {weighted(CHANNELS, rnd('g', 409))} AS channel
            FROM numbered"""))
        # The newest cases go through every state and the two oldest stayed open (overdue), so that even a
        # tiny scale has each.
        newest = ["new", "in_progress", "special", "waiting_customer", "resolved", "closed", "cancelled"]
        ctx.execute(f"""
            UPDATE scale_case c SET status = ({text_array(newest)})[{n_total} - c.g + 1]
            WHERE c.g > {n_total} - {len(newest)};
            UPDATE scale_case c SET status = (ARRAY['in_progress', 'new'])[c.g] WHERE c.g <= 2""")
        ctx.execute(f"""
            ALTER TABLE scale_case ADD COLUMN owner_id bigint, ADD COLUMN number text, ADD COLUMN is_complex boolean,
                ADD COLUMN reopened boolean, ADD COLUMN product_id bigint, ADD COLUMN delivery_id bigint,
                ADD COLUMN worked boolean, ADD COLUMN reply_policy bigint, ADD COLUMN reply_minutes int,
                ADD COLUMN reply_due timestamptz, ADD COLUMN reply_remind timestamptz,
                ADD COLUMN res_policy bigint, ADD COLUMN res_minutes int, ADD COLUMN res_percent int,
                ADD COLUMN t_reply timestamptz, ADD COLUMN t_complex timestamptz, ADD COLUMN t_wait timestamptz,
                ADD COLUMN t_resolve1 timestamptz, ADD COLUMN t_reopen timestamptz, ADD COLUMN t_resolve timestamptz,
                ADD COLUMN t_close timestamptz, ADD COLUMN t_cancel timestamptz, ADD COLUMN res_start timestamptz,
                ADD COLUMN res_due timestamptz, ADD COLUMN res_remind timestamptz,
                ADD COLUMN res1_due timestamptz, ADD COLUMN res1_remind timestamptz, ADD COLUMN plan_status text;
            UPDATE scale_case c SET owner_id = s.user_id
            FROM scale_biz b, scale_staff s
            WHERE b.id = c.department_id AND s.dept_id = b.id AND s.n = 1 + floor(power({rnd('c.g', 410)}, 2) * b.n_staff)::int;
            UPDATE scale_case c SET number = 'AS-' || y.year || '-' || lpad(y.k::text, 6, '0')
            FROM (SELECT g, extract(year FROM received_at AT TIME ZONE {tz})::int AS year,
                         row_number() OVER (PARTITION BY extract(year FROM received_at AT TIME ZONE {tz}) ORDER BY g) AS k
                  FROM scale_case) y
            WHERE y.g = c.g;
            UPDATE scale_case c SET
                is_complex = c.status = 'special' OR (c.status IN ('resolved', 'closed') AND {rnd('c.g', 411)} < 0.08)
                             OR (c.status = 'waiting_customer' AND {rnd('c.g', 411)} < 0.2),
                reopened = (c.status IN ('resolved', 'closed') AND {rnd('c.g', 412)} < 0.05)
                           OR (c.status = 'in_progress' AND c.age > 10 AND {rnd('c.g', 412)} < 0.1),
                worked = c.status IN ('resolved', 'closed') OR (c.status IN ('in_progress', 'special', 'waiting_customer')
                                                                AND {rnd('c.g', 413)} < 0.5),
                product_id = CASE WHEN c.order_id IS NOT NULL
                    THEN (SELECT l.product_id FROM orders_orderline l WHERE l.order_id = c.order_id ORDER BY l.id LIMIT 1)
                    WHEN {rnd('c.g', 414)} < 0.7 THEN ({product_array})[1 + floor({rnd('c.g', 415)} * {len(products or [0])})::int] END,
                delivery_id = CASE WHEN c.order_id IS NOT NULL AND {rnd('c.g', 416)} < 0.5
                    THEN (SELECT d.id FROM orders_delivery d WHERE d.order_id = c.order_id ORDER BY d.number LIMIT 1) END,
                reply_policy = {_policy_case(reply, 0)}, reply_minutes = {_policy_case(reply, 1)},
                res_policy = {_policy_case(resolution, 0)}, res_minutes = {_policy_case(resolution, 1)},
                res_percent = {_policy_case(resolution, 2)};
            UPDATE scale_case c SET
                reply_due = qsm_work_add(c.received_at, c.reply_minutes),
                reply_remind = qsm_work_add(c.received_at, c.reply_minutes * {_policy_case(reply, 2)} / 100.0),
                t_reply = CASE WHEN c.status <> 'new' AND NOT (c.status = 'cancelled' AND {rnd('c.g', 420)} < 0.5) THEN least(
                    qsm_work_add(c.received_at, c.reply_minutes * (0.1 + 1.3 * power({rnd('c.g', 421)}, 1.5))),
                    c.received_at + ({now} - c.received_at) * 0.1) END;
            UPDATE scale_case c SET t_complex = {_next('c.t_reply', f"0.5 + 3 * {rnd('c.g', 422)}", 0.2, now)}
            WHERE c.is_complex;
            UPDATE scale_case c SET t_wait = {_next('coalesce(c.t_complex, c.t_reply)', f"0.5 + 5 * {rnd('c.g', 423)}", 0.5, now)}
            WHERE c.status = 'waiting_customer';
            UPDATE scale_case c SET t_resolve1 = least(
                qsm_work_add(coalesce(c.t_complex, c.t_reply), c.res_minutes * (0.1 + 1.2 * power({rnd('c.g', 424)}, 2))
                             * CASE WHEN c.is_complex THEN 2 ELSE 1 END),
                coalesce(c.t_complex, c.t_reply) + ({now} - coalesce(c.t_complex, c.t_reply)) * 0.3)
            WHERE c.status IN ('resolved', 'closed') OR c.reopened;
            UPDATE scale_case c SET t_reopen = {_next('c.t_resolve1', f"1 + 20 * {rnd('c.g', 425)}", 0.3, now)}
            WHERE c.reopened;
            UPDATE scale_case c SET t_resolve = CASE WHEN c.reopened
                THEN {_next('c.t_reopen', f"0.5 + 5 * {rnd('c.g', 426)}", 0.3, now)} ELSE c.t_resolve1 END
            WHERE c.status IN ('resolved', 'closed');
            UPDATE scale_case c SET t_close = {_next('c.t_resolve', f"1 + 14 * {rnd('c.g', 427)}", 0.5, now)}
            WHERE c.status = 'closed';
            UPDATE scale_case c SET t_cancel = {_next('coalesce(c.t_reply, c.received_at)', f"0.2 + 3 * {rnd('c.g', 428)}", 0.5, now)}
            WHERE c.status = 'cancelled';
            -- The resolution clock: from intake (or from the reopening: a new clock), standing still while waiting.
            UPDATE scale_case c SET res_start = coalesce(c.t_reopen, c.received_at),
                res1_due = qsm_work_add(c.received_at, c.res_minutes),
                res1_remind = qsm_work_add(c.received_at, c.res_minutes * c.res_percent / 100.0);
            UPDATE scale_case c SET res_due = qsm_work_add(c.res_start, c.res_minutes),
                res_remind = qsm_work_add(c.res_start, c.res_minutes * c.res_percent / 100.0),
                plan_status = CASE WHEN NOT c.is_complex THEN NULL
                                   WHEN c.status IN ('resolved', 'closed') THEN 'done'
                                   WHEN {rnd('c.g', 429)} < 0.25 THEN 'draft' ELSE 'in_progress' END;
            CREATE UNIQUE INDEX ON scale_case (id);
            ANALYZE scale_case;
        """)

    with ctx.step("cases") as rows:
        cause = (f"CASE WHEN c.worked THEN ({cause_array})[1 + floor({rnd('c.g', 431)} * {len(causes)})::int] END"
                 if causes else "NULL")
        rows.append(ctx.execute(f"""
            INSERT INTO aftersales_case (id, number, channel, case_type, severity, customer_id, contact_name, contact_phone,
                subject, description, order_id, delivery_id, product_id, is_complex, status, department_id, owner_id,
                diagnosis, cause_id, cause_detail, solution, reply, received_at, replied_at, resolved_at, closed_at,
                reopen_count, last_reopened_at, source_visit_id, due_at, created_at, updated_at)
            SELECT c.id, c.number, c.channel, c.case_type, c.severity, c.customer_id, {pick(CONTACT_NAMES, 'c.g', 432)},
                   '1' || {pick(list('3589'), 'c.g', 433)} || lpad(((c.g * 7919 + 17) % 1000000000)::text, 9, '0'),
                   x.subject, {pick(DETAILS, 'c.g', 434)} || x.subject || '。' || {pick(DESCRIPTIONS, 'c.g', 435)},
                   c.order_id, c.delivery_id, c.product_id, c.is_complex, c.status, c.department_id, c.owner_id,
                   CASE WHEN c.worked THEN {pick(DIAGNOSES, 'c.g', 436)} ELSE '' END, {cause},
                   CASE WHEN c.worked THEN {pick(CAUSE_DETAILS, 'c.g', 437)} ELSE '' END,
                   CASE WHEN c.worked THEN {pick(SOLUTIONS, 'c.g', 438)} ELSE '' END,
                   CASE WHEN c.t_reply IS NOT NULL THEN {pick(REPLIES, 'c.g', 439)} ELSE '' END,
                   c.received_at, c.t_reply, c.t_resolve, CASE WHEN c.status = 'closed' THEN c.t_close END,
                   CASE WHEN c.reopened THEN 1 ELSE 0 END, c.t_reopen, NULL,
                   CASE WHEN c.status = 'new' THEN least(c.reply_due, c.res_due)
                        WHEN c.status IN ('in_progress', 'special') THEN c.res_due END,
                   c.received_at,
                   coalesce(c.t_cancel, c.t_close, c.t_resolve, c.t_wait, c.t_reopen, c.t_complex, c.t_reply, c.received_at)
            FROM scale_case c
            CROSS JOIN LATERAL (SELECT {pick(HEADS, 'c.g', 440)} || {pick(PROBLEMS, 'c.g', 441)} AS subject) x
            ORDER BY c.id"""))
        ctx.execute("""
            INSERT INTO workflow_numbersequence (prefix, year, last)
            SELECT 'AS', split_part(number, '-', 2)::int, MAX(split_part(number, '-', 3)::int)
            FROM aftersales_case GROUP BY 2
            ON CONFLICT (prefix, year) DO UPDATE SET last = GREATEST(workflow_numbersequence.last, EXCLUDED.last)""")

    title = "left(c.number || ' ' || a.subject, 200)"
    deadline = """INSERT INTO sla_deadline (content_type_id, object_id, stage, source, policy_id, calendar_id, title, url,
                owner_id, department_id, state, started_at, allowed_minutes, remind_at, due_at, paused_at, paused_minutes,
                completed_at, reminded_at, overdue_at)"""
    with ctx.step("deadlines (reply, resolution)") as rows:
        rows.append(ctx.execute(f"""
            {deadline}
            SELECT {ct}, c.id, 'reply', 'policy', c.reply_policy, {ctx.calendar_id}, {title}, {lit(url)} || c.id || '/',
                   c.owner_id, c.department_id, x.state, c.received_at, c.reply_minutes, c.reply_remind, c.reply_due, NULL, 0,
                   x.completed_at,
                   CASE WHEN c.reply_remind <= coalesce(x.completed_at, {now}) THEN c.reply_remind END,
                   CASE WHEN c.reply_due <= coalesce(x.completed_at, {now}) THEN c.reply_due END
            FROM scale_case c JOIN aftersales_case a ON a.id = c.id
            CROSS JOIN LATERAL (SELECT
                CASE WHEN c.status = 'new' THEN 'running' WHEN c.t_reply IS NULL THEN 'cancelled'
                     WHEN c.t_reply <= c.reply_due THEN 'met' ELSE 'late' END AS state,
                coalesce(c.t_reply, c.t_cancel) AS completed_at) x
            ORDER BY c.id"""))
        # A reopened case's first resolution clock, completed when it was first resolved.
        rows.append(ctx.execute(f"""
            {deadline}
            SELECT {ct}, c.id, 'resolution', 'policy', c.res_policy, {ctx.calendar_id}, {title}, {lit(url)} || c.id || '/',
                   c.owner_id, c.department_id, CASE WHEN c.t_resolve1 <= c.res1_due THEN 'met' ELSE 'late' END,
                   c.received_at, c.res_minutes, c.res1_remind, c.res1_due, NULL, 0, c.t_resolve1,
                   CASE WHEN c.res1_remind <= c.t_resolve1 THEN c.res1_remind END,
                   CASE WHEN c.res1_due <= c.t_resolve1 THEN c.res1_due END
            FROM scale_case c JOIN aftersales_case a ON a.id = c.id WHERE c.reopened ORDER BY c.id"""))
        rows.append(ctx.execute(f"""
            {deadline}
            SELECT {ct}, c.id, 'resolution', 'policy', c.res_policy, {ctx.calendar_id}, {title}, {lit(url)} || c.id || '/',
                   c.owner_id, c.department_id, x.state, c.res_start, c.res_minutes, c.res_remind, c.res_due,
                   CASE WHEN c.status = 'waiting_customer' THEN c.t_wait END, 0, x.completed_at,
                   CASE WHEN c.res_remind <= coalesce(x.completed_at, c.t_wait, {now}) THEN c.res_remind END,
                   CASE WHEN c.res_due <= coalesce(x.completed_at, c.t_wait, {now}) THEN c.res_due END
            FROM scale_case c JOIN aftersales_case a ON a.id = c.id
            CROSS JOIN LATERAL (SELECT
                CASE WHEN c.status IN ('new', 'in_progress', 'special') THEN 'running'
                     WHEN c.status = 'waiting_customer' THEN 'paused' WHEN c.status = 'cancelled' THEN 'cancelled'
                     WHEN c.t_resolve <= c.res_due THEN 'met' ELSE 'late' END AS state,
                coalesce(c.t_resolve, c.t_cancel) AS completed_at) x
            ORDER BY c.id"""))

    with ctx.step("special plans, steps, discussions, customer updates") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO aftersales_specialplan (case_id, title, content, status, created_by_id, created_at, due_at)
            SELECT c.id, {pick(PLAN_TITLES, 'c.g', 450)}, {pick(PLAN_CONTENTS, 'c.g', 451)}, c.plan_status, c.owner_id,
                   c.t_complex + interval '2 hours', NULL
            FROM scale_case c WHERE c.is_complex ORDER BY c.t_complex"""))
        ctx.execute(f"""
            DROP TABLE IF EXISTS scale_plan; CREATE TEMP TABLE scale_plan ON COMMIT DROP AS
            SELECT p.id, c.g, c.id AS case_id, c.owner_id, c.department_id, c.status AS case_status, p.status,
                   p.created_at, coalesce(c.t_resolve, c.t_wait, {now}) AS t_end, c.t_resolve,
                   2 + floor({rnd('c.g', 452)} * 2)::int AS n_steps
            FROM aftersales_specialplan p JOIN scale_case c ON c.id = p.case_id;
            CREATE UNIQUE INDEX ON scale_plan (id); ANALYZE scale_plan;""")
        rows.append(ctx.execute(f"""
            INSERT INTO aftersales_planstep (plan_id, position, description, owner_id, due_date, status, done_at, done_by_id,
                                             done_note, due_at)
            SELECT p.id, sp.pos, {pick(STEP_TEXTS, 'p.g * 3 + sp.pos', 453)}, CASE WHEN sp.pos = 1 THEN p.owner_id ELSE o.user_id END,
                   (x.at AT TIME ZONE {tz})::date, CASE WHEN x.done THEN 'done' ELSE 'open' END,
                   CASE WHEN x.done THEN least(x.at, p.t_end) END,
                   CASE WHEN x.done THEN CASE WHEN sp.pos = 1 THEN p.owner_id ELSE o.user_id END END,
                   CASE WHEN x.done THEN {pick(STEP_NOTES, 'p.g * 3 + sp.pos', 454)} ELSE '' END,
                   CASE WHEN NOT x.done THEN pg_temp.qsm_work_end((x.at AT TIME ZONE {tz})::date) END
            FROM scale_plan p CROSS JOIN generate_series(1, 3) AS sp(pos)
            JOIN scale_biz b ON b.id = p.department_id
            JOIN scale_staff o ON o.dept_id = b.id AND o.n = 1 + floor({rnd('p.g * 3 + sp.pos', 455)} * b.n_staff)::int
            CROSS JOIN LATERAL (SELECT p.created_at + (p.t_end - p.created_at) * (sp.pos::float / (p.n_steps + 1)) AS at0) x0
            CROSS JOIN LATERAL (SELECT x0.at0 + interval '2 days' AS at,
                p.status = 'done' OR (p.status = 'in_progress' AND x0.at0 + interval '1 day' < {now}
                                      AND {rnd('p.g * 3 + sp.pos', 456)} < 0.6) AS done) x
            WHERE sp.pos <= p.n_steps ORDER BY p.id, sp.pos"""))
        rows.append(ctx.execute(date_clock_deadlines(
            ctx, content_type=ct_step, stage="step", lead=step_lead, record="s.id", due_date="s.due_date",
            rows="aftersales_planstep s JOIN scale_plan p ON p.id = s.plan_id JOIN scale_case c ON c.id = p.case_id",
            title="left(c.number || ' #' || s.position || ' ' || s.description, 200)", url=f"{lit(url)} || c.id || '/'",
            owner="s.owner_id", department="c.department_id", started="p.created_at", completed="s.done_at",
            running="s.status = 'open'", now=now) + " ORDER BY s.id"))
        rows.append(ctx.execute(f"""
            INSERT INTO discussions_discussion (content_type_id, object_id, topic, opened_by_id, opened_at)
            SELECT {ct}, p.case_id, {pick(TOPICS, 'p.g', 457)}, p.owner_id, p.created_at - interval '1 hour'
            FROM scale_plan p ORDER BY p.created_at"""))
        rows.append(ctx.execute(f"""
            INSERT INTO discussions_discussion_invited_departments (discussion_id, department_id)
            SELECT d.id, ({support_array})[1 + floor({rnd('p.g', 458)} * {len(support or [0])})::int]
            FROM discussions_discussion d JOIN scale_plan p ON p.case_id = d.object_id WHERE d.content_type_id = {ct}"""))
        rows.append(ctx.execute(f"""
            INSERT INTO contacts_contactentry (content_type_id, object_id, kind, channel, direction, summary, occurred_at,
                recorded_by_id, created_at, answer)
            SELECT {ct}, p.case_id, 'update', 'phone', 'out', {pick(UPDATES, 'p.g * 2 + k', 459)}, x.at, p.owner_id, x.at, ''
            FROM scale_plan p CROSS JOIN generate_series(0, 1) k
            CROSS JOIN LATERAL (SELECT p.created_at + (p.t_end - p.created_at) * (0.3 + 0.4 * k) AS at) x
            WHERE p.status <> 'draft' AND (k = 0 OR {rnd('p.g', 460)} < 0.5) ORDER BY x.at"""))

    with ctx.step("follow-up queue (resolved cases)") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO followup_followup (content_type_id, object_id, reason, due_at, customer_id, department_id, created_at)
            SELECT {ct}, c.id, 'case_resolved', c.t_resolve1, c.customer_id, c.department_id, c.t_resolve1
            FROM scale_case c WHERE c.t_resolve1 IS NOT NULL ORDER BY c.t_resolve1"""))

    event = """INSERT INTO workflow_event (content_type_id, object_id, kind, action, from_state, to_state, changes, data,
                   actor_kind, actor_id, actor_label, via, comment, created_at)"""
    with ctx.step("timeline events (cases, plans, steps)") as rows:
        rows.append(ctx.execute(f"""
            {event}
            SELECT {ct}, c.id, e.kind, e.action, e.from_state, e.to_state, '[]'::jsonb, '{{}}'::jsonb, 'user', c.owner_id, '',
                   'page', e.comment, e.at
            FROM scale_case c
            CROSS JOIN LATERAL (VALUES
                ('created', '', '', 'new', c.received_at, ''),
                ('transition', 'reply', 'new', 'in_progress', c.t_reply, ''),
                ('transition', 'mark_complex', 'in_progress', 'special', c.t_complex, ''),
                ('transition', 'wait_customer', CASE WHEN c.is_complex THEN 'special' ELSE 'in_progress' END,
                 'waiting_customer', c.t_wait, {pick(WAIT_COMMENTS, 'c.g', 470)}),
                ('transition', 'resolve', CASE WHEN c.is_complex THEN 'special' ELSE 'in_progress' END, 'resolved',
                 c.t_resolve1, ''),
                ('transition', 'reopen', 'resolved', 'in_progress', c.t_reopen, {pick(REOPEN_COMMENTS, 'c.g', 471)}),
                ('transition', 'resolve', 'in_progress', 'resolved', CASE WHEN c.reopened THEN c.t_resolve END, ''),
                ('transition', 'close', 'resolved', 'closed', c.t_close, {pick(CLOSE_COMMENTS, 'c.g', 472)}),
                ('transition', 'cancel', CASE WHEN c.t_reply IS NULL THEN 'new' ELSE 'in_progress' END, 'cancelled',
                 c.t_cancel, {pick(CANCEL_COMMENTS, 'c.g', 473)})
            ) AS e(kind, action, from_state, to_state, at, comment)
            WHERE e.at IS NOT NULL
            ORDER BY e.at"""))
        rows.append(ctx.execute(f"""
            {event}
            SELECT {ct_plan}, p.id, e.kind, e.action, e.from_state, e.to_state, '[]'::jsonb, '{{}}'::jsonb, 'user', p.owner_id,
                   '', 'page', '', e.at
            FROM scale_plan p
            CROSS JOIN LATERAL (VALUES
                ('created', '', '', 'draft', p.created_at),
                ('transition', 'start', 'draft', 'in_progress', CASE WHEN p.status <> 'draft' THEN p.created_at + interval '3 hours' END),
                ('transition', 'complete', 'in_progress', 'done', CASE WHEN p.status = 'done' THEN p.t_resolve - interval '1 hour' END)
            ) AS e(kind, action, from_state, to_state, at)
            WHERE e.at IS NOT NULL ORDER BY e.at"""))
        rows.append(ctx.execute(f"""
            {event}
            SELECT {ct_step}, s.id, 'transition', 'complete', 'open', 'done', '[]'::jsonb, '{{}}'::jsonb, 'user', s.done_by_id,
                   '', 'page', s.done_note, s.done_at
            FROM aftersales_planstep s JOIN scale_plan p ON p.id = s.plan_id WHERE s.status = 'done' ORDER BY s.done_at"""))


# --- visits ----------------------------------------------------------------------------------------


def seed_due_visits(ctx: ScaleContext) -> None:
    """The scheduler's work over the follow-up rows a module seeded later wrote (closed complaints): each
    due row whose reason has an active rule becomes a visit, as below (numbers continue the year's)."""
    _seed_visits(ctx)


def _seed_visits(ctx: ScaleContext) -> None:
    from .models import Visit

    org = ctx.org_lookups()
    tz = lit(ctx.tz)
    now = f"{lit(ctx.now.isoformat())}::timestamptz"
    first = ctx.next_id("aftersales_visit")
    ct = ctx.content_type_id("aftersales", "visit")
    url = _url("aftersales:visit-detail")
    lead = _lead_days(Visit, "visit")
    _first_day, _cumulative, _dates, (ws, ls, le, we) = ctx.work_line
    day_minutes = (ls - ws) + (we - le)
    quality = org["quality_users"] or org["business"][:1]
    quality_array = int_array(quality)

    with ctx.step("visit owners of the departments") as rows:
        # VIS-1: each business department names its visit owner (回访负责人), who gets its visits.
        rows.append(ctx.execute("""
            UPDATE org_department d SET visit_owner_id = s.user_id
            FROM scale_staff s WHERE s.dept_id = d.id AND s.n = least(2, (SELECT MAX(n) FROM scale_staff t
                                                                          WHERE t.dept_id = d.id))
              AND d.visit_owner_id IS NULL"""))

    with ctx.step("plan visits (temporary table)") as rows:
        # The scheduler's work: each due row of the queue whose reason has an active rule, consumed a few
        # minutes after it fell due; the visit due the rule's working days later.
        rows.append(ctx.execute(f"""
            DROP TABLE IF EXISTS scale_visit; CREATE TEMP TABLE scale_visit ON COMMIT DROP AS
            WITH due AS (
                SELECT f.id AS follow_up_id, f.content_type_id, f.object_id, f.reason, f.customer_id,
                       coalesce(f.department_id, b.id) AS department_id, f.due_at + interval '5 minutes' AS created_at,
                       r.due_days, r.link_ttl_days, v.id AS version_id
                FROM followup_followup f
                JOIN aftersales_visitrule r ON r.reason = f.reason AND r.is_active
                JOIN LATERAL (SELECT qv.id FROM aftersales_questionnaireversion qv
                              WHERE qv.questionnaire_id = r.questionnaire_id AND qv.published_at IS NOT NULL
                              ORDER BY qv.version DESC LIMIT 1) v ON true
                LEFT JOIN scale_biz b ON b.k = 1
                WHERE f.consumed_at IS NULL AND f.due_at < {now} - interval '10 minutes' AND f.customer_id IS NOT NULL
                  AND f.due_at >= {now} - interval '{VISIT_DAYS} days'
            ), numbered AS (
                SELECT row_number() OVER (ORDER BY created_at, follow_up_id) AS g, due.* FROM due
            )
            SELECT {first} + g - 1 AS id, numbered.*,
                   (qsm_work_add(numbered.created_at, numbered.due_days * {day_minutes}) AT TIME ZONE {tz})::date AS planned_for
            FROM numbered"""))
        ctx.execute(f"""
            ALTER TABLE scale_visit ADD COLUMN number text, ADD COLUMN owner_id bigint, ADD COLUMN status text,
                ADD COLUMN method text, ADD COLUMN satisfaction int, ADD COLUMN t_link timestamptz,
                ADD COLUMN t_done timestamptz, ADD COLUMN t_cancel timestamptz, ADD COLUMN failed int,
                ADD COLUMN recheck text, ADD COLUMN due timestamptz, ADD COLUMN remind timestamptz;
            UPDATE scale_visit v SET owner_id = coalesce(d.visit_owner_id, (SELECT s.user_id FROM scale_staff s
                                                                          WHERE s.dept_id = d.id ORDER BY s.n LIMIT 1))
            FROM org_department d WHERE d.id = v.department_id;
            -- Numbers continue the year's sequence (a module seeded later adds visits after these).
            UPDATE scale_visit v SET number = 'HF-' || y.year || '-' || lpad((y.k + coalesce(ns.last, 0))::text, 6, '0')
            FROM (SELECT g, extract(year FROM created_at AT TIME ZONE {tz})::int AS year,
                         row_number() OVER (PARTITION BY extract(year FROM created_at AT TIME ZONE {tz}) ORDER BY g) AS k
                  FROM scale_visit) y
            LEFT JOIN workflow_numbersequence ns ON ns.prefix = 'HF' AND ns.year = y.year
            WHERE y.g = v.g;
            UPDATE scale_visit v SET
                due = pg_temp.qsm_work_end(v.planned_for),
                remind = least(((v.planned_for - CASE WHEN extract(isodow FROM v.planned_for) <= {lead} THEN {lead} + 2
                                 ELSE {lead} END) + time '09:00') AT TIME ZONE {tz}, pg_temp.qsm_work_end(v.planned_for)),
                status = CASE
                    WHEN v.planned_for >= ({now} AT TIME ZONE {tz})::date
                        THEN CASE WHEN {rnd('v.g', 501)} < 0.3 THEN 'link_sent' ELSE 'planned' END
                    WHEN v.planned_for >= ({now} AT TIME ZONE {tz})::date - 3
                        THEN {weighted([("done", 60), ("planned", 20), ("link_sent", 15), ("cancelled", 5)], rnd('v.g', 502))}
                    WHEN v.planned_for >= ({now} AT TIME ZONE {tz})::date - 10
                        THEN {weighted([("done", 90), ("planned", 3), ("link_sent", 3), ("cancelled", 4)], rnd('v.g', 502))}
                    ELSE {weighted([("done", 95.8), ("cancelled", 4), ("planned", 0.12), ("link_sent", 0.08)], rnd('v.g', 502))}
                END,
                method = CASE WHEN {rnd('v.g', 503)} < 0.6 THEN 'phone' ELSE 'link' END;
            -- The three oldest were re-checked (each outcome once), so that even a tiny scale has them.
            UPDATE scale_visit v SET status = 'done', method = 'phone' WHERE v.g <= 3;
            UPDATE scale_visit v SET method = 'link' WHERE v.status = 'link_sent';
            UPDATE scale_visit v SET method = '' WHERE v.status IN ('planned', 'cancelled');
            UPDATE scale_visit v SET
                t_link = CASE WHEN v.method = 'link' THEN {_next('v.created_at', f"0.2 + extract(epoch FROM v.due - v.created_at) / 86400 * 0.5 * {rnd('v.g', 504)}", 0.5, now)} END,
                satisfaction = CASE WHEN v.status = 'done' THEN ({weighted(SCORES, rnd('v.g', 505))})::int END,
                failed = CASE WHEN v.status = 'done' AND v.method = 'phone' AND {rnd('v.g', 506)} < 0.25
                                  THEN 1 + floor({rnd('v.g', 507)} * 2)::int
                              WHEN v.status = 'planned' AND v.planned_for < ({now} AT TIME ZONE {tz})::date
                                  THEN floor({rnd('v.g', 507)} * 4)::int
                              ELSE 0 END;
            UPDATE scale_visit v SET
                t_done = CASE WHEN v.status = 'done' THEN least(
                    coalesce(v.t_link, v.created_at) + (v.due - coalesce(v.t_link, v.created_at)) * (0.3 + 0.8 * {rnd('v.g', 508)}),
                    coalesce(v.t_link, v.created_at) + ({now} - coalesce(v.t_link, v.created_at)) * 0.9) END,
                t_cancel = CASE WHEN v.status = 'cancelled' THEN {_next('v.created_at', f"1 + 3 * {rnd('v.g', 509)}", 0.5, now)} END,
                recheck = CASE WHEN v.g <= 3 THEN (ARRAY['requested', 'confirmed', 'discrepancy'])[v.g]
                               WHEN v.status = 'done' AND v.method = 'phone' AND {rnd('v.g', 510)} < 0.03
                               THEN {weighted([("requested", 30), ("confirmed", 55), ("discrepancy", 15)], rnd('v.g', 511))}
                               ELSE '' END;
            CREATE UNIQUE INDEX ON scale_visit (id);
            ANALYZE scale_visit;
        """)

    with ctx.step("survey links") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO links_signedlink (content_type_id, object_id, purpose, token_hash, contact_name, created_by_id,
                                          created_at, expires_at, used_at, revoked_at)
            SELECT {ct}, v.id, 'visit_feedback', encode(sha256(convert_to('qsm-scale-visit-link-' || v.id, 'UTF8')), 'hex'),
                   {pick(CONTACT_NAMES, 'v.g', 512)}, v.owner_id, v.t_link, v.t_link + v.link_ttl_days * interval '1 day',
                   v.t_done, NULL
            FROM scale_visit v WHERE v.t_link IS NOT NULL ORDER BY v.t_link"""))

    with ctx.step("visits") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO aftersales_visit (id, number, follow_up_id, content_type_id, object_id, reason, customer_id,
                department_id, owner_id, status, method, planned_for, questionnaire_version_id, satisfaction, comments,
                suggestions, done_at, done_by_id, called_at, call_seconds, phone_attempts, link_id, answer_ip,
                answer_user_agent, recheck_status, recheck_requested_by_id, recheck_requested_at, recheck_note,
                rechecked_by_id, rechecked_at, due_at, created_at, updated_at)
            SELECT v.id, v.number, v.follow_up_id, v.content_type_id, v.object_id, v.reason, v.customer_id, v.department_id,
                   v.owner_id, v.status, v.method, v.planned_for, v.version_id, v.satisfaction,
                   CASE WHEN v.status = 'done' THEN {pick(COMMENTS, 'v.g', 520)} ELSE '' END,
                   CASE WHEN v.status = 'done' THEN {pick(SUGGESTIONS, 'v.g', 521)} ELSE '' END,
                   v.t_done, CASE WHEN v.status = 'done' AND v.method = 'phone' THEN v.owner_id END,
                   CASE WHEN v.status = 'done' AND v.method = 'phone' THEN v.t_done - interval '10 minutes' END,
                   CASE WHEN v.status = 'done' AND v.method = 'phone' THEN 120 + floor({rnd('v.g', 522)} * 600)::int END,
                   v.failed, l.id,
                   CASE WHEN v.status = 'done' AND v.method = 'link'
                        THEN ('10.' || (v.g % 250) || '.' || (v.g / 250 % 250) || '.' || (1 + v.g % 200))::inet END,
                   CASE WHEN v.status = 'done' AND v.method = 'link' THEN {pick(USER_AGENTS, 'v.g', 523)} ELSE '' END,
                   v.recheck, CASE WHEN v.recheck <> '' THEN x.checker END,
                   CASE WHEN v.recheck <> '' THEN v.t_done + interval '2 days' END,
                   CASE WHEN v.recheck = 'confirmed' THEN {lit(RECHECK_NOTES[0])}
                        WHEN v.recheck = 'discrepancy' THEN {lit(RECHECK_NOTES[1])} ELSE '' END,
                   CASE WHEN v.recheck IN ('confirmed', 'discrepancy') THEN x.checker END,
                   CASE WHEN v.recheck IN ('confirmed', 'discrepancy') THEN v.t_done + interval '4 days' END,
                   CASE WHEN v.status IN ('planned', 'link_sent') THEN v.due END,
                   v.created_at, coalesce(v.t_done, v.t_cancel, v.t_link, v.created_at)
            FROM scale_visit v
            LEFT JOIN links_signedlink l ON l.content_type_id = {ct} AND l.object_id = v.id AND l.purpose = 'visit_feedback'
            CROSS JOIN LATERAL (SELECT ({quality_array})[1 + floor({rnd('v.g', 524)} * {len(quality)})::int] AS checker) x
            ORDER BY v.id"""))
        ctx.execute("""
            INSERT INTO workflow_numbersequence (prefix, year, last)
            SELECT 'HF', split_part(number, '-', 2)::int, MAX(split_part(number, '-', 3)::int)
            FROM aftersales_visit GROUP BY 2
            ON CONFLICT (prefix, year) DO UPDATE SET last = GREATEST(workflow_numbersequence.last, EXCLUDED.last)""")
        rows.append(ctx.execute("""
            UPDATE followup_followup f SET consumed_at = v.created_at FROM scale_visit v WHERE v.follow_up_id = f.id"""))
        # What fell due before the visits began was closed when the module went live: consumed, no visit.
        rows.append(ctx.execute(f"""
            UPDATE followup_followup f SET consumed_at = {now} - interval '{VISIT_DAYS} days'
            WHERE f.consumed_at IS NULL AND f.due_at < {now} - interval '{VISIT_DAYS} days'
              AND EXISTS (SELECT 1 FROM aftersales_visitrule r WHERE r.reason = f.reason AND r.is_active)"""))

    with ctx.step("answers and phone attempts") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO aftersales_visitanswer (visit_id, question_id, score, choice, text)
            SELECT v.id, q.id,
                   CASE WHEN q.kind = 'scale' THEN greatest(1, least(5, v.satisfaction
                        + (ARRAY[-1, 0, 0, 0, 1])[1 + floor({rnd('v.g * 8 + q.position', 530)} * 5)::int])) END,
                   CASE WHEN q.kind = 'choice' AND jsonb_array_length(q.choices) > 0
                        THEN q.choices ->> (CASE WHEN v.satisfaction >= 4 OR jsonb_array_length(q.choices) = 1 THEN 0
                                                 ELSE 1 + floor({rnd('v.g', 531)} * (jsonb_array_length(q.choices) - 1))::int
                                            END)
                        ELSE '' END,
                   CASE WHEN q.kind = 'text' THEN {pick(SUGGESTIONS, 'v.g', 521)} ELSE '' END
            FROM scale_visit v JOIN aftersales_question q ON q.version_id = v.version_id
            WHERE v.status = 'done' ORDER BY v.id, q.position"""))
        rows.append(ctx.execute(f"""
            INSERT INTO aftersales_phoneattempt (visit_id, attempted_at, outcome, note, by_id)
            SELECT v.id, x.at, x.outcome, CASE WHEN x.outcome = 'reached' THEN '' ELSE {pick(ATTEMPT_NOTES, 'v.g + k', 532)} END,
                   v.owner_id
            FROM scale_visit v CROSS JOIN generate_series(0, 3) k
            CROSS JOIN LATERAL (SELECT
                CASE WHEN k < v.failed THEN {weighted([("no_answer", 60), ("busy", 30), ("refused", 10)], rnd('v.g * 4 + k', 533))}
                     ELSE 'reached' END AS outcome,
                coalesce(v.t_done - interval '10 minutes', {now} - interval '1 hour')
                    - (v.failed - k) * interval '1 day' AS at) x
            WHERE (k < v.failed) OR (k = v.failed AND v.status = 'done' AND v.method = 'phone')
            ORDER BY x.at"""))

    with ctx.step("deadlines (visit)") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO sla_deadline (content_type_id, object_id, stage, source, due_date, lead_days, calendar_id, title,
                url, owner_id, department_id, state, started_at, allowed_minutes, remind_at, due_at, paused_minutes,
                completed_at, reminded_at, overdue_at)
            SELECT {ct}, v.id, 'visit', 'date', v.planned_for, {lead}, {ctx.calendar_id},
                   left(v.number || ' ' || c.name, 200), {lit(url)} || v.id || '/', v.owner_id, v.department_id, x.state,
                   v.created_at, greatest(0, extract(epoch FROM v.due - v.created_at) / 60 * 0.27)::int, v.remind, v.due, 0,
                   x.completed_at,
                   CASE WHEN v.remind <= coalesce(x.completed_at, {now}) THEN v.remind END,
                   CASE WHEN v.due <= coalesce(x.completed_at, {now}) THEN v.due END
            FROM scale_visit v JOIN org_customer c ON c.id = v.customer_id
            CROSS JOIN LATERAL (SELECT
                CASE WHEN v.status IN ('planned', 'link_sent') THEN 'running' WHEN v.status = 'cancelled' THEN 'cancelled'
                     WHEN v.t_done <= v.due THEN 'met' ELSE 'late' END AS state,
                coalesce(v.t_done, v.t_cancel) AS completed_at) x
            ORDER BY v.id"""))

    event = """INSERT INTO workflow_event (content_type_id, object_id, kind, action, from_state, to_state, changes, data,
                   actor_kind, actor_id, actor_label, via, comment, created_at, link_id)"""
    with ctx.step("timeline events (visits)") as rows:
        rows.append(ctx.execute(f"""
            {event}
            SELECT {ct}, v.id, e.kind, e.action, e.from_state, e.to_state, '[]'::jsonb, '{{}}'::jsonb, e.actor_kind,
                   e.actor, e.label, e.via, e.comment, e.at, e.link
            FROM scale_visit v
            LEFT JOIN links_signedlink l ON l.content_type_id = {ct} AND l.object_id = v.id AND l.purpose = 'visit_feedback'
            CROSS JOIN LATERAL (VALUES
                ('created', '', '', 'planned', 'system', NULL::bigint, 'visit_scheduler', 'system', '', v.created_at, NULL::bigint),
                ('transition', 'send_link', 'planned', 'link_sent', 'user', v.owner_id, '', 'page', '', v.t_link, NULL),
                ('transition', 'record', CASE WHEN v.method = 'link' THEN 'link_sent' ELSE 'planned' END, 'done',
                 CASE WHEN v.method = 'link' THEN 'customer' ELSE 'user' END,
                 CASE WHEN v.method = 'link' THEN NULL ELSE v.owner_id END,
                 CASE WHEN v.method = 'link' THEN l.contact_name ELSE '' END,
                 CASE WHEN v.method = 'link' THEN 'link' ELSE 'page' END, '', v.t_done,
                 CASE WHEN v.method = 'link' THEN l.id END),
                ('transition', 'cancel', 'planned', 'cancelled', 'user', v.owner_id, '', 'page', '客户已多次表示不需要回访。',
                 v.t_cancel, NULL)
            ) AS e(kind, action, from_state, to_state, actor_kind, actor, label, via, comment, at, link)
            WHERE e.at IS NOT NULL
            ORDER BY e.at"""))


def report(ctx: ScaleContext) -> list[str]:
    total, open_, overdue, reopened = ctx.rows("""
        SELECT COUNT(*), COUNT(*) FILTER (WHERE status IN ('new', 'in_progress', 'special', 'waiting_customer')),
               COUNT(*) FILTER (WHERE status IN ('new', 'in_progress', 'special') AND due_at < now()),
               COUNT(*) FILTER (WHERE reopen_count > 0) FROM aftersales_case""")[0]
    visits, open_visits, late_visits, low = ctx.rows("""
        SELECT COUNT(*), COUNT(*) FILTER (WHERE status IN ('planned', 'link_sent')),
               COUNT(*) FILTER (WHERE status IN ('planned', 'link_sent') AND due_at < now()),
               COUNT(*) FILTER (WHERE satisfaction <= 2) FROM aftersales_visit""")[0]
    return [f"After-sales cases: {total:,}, {open_:,} open ({100 * open_ / max(total, 1):.1f} %), {overdue:,} overdue, "
            f"{reopened:,} reopened.",
            f"Follow-up visits: {visits:,}, {open_visits:,} open, {late_visits:,} overdue, {low:,} scored 1-2."]


seeder = Seeder(
    module="aftersales",
    tables=("aftersales_case", "aftersales_specialplan", "aftersales_planstep", "aftersales_visit",
            "aftersales_visitanswer", "aftersales_phoneattempt", "links_signedlink", "discussions_discussion",
            "discussions_discussion_invited_departments", "followup_followup", "contacts_contactentry", "sla_deadline",
            "workflow_event", "workflow_numbersequence"),
    seed=seed,
    report=report,
)
