"""PERF-1, pre-sales at scale (``manage.py seed_scale``): inquiries over five years with the rows the
app writes for each (PRE-1..4). Declared on PresalesConfig (``scale_data``).

At scale 1: 1,000,000 inquiries, numbered ``INQ-<year>-<n>`` per year of receipt (the number
sequences are left at each year's last number), on every channel and priority. Old ones are mostly
closed, converted or withdrawn; recent ones open; about 12 % of all stay acknowledged (the business
department owns the follow-up) and about 1 % are stuck awaiting a first response or an
acknowledgement past their deadline (overdue). The first business department receives a quarter of
all hand-overs (its "my work" holds ~27,000 open inquiries at scale 1), and the first staff
members of each department own far more than the others (the owner is drawn with a square law).

For each inquiry, as ``presales.services`` / the engine write them: the status and its timestamps,
``due_at`` = the running deadline's due time, the ``first_response`` deadline (running, met, late
or cancelled) and for hand-overs the ``handover_ack`` one, reminder levels already claimed where
their moment passed (a sweep after seeding has nothing old to send), one timeline event per
transition, products of interest, a communication log on a third, and for complex needs a
discussion with invited departments and people, meeting notes, versioned solutions and the
"solution sent" contact.
"""
from __future__ import annotations

from django.urls import reverse

from qsm.scale import ScaleContext, Seeder, lit, pick, rnd, text_array, weighted
from qsm.scale_sql import days as _days
from qsm.sla.services import sla_policy_for

from .demo import CANCEL_COMMENTS, CLOSE_COMMENTS, HANDOVER_NOTES, INBOUND, OUTBOUND
from .models import Channel, Inquiry, Priority

S = Inquiry.Status

# Subjects: a product or topic, a common two-character word people search for, a tail.
SUBJECT_HEADS = ["加工中心", "数控车床", "龙门加工中心", "工业机器人", "焊接产线", "装配线", "上下料单元", "视觉系统",
                 "主轴", "丝杠", "数控系统", "刀库", "液压站", "冷却系统", "设备", "机床", "产线", "机器人工作站"]
SUBJECT_WORDS = ["售后", "安装", "报价", "维修", "调试", "培训", "备件", "交期", "验收", "改造", "保养", "升级", "选型",
                 "精度", "故障", "配件", "合同", "发票", "付款", "技术", "试切", "搬迁", "质保", "巡检"]
SUBJECT_TAILS = ["咨询", "问题", "申请", "需求", "方案", "事宜", "", "确认", "进度"]
QUESTION_OPENERS = ["客户来电咨询：", "客户邮件询问：", "在线客服转入：", "客户到访提出：", "经销商转来："]
QUESTION_DETAILS = ["希望三个工作日内给个答复。", "年产量大约两万件。", "原来的设备已经用了八年。", "能否安排技术人员到现场看一下？",
                    "预算大约一百万元。", "麻烦报含税价，并注明运费。", "下个月要上新项目，时间比较紧。", "之前在展会上看过样机。"]
ANSWERS = ["已介绍标准配置和主要参数，正式报价由销售部出具。", "已记录故障现象，24小时内安排工程师联系。",
           "说明了可选方案和价格区间，建议先做技术交流。", "常用备件有库存，关键备件供货周期约2-4周。",
           "已发送产品样本和参考报价单。", "同意安排试切，请客户提供图纸和检验要求。"]
NEEDS = ["批量加工，关键尺寸公差±0.005 mm，要求全闭环光栅尺。", "产线自动化改造，目标节拍45秒/件。",
         "用机器人替代人工上下料，两班倒连续生产。", "年度维保，覆盖定期巡检和故障抢修。", "旧机床数控化改造，恢复加工精度。"]
RECOMMENDATIONS = ["推荐标准配置，选配自动排屑和在线测量。", "推荐配套年度维保服务，分两期付款。", "推荐增加一套专用夹具。"]
TOPICS = ["非标方案评审", "产线节拍与投资评估", "专用夹具设计评审", "交期与排产可行性", "技术协议确认"]
MEETING_NOTES = ["方案评审：生产部确认可按期交付，专用夹具需要定制设计；质量管理部要求增加首件检验。",
                 "按客户补充的节拍要求调整方案，投资约增加二十万元，生产部确认排产可行。",
                 "与客户技术人员视频会议：确认了工件图纸版本、检验标准和验收方式。"]
SOLUTIONS = ["方案概述：整机+专用夹具，含自动排屑、在线测量、安全防护；交期十周。",
             "修订：按客户意见调整节拍要求，增加备用夹具一套；含安装调试、操作培训和一年质保。"]
CONTACT_NAMES = ["王建国", "李海燕", "张志强", "刘秀英", "陈晓东", "杨丽华", "黄国庆", "赵文博", "吴雪梅", "周建华",
                 "徐春燕", "孙明辉", "马永刚", "朱婷婷", "胡俊杰", "郭玉兰"]

OPEN = [str(s) for s in Inquiry.OPEN_STATES]
# Final states by the inquiry's age (days): recent ones open, old ones mostly finished; old ones that
# stayed "new" or "handed over" are the overdue ones (~1 % of all).
MIX_BY_AGE = [
    (2, [(S.NEW, 35), (S.ANSWERED, 25), (S.DISCUSSION, 3), (S.HANDED_OVER, 20), (S.ACKNOWLEDGED, 7), (S.CLOSED, 5),
         (S.CANCELLED, 5)]),
    (30, [(S.NEW, 2), (S.ANSWERED, 18), (S.DISCUSSION, 5), (S.HANDED_OVER, 3), (S.ACKNOWLEDGED, 25),
          (S.CONVERTED, 12), (S.CLOSED, 30), (S.CANCELLED, 5)]),
    (180, [(S.NEW, 0.5), (S.ANSWERED, 4), (S.DISCUSSION, 1), (S.HANDED_OVER, 0.5), (S.ACKNOWLEDGED, 20),
           (S.CONVERTED, 20), (S.CLOSED, 47), (S.CANCELLED, 7)]),
    (None, [(S.NEW, 0.4), (S.ANSWERED, 0.6), (S.DISCUSSION, 0.1), (S.HANDED_OVER, 0.4), (S.ACKNOWLEDGED, 11.5),
            (S.CONVERTED, 20), (S.CLOSED, 59), (S.CANCELLED, 8)]),
]
CHANNELS = [(Channel.PHONE, 40), (Channel.EMAIL, 20), (Channel.CHAT, 25), (Channel.VISIT, 5), (Channel.OTHER, 10)]
PRIORITIES = [(Priority.NORMAL, 80), (Priority.HIGH, 15), (Priority.URGENT, 5)]


def _policies(ctx: ScaleContext, stage: str) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(channel, priority) -> (policy id, working minutes, remind percent), as the engine would pick."""
    found = {}
    for channel, _w in CHANNELS:
        for priority, _p in PRIORITIES:
            policy = sla_policy_for(record_type="presales.inquiry", stage=stage, channel=channel, priority=priority)
            found[(channel, priority)] = (policy.pk, policy.working_minutes, policy.remind_at_percent)
    return found


def _policy_case(policies, index: int, alias: str = "i") -> str:
    whens = " ".join(f"WHEN {alias}.channel = {lit(c)} AND {alias}.priority = {lit(p)} THEN {v[index]}"
                     for (c, p), v in policies.items())
    return f"(CASE {whens} END)"


def seed(ctx: ScaleContext) -> None:
    org = ctx.org_lookups()
    n = ctx.count(1_000_000, minimum=50)
    first = ctx.next_id("presales_inquiry")
    first_customer = ctx.scalar("SELECT MIN(id) FROM org_customer")
    n_customers = ctx.scalar("SELECT COUNT(*) FROM org_customer")
    products = [r[0] for r in ctx.rows("SELECT id FROM org_product WHERE is_active ORDER BY id")]
    span = (ctx.now - ctx.start).total_seconds()
    tz = lit(ctx.tz)
    now = f"{lit(ctx.now.isoformat())}::timestamptz"
    fr = _policies(ctx, "first_response")
    ho = _policies(ctx, "handover_ack")
    ct = ctx.content_type_id("presales", "inquiry")
    url = reverse("presales:inquiry-detail", args=[0])[:-2]  # ".../0/" -> ".../"

    with ctx.step("plan inquiries (temporary table)") as rows:
        age_case = "CASE " + " ".join(
            f"WHEN b.age < {limit} THEN {weighted([(str(s), w) for s, w in mix], rnd('g', 101))}"
            for limit, mix in MIX_BY_AGE if limit is not None
        ) + f" ELSE {weighted([(str(s), w) for s, w in MIX_BY_AGE[-1][1]], rnd('g', 101))} END"
        ho_minutes, ho_percent = ho[(Channel.PHONE, Priority.NORMAL)][1:]
        handed = "('handed_over', 'acknowledged', 'converted')"
        # One statement, each lateral a stage of the story: who, then the moments (in working time where the
        # app's clocks count it, never after now). A temporary table rewritten by one UPDATE per column took
        # minutes at scale 1.
        rows.append(ctx.execute(f"""
            DROP TABLE IF EXISTS scale_inq; CREATE TEMP TABLE scale_inq ON COMMIT DROP AS
            WITH b AS MATERIALIZED (
                SELECT g, x.received_at, extract(epoch FROM {now} - x.received_at) / 86400 AS age
                FROM generate_series(1::bigint, {n}) g
                CROSS JOIN LATERAL (SELECT ({lit(ctx.start.isoformat())}::timestamptz
                    + (g - 1 + {rnd('g', 100)}) * {span / n} * interval '1 second') AT TIME ZONE {tz} AS l) w
                -- office hours: the day's 24 hours squeezed into 9:00-18:00 (order kept: ids follow time)
                CROSS JOIN LATERAL (SELECT least((w.l::date + interval '9 hours' + (w.l - w.l::date) * 0.375) AT TIME ZONE {tz},
                                                 {now} - interval '1 minute') AS received_at) x
            ), c AS MATERIALIZED (
                SELECT b.g, b.received_at, b.age, {age_case} AS status,
                       {weighted([(str(c), w) for c, w in CHANNELS], rnd('b.g', 102))} AS channel,
                       {weighted([(str(p), w) for p, w in PRIORITIES], rnd('b.g', 103))} AS priority,
                       {first_customer} + floor(power({rnd('b.g', 104)}, 1.5) * {n_customers})::bigint AS customer_id,
                       ({org['intake']})[1 + floor({rnd('b.g', 105)} * 1000)::int] AS department_id,
                       ({org['handover']})[1 + floor({rnd('b.g', 106)} * 1000)::int] AS handover_pick
                FROM b
            )
            SELECT c.g, {first} + c.g - 1 AS id, c.received_at, c.age, c.status, c.channel, c.priority, c.customer_id,
                   c.department_id, os.user_id AS owner_id, st.handover_department_id, hs.user_id AS acknowledged_by_id,
                   st.via_discussion, st.via_discussion OR (c.status IN ('answered', 'closed') AND {rnd('c.g', 110)} < 0.02)
                       AS is_complex,
                   st.responded, st.handed,
                   'INQ-' || extract(year FROM c.received_at AT TIME ZONE {tz}) || '-' || lpad(row_number() OVER (
                       PARTITION BY extract(year FROM c.received_at AT TIME ZONE {tz}) ORDER BY c.g)::text, 6, '0') AS number,
                   f.fr_policy, f.fr_minutes, f.fr_due, f.fr_remind, r.t_resp, d.t_disc, h.t_hand, h.ho_due, h.ho_remind,
                   a.t_ack,
                   CASE c.status
                       WHEN 'converted' THEN a.t_ack + least({_days(f"1 + 30 * {rnd('c.g', 124)}")}, ({now} - a.t_ack) * 0.5)
                       WHEN 'closed' THEN r.t_resp + least({_days(f"10 * {rnd('c.g', 124)}")}, ({now} - r.t_resp) * 0.5)
                       WHEN 'cancelled' THEN coalesce(r.t_resp, c.received_at) + least({_days(f"5 * {rnd('c.g', 124)}")},
                                                          ({now} - coalesce(r.t_resp, c.received_at)) * 0.5) END AS t_end
            FROM c
            JOIN scale_biz db ON db.id = c.department_id
            JOIN scale_staff os ON os.dept_id = c.department_id
                               AND os.n = 1 + floor(power({rnd('c.g', 109)}, 2) * db.n_staff)::int
            CROSS JOIN LATERAL (SELECT
                c.status <> 'new' AND NOT (c.status = 'cancelled' AND {rnd('c.g', 107)} < 0.5) AS responded,
                c.status IN {handed} AS handed,
                c.status = 'discussion' OR (c.status IN {handed} AND {rnd('c.g', 108)} < 0.08) AS via_discussion,
                CASE WHEN c.status IN {handed} THEN CASE WHEN c.handover_pick = c.department_id THEN db.alt_id
                                                         ELSE c.handover_pick END END AS handover_department_id OFFSET 0) st
            LEFT JOIN scale_biz hb ON hb.id = st.handover_department_id
            LEFT JOIN scale_staff hs ON c.status IN ('acknowledged', 'converted') AND hs.dept_id = hb.id
                                    AND hs.n = 1 + floor(power({rnd('c.g', 111)}, 2) * hb.n_staff)::int
            CROSS JOIN LATERAL (SELECT {_policy_case(fr, 0, 'c')} AS fr_policy, {_policy_case(fr, 1, 'c')} AS fr_minutes,
                qsm_work_add(c.received_at, {_policy_case(fr, 1, 'c')}) AS fr_due,
                qsm_work_add(c.received_at, {_policy_case(fr, 1, 'c')} * {_policy_case(fr, 2, 'c')} / 100.0)
                    AS fr_remind OFFSET 0) f
            CROSS JOIN LATERAL (SELECT CASE WHEN st.responded THEN least(
                qsm_work_add(c.received_at, f.fr_minutes * (0.05 + 1.3 * power({rnd('c.g', 120)}, 1.5))),
                c.received_at + ({now} - c.received_at) * 0.2) END AS t_resp OFFSET 0) r
            CROSS JOIN LATERAL (SELECT CASE WHEN st.via_discussion THEN
                r.t_resp + least({_days(f"0.5 + 3 * {rnd('c.g', 121)}")}, ({now} - r.t_resp) * 0.2) END AS t_disc OFFSET 0) d
            CROSS JOIN LATERAL (SELECT CASE WHEN st.handed THEN coalesce(d.t_disc, r.t_resp)
                + least({_days(f"0.2 + 5 * power({rnd('c.g', 122)}, 2)")}, ({now} - coalesce(d.t_disc, r.t_resp)) * 0.3)
                END AS t_hand OFFSET 0) h0
            CROSS JOIN LATERAL (SELECT h0.t_hand, qsm_work_add(h0.t_hand, {ho_minutes}) AS ho_due,
                qsm_work_add(h0.t_hand, {ho_minutes * ho_percent / 100.0}) AS ho_remind OFFSET 0) h
            CROSS JOIN LATERAL (SELECT CASE WHEN c.status IN ('acknowledged', 'converted') THEN least(
                qsm_work_add(h.t_hand, {ho_minutes} * (0.1 + 1.2 * power({rnd('c.g', 123)}, 2))),
                h.t_hand + ({now} - h.t_hand) * 0.3) END AS t_ack OFFSET 0) a"""))
        ctx.execute("CREATE UNIQUE INDEX ON scale_inq (id); ANALYZE scale_inq;")

    with ctx.step("inquiries") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO presales_inquiry (id, number, channel, priority, customer_id, contact_name, contact_phone, subject,
                question, answer, needs_analysis, recommendation, is_complex, status, department_id, owner_id,
                handover_department_id, handover_note, acknowledged_by_id, received_at, responded_at, handed_over_at,
                acknowledged_at, closed_at, due_at, created_at, updated_at)
            SELECT i.id, i.number, i.channel, i.priority, i.customer_id, {pick(CONTACT_NAMES, 'i.g', 130)},
                   '1' || {pick(list('3589'), 'i.g', 131)} || lpad(((i.g * 7919 + 13) % 1000000000)::text, 9, '0'),
                   x.subject, {pick(QUESTION_OPENERS, 'i.g', 132)} || x.subject || '。' || {pick(QUESTION_DETAILS, 'i.g', 133)},
                   CASE WHEN i.responded THEN {pick(ANSWERS, 'i.g', 134)} ELSE '' END,
                   CASE WHEN i.via_discussion OR i.handed OR (i.status = 'answered' AND {rnd('i.g', 135)} < 0.5)
                        THEN {pick(NEEDS, 'i.g', 136)} ELSE '' END,
                   CASE WHEN i.via_discussion OR i.handed THEN {pick(RECOMMENDATIONS, 'i.g', 137)} ELSE '' END,
                   i.is_complex, i.status, i.department_id, i.owner_id, i.handover_department_id,
                   CASE WHEN i.handed THEN {pick(HANDOVER_NOTES, 'i.g', 138)} ELSE '' END, i.acknowledged_by_id,
                   i.received_at, i.t_resp, i.t_hand, i.t_ack, i.t_end,
                   CASE i.status WHEN 'new' THEN i.fr_due WHEN 'handed_over' THEN i.ho_due END,
                   i.received_at, coalesce(i.t_end, i.t_ack, i.t_hand, i.t_disc, i.t_resp, i.received_at)
            FROM scale_inq i
            CROSS JOIN LATERAL (SELECT {pick(SUBJECT_HEADS, 'i.g', 140)} || {pick(SUBJECT_WORDS, 'i.g', 141)}
                                       || {pick(SUBJECT_TAILS, 'i.g', 142)} AS subject) x
            ORDER BY i.id"""))
        ctx.execute("""
            INSERT INTO workflow_numbersequence (prefix, year, last)
            SELECT 'INQ', split_part(number, '-', 2)::int, MAX(split_part(number, '-', 3)::int)
            FROM presales_inquiry GROUP BY 2
            ON CONFLICT (prefix, year) DO UPDATE SET last = GREATEST(workflow_numbersequence.last, EXCLUDED.last)""")

    with ctx.step("inquiry products") as rows:
        array = "ARRAY[" + ",".join(map(str, products)) + "]::bigint[]"
        rows.append(ctx.execute(f"""
            INSERT INTO presales_inquiry_products (inquiry_id, product_id)
            SELECT DISTINCT i.id, ({array})[1 + floor({rnd('i.g * 3 + k', 150)} * cardinality({array}))::int]
            FROM scale_inq i CROSS JOIN generate_series(0, 1) k
            WHERE (k = 0 AND {rnd('i.g', 151)} < 0.7) OR (k = 1 AND {rnd('i.g', 152)} < 0.2)"""))
        rows.append(ctx.execute(f"""
            INSERT INTO presales_inquiry_recommended_products (inquiry_id, product_id)
            SELECT i.id, ({array})[1 + floor({rnd('i.g', 153)} * cardinality({array}))::int]
            FROM scale_inq i WHERE i.via_discussion OR i.handed"""))

    title = "left(p.number || ' ' || p.subject, 200)"
    with ctx.step("deadlines (first response, hand-over acknowledgement)") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO sla_deadline (content_type_id, object_id, stage, source, policy_id, calendar_id, title, url,
                owner_id, department_id, state, started_at, allowed_minutes, remind_at, due_at, paused_minutes,
                completed_at, reminded_at, overdue_at)
            SELECT {ct}, i.id, 'first_response', 'policy', i.fr_policy, {ctx.calendar_id}, {title},
                   {lit(url)} || i.id || '/', i.owner_id, i.department_id, x.state, i.received_at, i.fr_minutes,
                   i.fr_remind, i.fr_due, 0, x.completed_at,
                   CASE WHEN i.fr_remind <= coalesce(x.completed_at, {now}) THEN i.fr_remind END,
                   CASE WHEN i.fr_due <= coalesce(x.completed_at, {now}) THEN i.fr_due END
            FROM scale_inq i JOIN presales_inquiry p ON p.id = i.id
            CROSS JOIN LATERAL (SELECT
                CASE WHEN i.status = 'new' THEN 'running' WHEN NOT i.responded THEN 'cancelled'
                     WHEN i.t_resp <= i.fr_due THEN 'met' ELSE 'late' END AS state,
                CASE WHEN i.status = 'new' THEN NULL WHEN NOT i.responded THEN i.t_end ELSE i.t_resp END AS completed_at) x
            ORDER BY i.id"""))
        rows.append(ctx.execute(f"""
            INSERT INTO sla_deadline (content_type_id, object_id, stage, source, policy_id, calendar_id, title, url,
                owner_id, department_id, state, started_at, allowed_minutes, remind_at, due_at, paused_minutes,
                completed_at, reminded_at, overdue_at)
            SELECT {ct}, i.id, 'handover_ack', 'policy', {ho[(Channel.PHONE, Priority.NORMAL)][0]}, {ctx.calendar_id},
                   {title}, {lit(url)} || i.id || '/', NULL, i.handover_department_id,
                   CASE WHEN i.t_ack IS NULL THEN 'running' WHEN i.t_ack <= i.ho_due THEN 'met' ELSE 'late' END,
                   i.t_hand, {ho[(Channel.PHONE, Priority.NORMAL)][1]}, i.ho_remind, i.ho_due, 0, i.t_ack,
                   CASE WHEN i.ho_remind <= coalesce(i.t_ack, {now}) THEN i.ho_remind END,
                   CASE WHEN i.ho_due <= coalesce(i.t_ack, {now}) THEN i.ho_due END
            FROM scale_inq i JOIN presales_inquiry p ON p.id = i.id
            WHERE i.handed ORDER BY i.t_hand"""))

    with ctx.step("discussions, notes, solutions") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO discussions_discussion (content_type_id, object_id, topic, opened_by_id, opened_at)
            SELECT {ct}, i.id, {pick(TOPICS, 'i.g', 160)}, i.owner_id, i.t_disc
            FROM scale_inq i WHERE i.via_discussion ORDER BY i.t_disc"""))
        ctx.execute(f"""
            DROP TABLE IF EXISTS scale_disc; CREATE TEMP TABLE scale_disc ON COMMIT DROP AS
            SELECT d.id, i.g, i.id AS inquiry_id, i.owner_id, i.department_id, i.t_disc, i.t_hand, i.handed
            FROM discussions_discussion d JOIN scale_inq i ON i.id = d.object_id WHERE d.content_type_id = {ct}""")
        support = ctx.rows("SELECT id FROM org_department WHERE kind = 'other' ORDER BY id")
        support_array = "ARRAY[" + ",".join(str(r[0]) for r in support) + "]::bigint[]"
        rows.append(ctx.execute(f"""
            INSERT INTO discussions_discussion_invited_departments (discussion_id, department_id)
            SELECT DISTINCT d.id, ({support_array})[1 + floor({rnd('d.g * 2 + k', 161)} * cardinality({support_array}))::int]
            FROM scale_disc d CROSS JOIN generate_series(0, 1) k WHERE k = 0 OR {rnd('d.g', 162)} < 0.4"""))
        rows.append(ctx.execute(f"""
            INSERT INTO discussions_discussion_invited_users (discussion_id, user_id)
            SELECT d.id, s.user_id FROM scale_disc d
            JOIN scale_biz b ON b.k = 1 + floor({rnd('d.g', 163)} * (SELECT COUNT(*) FROM scale_biz))::int
            JOIN scale_staff s ON s.dept_id = b.alt_id AND s.n = 1 + floor({rnd('d.g', 164)}
                 * (SELECT n_staff FROM scale_biz c WHERE c.id = b.alt_id))::int
            WHERE b.alt_id <> d.department_id"""))
        rows.append(ctx.execute(f"""
            INSERT INTO discussions_discussionnote (discussion_id, author_id, meeting_at, body, created_at)
            SELECT d.id, d.owner_id, d.t_disc + interval '2 hours' * (k + 1), {pick(MEETING_NOTES, 'd.g * 2 + k', 165)},
                   d.t_disc + interval '2 hours' * (k + 1) + interval '30 minutes'
            FROM scale_disc d CROSS JOIN generate_series(0, 1) k
            WHERE (k = 0 OR {rnd('d.g', 166)} < 0.5) AND d.t_disc + interval '3 hours' * (k + 1) < {now}"""))
        rows.append(ctx.execute(f"""
            INSERT INTO discussions_solution (discussion_id, version, title, content, created_by_id, created_at, sent_at, sent_via)
            SELECT d.id, k + 1, '定制方案 v' || (k + 1), {text_array(SOLUTIONS)}[k + 1], d.owner_id,
                   d.t_disc + (d.t_hand - d.t_disc) * (0.3 + 0.3 * k),
                   CASE WHEN k = x.last THEN d.t_disc + (d.t_hand - d.t_disc) * (0.4 + 0.3 * k) END,
                   CASE WHEN k = x.last THEN 'email' ELSE '' END
            FROM scale_disc d CROSS JOIN LATERAL (SELECT CASE WHEN {rnd('d.g', 167)} < 0.3 THEN 1 ELSE 0 END AS last) x
            CROSS JOIN generate_series(0, 1) k
            WHERE d.handed AND k <= x.last"""))

    with ctx.step("communication log") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO contacts_contactentry (content_type_id, object_id, kind, channel, direction, summary, occurred_at,
                recorded_by_id, created_at, answer)
            SELECT {ct}, i.id, 'communication', i.channel, x.direction,
                   CASE WHEN x.direction = 'in' THEN {pick(INBOUND, 'i.g', 171)} ELSE {pick(OUTBOUND, 'i.g', 172)} END,
                   x.at, i.owner_id, x.at, ''
            FROM scale_inq i
            CROSS JOIN LATERAL (SELECT CASE WHEN {rnd('i.g', 173)} < 0.5 THEN 'in' ELSE 'out' END AS direction,
                i.t_resp + (coalesce(i.t_end, i.t_hand, {now}) - i.t_resp) * (0.2 + 0.6 * {rnd('i.g', 174)}) AS at) x
            WHERE i.responded AND {rnd('i.g', 170)} < 0.33
            ORDER BY x.at"""))
        # The summary solution_mark_sent writes, in the language of a Chinese-speaking sender.
        rows.append(ctx.execute(f"""
            INSERT INTO contacts_contactentry (content_type_id, object_id, kind, channel, direction, summary, occurred_at,
                recorded_by_id, created_at, answer)
            SELECT {ct}, d.inquiry_id, 'communication', 'email', 'out',
                   '已发送个性化解决方案 v' || s.version || '：' || s.title, s.sent_at, d.owner_id, s.sent_at, ''
            FROM discussions_solution s JOIN scale_disc d ON d.id = s.discussion_id WHERE s.sent_at IS NOT NULL"""))

    with ctx.step("timeline events") as rows:
        rows.append(ctx.execute(f"""
            INSERT INTO workflow_event (content_type_id, object_id, kind, action, from_state, to_state, changes, data,
                actor_kind, actor_id, actor_label, via, comment, created_at)
            SELECT {ct}, i.id, e.kind, e.action, e.from_state, e.to_state, '[]'::jsonb, e.data, 'user', e.actor,
                   '', 'page', e.comment, e.at
            FROM scale_inq i
            CROSS JOIN LATERAL (VALUES
                ('created', '', '', 'new', i.owner_id, i.received_at, '', '{{}}'::jsonb),
                ('transition', 'respond', 'new', 'answered', i.owner_id, i.t_resp, '', '{{}}'::jsonb),
                ('transition', 'open_discussion', 'answered', 'discussion', i.owner_id, i.t_disc, '', '{{}}'::jsonb),
                ('solution', 'solution', '', '', i.owner_id, CASE WHEN i.handed THEN i.t_disc + (i.t_hand - i.t_disc) * 0.3 END,
                 '', jsonb_build_object('version', 1, 'title', '定制方案 v1')),
                ('transition', 'hand_over', CASE WHEN i.via_discussion THEN 'discussion' ELSE 'answered' END,
                 'handed_over', i.owner_id, i.t_hand, {pick(HANDOVER_NOTES, 'i.g', 138)}, '{{}}'::jsonb),
                ('transition', 'acknowledge', 'handed_over', 'acknowledged', i.acknowledged_by_id, i.t_ack, '', '{{}}'::jsonb),
                ('transition', 'convert', 'acknowledged', 'converted', i.acknowledged_by_id,
                 CASE WHEN i.status = 'converted' THEN i.t_end END, '', '{{}}'::jsonb),
                ('transition', 'close', 'answered', 'closed', i.owner_id, CASE WHEN i.status = 'closed' THEN i.t_end END,
                 {pick(CLOSE_COMMENTS, 'i.g', 180)}, '{{}}'::jsonb),
                ('transition', 'cancel', CASE WHEN i.responded THEN 'answered' ELSE 'new' END, 'cancelled', i.owner_id,
                 CASE WHEN i.status = 'cancelled' THEN i.t_end END, {pick(CANCEL_COMMENTS, 'i.g', 181)}, '{{}}'::jsonb)
            ) AS e(kind, action, from_state, to_state, actor, at, comment, data)
            WHERE e.at IS NOT NULL
            ORDER BY e.at"""))
        rows.append(ctx.execute(f"""
            INSERT INTO workflow_event (content_type_id, object_id, kind, action, from_state, to_state, changes, data,
                actor_kind, actor_id, actor_label, via, comment, created_at)
            SELECT {ct}, d.inquiry_id, 'meeting_note', 'discussion_note', '', '', '[]'::jsonb, '{{}}'::jsonb, 'user',
                   n.author_id, '', 'page', n.body, n.created_at
            FROM discussions_discussionnote n JOIN scale_disc d ON d.id = n.discussion_id"""))


def report(ctx: ScaleContext) -> list[str]:
    open_states = "', '".join(OPEN)
    total, open_, overdue = ctx.rows(f"""SELECT COUNT(*), COUNT(*) FILTER (WHERE status IN ('{open_states}')),
                                         COUNT(*) FILTER (WHERE status IN ('{open_states}') AND due_at < now())
                                         FROM presales_inquiry""")[0]
    busiest = ctx.rows("""SELECT d.name, COUNT(*) FROM presales_inquiry i JOIN org_department d
                           ON d.id = i.handover_department_id WHERE i.status IN ('handed_over', 'acknowledged')
                           GROUP BY d.name ORDER BY 2 DESC LIMIT 1""")
    owner = ctx.rows(f"""SELECT u.username, COUNT(*) FROM presales_inquiry i JOIN org_user u ON u.id = i.owner_id
                         WHERE i.status IN ('{open_states}') GROUP BY u.username ORDER BY 2 DESC LIMIT 1""")
    lines = [f"Inquiries: {total:,}, {open_:,} open ({100 * open_ / max(total, 1):.1f} %), "
             f"{overdue:,} overdue ({100 * overdue / max(total, 1):.1f} %)."]
    if busiest:
        lines.append(f"Busiest department (hand-overs waiting on it): {busiest[0][0]}, {busiest[0][1]:,} open; "
                     f"busiest owner: {owner[0][0]}, {owner[0][1]:,} open.")
    return lines


seeder = Seeder(
    module="presales",
    report=report,
    tables=("presales_inquiry", "presales_inquiry_products", "presales_inquiry_recommended_products",
            "discussions_discussion", "discussions_discussion_invited_departments",
            "discussions_discussion_invited_users", "discussions_discussionnote", "discussions_solution",
            "discussions_solution_products", "contacts_contactentry", "sla_deadline", "workflow_event",
            "workflow_numbersequence"),
    seed=seed,
)
