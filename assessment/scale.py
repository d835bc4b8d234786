"""PERF-1, quality control at scale (``manage.py seed_scale``): the quality department's control tools over
five years (QC-1, QC-2, QC-3, QC-5), declared on AssessmentConfig (``scale_data``); runs last (``assessment``
is the right-most app), so the records it inspects are there.

At scale 1:

- 2,000 service standards with about three versions each: the older ones superseded (still readable), the
  last one effective with its next review date (a few overdue, some due within the reminder lead), some
  with a revision open on top (draft, in review, approved waiting for its date), a few new ones not yet
  effective, a few withdrawn revisions and retired standards;
- 300 checklists (4 to 6 items of kind process execution or standard compliance, drawn from standards);
- inspection plans per business department and module (weekly, monthly, quarterly) and the scheduled
  inspections the beat made from them, plus random spot checks: about 20,000 inspections, sampling real
  seeded records of the module, department and period (inquiries, orders, after-sales cases, visits done,
  complaints) and judging each item of each sampled record (about 200,000 findings: pass, fail, not
  applicable; open inspections partly or not yet judged);
- about 50,000 rectification notices, from failed findings and manual decisions, in every state: issued
  (some with a plan awaiting approval), rectifying, reported, closed, cancelled; some plans rejected by the
  manager then revised and approved, some notices reopened by the quality department (round 2), some overdue;
  measures with owners and dates;
- training plans per department and year with about 5,000 sessions (held, cancelled, scheduled) and about
  100,000 attendances with assessment scores.

Each record gets what the app writes: numbers of the app's sequences, the clocks (standard approval and
review, inspection, rectification, verification, plan approval) with their running, met or late deadlines
and ``due_at``, and one timeline event per transition. The sampled records are drawn as the app draws them
(``qsm.sampling``, from each inspection's stored seed, the re-check samples of visits among the visits marked
for re-check): re-drawing a seeded inspection gives its samples.
"""
from __future__ import annotations

from qsm.scale import ScaleContext, Seeder, int_array, lit, pick, rnd, text_array, weighted
from qsm.scale_sql import after, clock_lead_days, date_clock_deadlines, days, now_sql, url_prefix

# --- word lists ----------------------------------------------------------------------------------

STD_HEADS = ["售前咨询", "订单评审", "合同交期", "生产进度通报", "发货与交付", "安装调试", "验收", "售后服务受理",
             "故障维修", "备件供应", "客户回访", "投诉处理", "服务礼仪", "现场服务", "技术答复", "质量问题处理"]
STD_TAILS = ["服务规范", "工作流程", "服务标准", "质量要求", "作业指导书", "响应时限规定"]
PROCESS = ["受理—登记—分派—处理—答复—归档，每一步在系统中留痕。", "接单后一个工作日内确认，三个工作日内给出方案。",
           "按检查表逐项执行，异常情况当日上报部门经理。"]
CONTENT = ["明确服务范围、服务内容、服务时限和责任人。", "规定答复客户的内容要素：原因、措施、时间、联系人。",
           "规定现场服务的准备、实施、确认和回访内容。"]
REQUIREMENTS = ["首次响应不超过四个工作小时；答复内容完整准确。", "客户确认签字率100%；回访满意度不低于90%。",
                "记录完整、可追溯；超时必须说明原因。"]
CHANGES = ["根据投诉分析结果修订响应时限。", "增加现场服务安全要求。", "按组织架构调整修订职责分工。", "补充客户回访要求。"]
ITEMS_PROCESS = ["是否在规定时限内首次响应", "是否按流程登记并分派", "处理过程是否完整留痕", "是否在承诺时间内答复客户",
                 "是否按要求进行客户确认", "交接是否在规定时间内确认"]
ITEMS_COMPLIANCE = ["答复内容是否符合服务标准", "记录是否完整准确", "是否使用规范用语", "方案是否经过评审",
                    "附件和证据是否齐全", "是否符合质量要求"]
FAIL_COMMENTS = ["首次响应超时两个工作小时，无说明。", "处理记录缺少客户确认。", "答复内容未说明原因。",
                 "交接超过规定时间未确认。", "附件缺失，无法核实。"]
PASS_COMMENTS = ["", "", "符合要求。", "记录完整。"]
NOTICE_TITLES = ["响应超时整改", "记录不完整整改", "答复内容不规范整改", "交接不及时整改", "客户确认缺失整改",
                 "服务用语不规范整改", "回访未按期完成整改"]
REQUIREMENT_TEXTS = ["请分析原因，制定整改措施，明确责任人和完成时间，并在期限内报告整改结果。",
                     "请对本部门同类记录进行自查，整改发现的问题，并组织相关人员培训。"]
CAUSES = ["值班安排不足，高峰时段无人跟进。", "新员工不熟悉服务规范，培训不到位。", "系统提醒未被及时处理。",
          "流程职责不清，交接环节无人确认。"]
MEASURE_TEXTS = ["组织全员学习服务规范并考试", "调整值班安排，高峰时段增加人员", "对同类记录进行自查并补齐",
                 "指定专人每日检查超时提醒", "修订部门内部交接流程"]
REJECT_REASONS = ["措施没有针对根本原因，请补充。", "完成期限太晚，请缩短。", "责任人不明确，请逐项落实到人。"]
COMPLETION_NOTES = ["已完成全部整改措施，自查记录和培训签到表已上传。", "整改完成，相关记录已补齐并经部门经理确认。"]
VERIFY_NOTES = ["现场抽查十条记录，均符合要求，同意关闭。", "复查合格，关闭。"]
REOPEN_REASONS = ["复查仍发现同类问题，请继续整改。", "证据不足，无法确认整改效果。"]
CANCEL_REASONS = ["重复下发，已合并到另一份整改通知。", "经复核不属于该部门责任。"]
INSPECTION_CANCEL = ["部门当月无业务记录，取消检查。", "检查人员调整，改期进行。"]
SUMMARIES = ["总体符合要求，个别记录响应超时，已下发整改通知。", "抽查记录全部合格。", "过程留痕不完整的问题较集中。"]
SESSION_TITLES = {"standards": ["服务标准宣贯", "质量要求解读"], "process": ["服务流程培训", "系统操作与流程演练"],
                  "communication": ["客户沟通技巧", "投诉应对与沟通"], "problem_solving": ["问题分析与解决方法", "根本原因分析（五个为什么）"]}
PLACES = ["总部三楼会议室", "培训中心101", "线上会议", "生产基地培训室", "客服中心会议室"]
EXTERNAL_TRAINERS = ["王培训师（外聘）", "李老师（咨询公司）", "赵讲师（行业协会）"]
SESSION_CANCEL = ["讲师临时有事，改期。", "与生产任务冲突，取消。"]
ATTEND_COMMENTS = ["", "", "", "请假", "迟到十分钟"]

MODULES = ["inquiries", "orders", "cases", "visits", "complaints"]
MODULE_LABELS = {"inquiries": "售前咨询", "orders": "订单", "cases": "售后服务", "visits": "回访", "complaints": "客户投诉"}
TOPICS = ["standards", "process", "communication", "problem_solving"]
KINDS = [("process", 40), ("content", 30), ("quality", 30)]

# What a sampled record of each module shows (the draw itself is qsm.sampling's): table, date column, the rows
# sampled (as its qsm.sampling declaration reads them), title expression, app, model, record page URL name.
POPULATIONS = {
    "inquiries": ("presales_inquiry", "r.received_at", "TRUE", "r.subject", "presales", "inquiry", "presales:inquiry-detail"),
    "orders": ("orders_order", "r.created_at", "TRUE", "c.name", "orders", "order", "orders:order-detail"),
    "cases": ("aftersales_case", "r.received_at", "TRUE", "r.subject", "aftersales", "case", "aftersales:case-detail"),
    "visits": ("aftersales_visit", "r.done_at", "r.status = 'done' AND r.done_at IS NOT NULL", "c.name", "aftersales",
               "visit", "aftersales:visit-detail"),
    "complaints": ("complaints_complaint", "r.received_at", "TRUE", "r.subject", "complaints", "complaint",
                   "complaints:complaint-detail"),
}

EVENT = """INSERT INTO workflow_event (content_type_id, object_id, kind, action, from_state, to_state, changes, data,
               actor_kind, actor_id, actor_label, via, comment, created_at)"""
DEADLINE = """INSERT INTO sla_deadline (content_type_id, object_id, stage, source, policy_id, calendar_id, title, url,
               owner_id, department_id, state, started_at, allowed_minutes, remind_at, due_at, paused_at, paused_minutes,
               completed_at, reminded_at, overdue_at)"""


def _policy(record_type: str, stage: str) -> tuple[int, int, int]:
    """(policy id, working minutes, remind percent) of a policy clock (assessment/reference.py)."""
    from qsm.sla.services import sla_policy_for

    policy = sla_policy_for(record_type=record_type, stage=stage, category="")
    if policy is None:
        raise RuntimeError(f"no SLA policy for {record_type} {stage}: load the reference data")
    return policy.pk, policy.working_minutes, policy.remind_at_percent


def _policy_deadlines(ctx: ScaleContext, *, policy: tuple[int, int, int], content_type: int, stage: str, rows: str,
                      record: str, title: str, url: str, owner: str, department: str, started: str, completed: str,
                      running: str, now: str) -> str:
    """SQL: ``INSERT ... SELECT`` of a policy clock's deadlines (running while ``running``, else met or late at
    ``completed``), reminded and overdue as the sweep would have marked them by ``now``."""
    pk, minutes, percent = policy
    return f"""
        {DEADLINE}
        SELECT {content_type}, {record}, {lit(stage)}, 'policy', {pk}, {ctx.calendar_id}, left({title}, 200), {url},
               {owner}, {department}, x.state, {started}, {minutes}, x.remind, x.due, NULL, 0, x.completed_at,
               CASE WHEN x.remind <= coalesce(x.completed_at, {now}) THEN x.remind END,
               CASE WHEN x.due <= coalesce(x.completed_at, {now}) THEN x.due END
        FROM {rows}
        CROSS JOIN LATERAL (SELECT qsm_work_add({started}, {minutes}) AS due,
                                   qsm_work_add({started}, {minutes * percent / 100.0}) AS remind) x0
        CROSS JOIN LATERAL (SELECT x0.due, x0.remind, CASE WHEN {running} THEN NULL ELSE {completed} END AS completed_at,
                                   CASE WHEN {running} THEN 'running' WHEN {completed} <= x0.due THEN 'met'
                                        ELSE 'late' END AS state) x"""


def seed(ctx: ScaleContext) -> None:
    _people(ctx)
    _standards(ctx)
    _checklists(ctx)
    _inspections(ctx)
    _samples_and_findings(ctx)
    _notices(ctx)
    _plans_and_measures(ctx)
    _notice_clocks_and_timeline(ctx)
    _training(ctx)
    _number_sequences(ctx)


# --- people --------------------------------------------------------------------------------------------


def _people(ctx: ScaleContext) -> None:
    org = ctx.org_lookups()

    def users(where: str) -> list[int]:
        return [r[0] for r in ctx.rows(f"""
            SELECT DISTINCT u.id FROM org_user u JOIN org_department d ON d.id = u.department_id
            JOIN org_user_groups ug ON ug.user_id = u.id JOIN auth_group g ON g.id = ug.group_id
            WHERE u.is_active AND {where} ORDER BY u.id""")]

    quality = org["quality_users"] or [0]
    managers = users("d.kind = 'quality' AND g.name = 'manager'") or quality[:1]
    officers = users("d.kind = 'quality' AND g.name = 'quality_officer'") or quality
    # Authors of standards are quality staff who are not managers (a manager approves, never the author).
    authors = [u for u in quality if u not in managers] or quality
    ctx.shared["assessment"] = {
        "quality": quality, "quality_managers": managers, "officers": officers, "authors": authors,
        "quality_dept": ctx.scalar("SELECT MIN(id) FROM org_department WHERE kind = 'quality'"),
    }
    # The managers of each business department (decide plans, own training plans): first one by id.
    ctx.execute(f"""
        DROP TABLE IF EXISTS scale_qc_manager; CREATE TEMP TABLE scale_qc_manager ON COMMIT DROP AS
        SELECT b.id AS dept_id, b.k, b.n_staff,
               coalesce((SELECT MIN(u.id) FROM org_user u JOIN org_user_groups ug ON ug.user_id = u.id
                         JOIN auth_group g ON g.id = ug.group_id
                         WHERE u.department_id = b.id AND g.name = 'manager' AND u.is_active),
                        ({int_array(managers)})[1]) AS manager_id
        FROM scale_biz b WHERE b.n_staff > 0;
        CREATE UNIQUE INDEX ON scale_qc_manager (k); CREATE UNIQUE INDEX ON scale_qc_manager (dept_id);
        ANALYZE scale_qc_manager""")
    ctx.shared["assessment"]["n_dept"] = ctx.scalar("SELECT COUNT(*) FROM scale_qc_manager")
    ctx.shared["assessment"]["dept_keys"] = [r[0] for r in ctx.rows("SELECT k FROM scale_qc_manager ORDER BY k")]



def _pick_int(values: list[int], expr: str, salt: int) -> str:
    return f"({int_array(values)})[1 + floor({rnd(expr, salt)} * {len(values)})::int]"


# --- QC-1 standards ------------------------------------------------------------------------------------


def _standards(ctx: ScaleContext) -> None:
    now = now_sql(ctx)
    tz = lit(ctx.tz)
    qc = ctx.shared["assessment"]
    n = ctx.count(2_000, minimum=12)
    first_std, first_ver = ctx.next_id("assessment_standard"), ctx.next_id("assessment_standardversion")
    span = (ctx.now - ctx.start).total_seconds()
    ver_url = url_prefix("assessment:standard-version-detail")
    ct_std = ctx.content_type_id("assessment", "standard")
    ct_ver = ctx.content_type_id("assessment", "standardversion")
    # The last standards cover each path even at a tiny scale: a new one in draft, one in review, one
    # approved waiting for its date, one with a withdrawn revision, one retired, one with a revision in review.
    shapes = ["new_draft", "new_review", "open_approved", "withdrawn", "retired", "open_review", "open_draft"]
    with ctx.step("standards and versions (QC-1)") as rows:
        ctx.execute(f"""
            DROP TABLE IF EXISTS scale_std; CREATE TEMP TABLE scale_std ON COMMIT DROP AS
            SELECT g, {first_std} + g - 1 AS id,
                   ({lit(ctx.start.isoformat())}::timestamptz + (0.6 * power({rnd('g', 1101)}, 1.3) * {span}) * interval '1 second')
                       AS created_at,
                   {weighted(KINDS, rnd('g', 1102))} AS kind,
                   {_pick_int(qc['authors'], 'g', 1103)} AS owner_id,
                   CASE WHEN g > {n} - {len(shapes)} THEN ({text_array(shapes)})[g - ({n} - {len(shapes)})]
                        ELSE {weighted([("plain", 84), ("open_draft", 3), ("open_review", 3), ("open_approved", 2),
                                        ("new_draft", 2), ("new_review", 1), ("withdrawn", 3), ("retired", 2)],
                                       rnd('g', 1104))} END AS shape,
                   1 + floor({rnd('g', 1105)} * 3)::int AS n_effective
            FROM generate_series(1, {n}) g;
            ALTER TABLE scale_std ADD COLUMN n_versions int, ADD COLUMN number text;
            UPDATE scale_std SET n_effective = 0 WHERE shape IN ('new_draft', 'new_review');
            UPDATE scale_std SET n_effective = greatest(n_effective, 1)
            WHERE shape NOT IN ('new_draft', 'new_review');
            UPDATE scale_std SET n_versions = n_effective + CASE WHEN shape IN ('plain', 'retired') THEN 0 ELSE 1 END;
            UPDATE scale_std s SET number = 'STD-' || y.year || '-' || lpad(y.k::text, 6, '0')
            FROM (SELECT g, extract(year FROM created_at AT TIME ZONE {tz})::int AS year,
                         row_number() OVER (PARTITION BY extract(year FROM created_at AT TIME ZONE {tz})
                                            ORDER BY created_at, g) AS k FROM scale_std) y
            WHERE y.g = s.g;
            CREATE UNIQUE INDEX ON scale_std (id); ANALYZE scale_std""")
        # Version v: created at the v-th share of the standard's life; effective ones follow one another;
        # the last (open) revision is recent.
        ctx.execute(f"""
            DROP TABLE IF EXISTS scale_ver; CREATE TEMP TABLE scale_ver ON COMMIT DROP AS
            SELECT s.id AS standard_id, s.g, v AS version, s.owner_id, s.shape,
                   CASE WHEN v <= s.n_effective THEN
                            CASE WHEN v = s.n_effective THEN 'effective' ELSE 'superseded' END
                        WHEN s.shape IN ('open_draft', 'new_draft') THEN 'draft'
                        WHEN s.shape IN ('open_review', 'new_review') THEN 'review'
                        WHEN s.shape = 'open_approved' THEN 'approved'
                        ELSE 'withdrawn' END AS status,
                   CASE WHEN v > s.n_effective
                        THEN {now} - {days(f"2 + 20 * {rnd('s.g * 7 + v', 1106)}")}
                        ELSE s.created_at + ({now} - interval '60 days' - s.created_at) * ((v - 1)::float / s.n_effective)
                   END AS created_at
            FROM scale_std s CROSS JOIN LATERAL generate_series(1, s.n_versions) v;
            ALTER TABLE scale_ver ADD COLUMN id bigint, ADD COLUMN submitted_at timestamptz,
                ADD COLUMN approved_at timestamptz, ADD COLUMN effective_on date, ADD COLUMN effective_at timestamptz,
                ADD COLUMN review_on date, ADD COLUMN superseded_at timestamptz, ADD COLUMN approver_id bigint,
                ADD COLUMN withdrawn_at timestamptz;
            UPDATE scale_ver p SET id = {first_ver} + x.n - 1
            FROM (SELECT standard_id, version, row_number() OVER (ORDER BY created_at, standard_id, version) AS n
                  FROM scale_ver) x WHERE x.standard_id = p.standard_id AND x.version = p.version;
            UPDATE scale_ver v SET
                submitted_at = CASE WHEN v.status NOT IN ('draft', 'withdrawn')
                    THEN {after('v.created_at', f"1 + 5 * {rnd('v.id', 1107)}", 0.3, now)} END,
                approver_id = {_pick_int(qc['quality_managers'], 'v.id', 1108)};
            UPDATE scale_ver v SET approved_at = {after('v.submitted_at', f"0.3 + 4 * {rnd('v.id', 1109)}", 0.3, now)}
            WHERE v.status IN ('approved', 'effective', 'superseded');
            UPDATE scale_ver v SET effective_on = CASE
                    WHEN v.status = 'approved' THEN ({now} AT TIME ZONE {tz})::date + 3 + floor(20 * {rnd('v.id', 1110)})::int
                    WHEN v.status = 'review' THEN ({now} AT TIME ZONE {tz})::date + 10 + floor(20 * {rnd('v.id', 1110)})::int
                    ELSE (v.approved_at AT TIME ZONE {tz})::date + floor(least(10 * {rnd('v.id', 1111)},
                         extract(epoch FROM {now} - v.approved_at) / 86400 * 0.5))::int END
            WHERE v.status IN ('approved', 'review', 'effective', 'superseded');
            UPDATE scale_ver v SET effective_at = greatest(v.approved_at, (v.effective_on + time '00:05') AT TIME ZONE {tz})
            WHERE v.status IN ('effective', 'superseded');
            -- The next review: a year on for old versions; the effective one's spread around today (a few
            -- overdue, some within the reminder lead, most ahead).
            UPDATE scale_ver v SET review_on = CASE
                WHEN v.status = 'effective' THEN greatest(v.effective_on + 30,
                    ({now} AT TIME ZONE {tz})::date - 20 + floor(400 * {rnd('v.id', 1112)})::int)
                ELSE v.effective_on + 365 END
            WHERE v.effective_on IS NOT NULL;
            UPDATE scale_ver v SET superseded_at = n.effective_at
            FROM scale_ver n WHERE n.standard_id = v.standard_id AND n.version = v.version + 1 AND v.status = 'superseded';
            UPDATE scale_ver v SET withdrawn_at = {after('v.created_at', f"1 + 3 * {rnd('v.id', 1113)}", 0.5, now)}
            WHERE v.status = 'withdrawn';
            CREATE UNIQUE INDEX ON scale_ver (id); ANALYZE scale_ver""")
        rows.append(ctx.execute(f"""
            INSERT INTO assessment_standard (id, number, title, kind, modules, owner_id, current_version_id,
                next_review_on, retired, created_by_id, created_at, updated_at)
            SELECT s.id, s.number, {pick(STD_HEADS, 's.g', 1114)} || {pick(STD_TAILS, 's.g', 1115)}, s.kind,
                   CASE WHEN {rnd('s.g', 1116)} < 0.6 THEN ARRAY[{pick(MODULES, 's.g', 1117)}]::varchar[]
                        ELSE ARRAY[{pick(MODULES, 's.g', 1117)}, {pick(MODULES, 's.g + 1', 1117)}]::varchar[] END,
                   s.owner_id, NULL, NULL, s.shape = 'retired', s.owner_id, s.created_at,
                   (SELECT max(greatest(v.created_at, v.submitted_at, v.approved_at, v.effective_at, v.withdrawn_at))
                    FROM scale_ver v WHERE v.standard_id = s.id)
            FROM scale_std s ORDER BY s.id"""))
        # duplicate modules (two picks alike) are folded
        ctx.execute("""UPDATE assessment_standard SET modules = ARRAY(SELECT DISTINCT m FROM unnest(modules) m ORDER BY 1)
                       WHERE cardinality(modules) > 1""")
        rows.append(ctx.execute(f"""
            INSERT INTO assessment_standardversion (id, standard_id, version, status, title, process, content,
                requirements, change_summary, effective_on, review_on, author_id, submitted_at, approved_by_id,
                approved_at, effective_at, superseded_at, return_reason, due_at, created_at, updated_at)
            SELECT v.id, v.standard_id, v.version, v.status, st.title, {pick(PROCESS, 'v.id', 1118)},
                   {pick(CONTENT, 'v.id', 1119)}, {pick(REQUIREMENTS, 'v.id', 1120)},
                   CASE WHEN v.version > 1 THEN {pick(CHANGES, 'v.id', 1121)} ELSE '' END,
                   v.effective_on, v.review_on, v.owner_id, v.submitted_at,
                   CASE WHEN v.approved_at IS NOT NULL THEN v.approver_id END, v.approved_at, v.effective_at,
                   v.superseded_at, '', NULL, v.created_at,
                   greatest(v.created_at, v.submitted_at, v.approved_at, v.effective_at, v.superseded_at, v.withdrawn_at)
            FROM scale_ver v JOIN assessment_standard st ON st.id = v.standard_id ORDER BY v.id"""))
        ctx.execute("""
            UPDATE assessment_standard s SET current_version_id = v.id, next_review_on = v.review_on
            FROM scale_ver v WHERE v.standard_id = s.id AND v.status = 'effective'""")
        # The departments a standard applies to: none (every department) for most, one or two for the others.
        keys = ctx.shared["assessment"]["n_dept"]
        rows.append(ctx.execute(f"""
            INSERT INTO assessment_standard_departments (standard_id, department_id)
            SELECT DISTINCT s.id, m.dept_id
            FROM scale_std s CROSS JOIN generate_series(1, 2) j
            JOIN scale_qc_manager m ON m.k = 1 + floor({rnd('s.g * 3 + j', 1122)} * {keys})::int
            WHERE {rnd('s.g', 1123)} < 0.4 AND (j = 1 OR {rnd('s.g', 1124)} < 0.5)"""))

    review_lead = clock_lead_days(_model("StandardVersion"), "standard_review", default=10)
    approval = _policy("assessment.standardversion", "standard_approval")
    qdept = qc["quality_dept"] or "NULL"
    first_deadline = ctx.next_id("sla_deadline")
    with ctx.step("standard clocks and timeline") as rows:
        title = "s.number || ' v' || v.version || ' ' || s.title"
        rows.append(ctx.execute(_policy_deadlines(
            ctx, policy=approval, content_type=ct_ver, stage="standard_approval",
            rows="scale_ver v JOIN assessment_standard s ON s.id = v.standard_id", record="v.id", title=title,
            url=f"{lit(ver_url)} || v.id || '/'", owner="NULL", department=str(qdept), started="v.submitted_at",
            completed="v.approved_at", running="v.status = 'review'", now=now)
            + " WHERE v.submitted_at IS NOT NULL ORDER BY v.id"))
        rows.append(ctx.execute(date_clock_deadlines(
            ctx, content_type=ct_ver, stage="standard_review", lead=review_lead, record="v.id", due_date="v.review_on",
            rows="scale_ver v JOIN assessment_standard s ON s.id = v.standard_id", title=f"left({title}, 200)",
            url=f"{lit(ver_url)} || v.id || '/'", owner="s.owner_id", department=str(qdept), started="v.effective_at",
            completed="v.superseded_at", running="v.status = 'effective'", now=now)
            + " WHERE v.status IN ('effective', 'superseded') ORDER BY v.id"))
        rows.append(ctx.execute(f"""
            UPDATE assessment_standardversion v SET due_at = d.due_at FROM sla_deadline d
            WHERE d.id >= {first_deadline} AND d.content_type_id = {ct_ver} AND d.object_id = v.id
                AND d.state = 'running'"""))
        rows.append(ctx.execute(f"""
            {EVENT}
            SELECT {ct_std}, s.id, 'created', '', '', '', '[]'::jsonb, '{{}}'::jsonb, 'user', s.owner_id, '', 'page', '',
                   s.created_at
            FROM scale_std s ORDER BY s.created_at"""))
        rows.append(ctx.execute(f"""
            {EVENT}
            SELECT {ct_ver}, v.id, e.kind, e.action, e.from_state, e.to_state, '[]'::jsonb, '{{}}'::jsonb,
                   CASE WHEN e.actor IS NULL THEN 'system' ELSE 'user' END, e.actor, '', 'page', '', e.at
            FROM scale_ver v
            CROSS JOIN LATERAL (VALUES
                ('created', '', '', 'draft', v.owner_id, v.created_at),
                ('transition', 'submit', 'draft', 'review', v.owner_id, v.submitted_at),
                ('transition', 'approve', 'review', 'approved', v.approver_id, v.approved_at),
                ('transition', 'activate', 'approved', 'effective', NULL, v.effective_at),
                ('transition', 'supersede', 'effective', 'superseded', NULL, v.superseded_at),
                ('transition', 'withdraw', 'draft', 'withdrawn', v.owner_id, v.withdrawn_at)
            ) AS e(kind, action, from_state, to_state, actor, at)
            WHERE e.at IS NOT NULL ORDER BY e.at"""))


def _model(name: str):
    from django.apps import apps

    return apps.get_model("assessment", name)


# --- QC-2 checklists, plans, inspections ----------------------------------------------------------------


def _checklists(ctx: ScaleContext) -> None:
    qc = ctx.shared["assessment"]
    n = ctx.count(300, minimum=10)
    first = ctx.next_id("assessment_checklist")
    n_std = ctx.scalar("SELECT COUNT(*) FROM scale_std")
    with ctx.step("checklists and items (QC-2)") as rows:
        ctx.execute(f"""
            DROP TABLE IF EXISTS scale_chk; CREATE TEMP TABLE scale_chk ON COMMIT DROP AS
            SELECT g, {first} + g - 1 AS id, ({text_array(MODULES)})[1 + (g - 1) % 5] AS module,
                   3 + floor({rnd('g', 1201)} * 3)::int AS n_items, g <= 5 OR {rnd('g', 1202)} < 0.9 AS active,
                   {_pick_int(qc['quality'], 'g', 1203)} AS owner_id,
                   {lit(ctx.start.isoformat())}::timestamptz + (g::float / {n}) * 0.5
                       * ({now_sql(ctx)} - {lit(ctx.start.isoformat())}::timestamptz) AS created_at
            FROM generate_series(1, {n}) g;
            CREATE UNIQUE INDEX ON scale_chk (id); ANALYZE scale_chk""")
        labels = "CASE " + " ".join(f"WHEN c.module = {lit(m)} THEN {lit(label)}" for m, label in MODULE_LABELS.items())
        rows.append(ctx.execute(f"""
            INSERT INTO assessment_checklist (id, name, module, owner_id, active, description, created_at, updated_at)
            SELECT c.id, ({labels} END) || '检查表' || CASE WHEN c.g > 5 THEN ' ' || c.g ELSE '' END, c.module,
                   c.owner_id, c.active, '', c.created_at, c.created_at
            FROM scale_chk c ORDER BY c.id"""))
        rows.append(ctx.execute(f"""
            INSERT INTO assessment_checklistitem (checklist_id, position, text, kind, standard_id, standard_version_id,
                guidance, active)
            SELECT c.id, j, CASE WHEN j % 2 = 1 THEN {pick(ITEMS_PROCESS, 'c.g * 10 + j', 1204)}
                                 ELSE {pick(ITEMS_COMPLIANCE, 'c.g * 10 + j', 1204)} END,
                   CASE WHEN j % 2 = 1 THEN 'process' ELSE 'compliance' END, s.id, st.current_version_id,
                   '对照标准逐条核对记录。', TRUE
            FROM scale_chk c CROSS JOIN generate_series(1, c.n_items) j
            JOIN scale_std s ON s.g = 1 + floor({rnd('c.g * 10 + j', 1205)} * {n_std})::int
            JOIN assessment_standard st ON st.id = s.id
            ORDER BY c.id, j"""))
        rows.append(ctx.execute("""
            INSERT INTO assessment_checklist_created_from (checklist_id, standard_id)
            SELECT DISTINCT checklist_id, standard_id FROM assessment_checklistitem i
            JOIN scale_chk c ON c.id = i.checklist_id WHERE standard_id IS NOT NULL"""))


def _inspections(ctx: ScaleContext) -> None:
    now = now_sql(ctx)
    tz = lit(ctx.tz)
    qc = ctx.shared["assessment"]
    n_dept = qc["n_dept"]
    first_plan, first = ctx.next_id("assessment_inspectionplan"), ctx.next_id("assessment_inspection")
    n_plans = min(ctx.count(200, minimum=6), n_dept * len(MODULES))
    n_spot = ctx.count(8_000, minimum=12)
    officers = qc["officers"]
    today = f"({now} AT TIME ZONE {tz})::date"
    with ctx.step("inspection plans and inspections (QC-2)") as rows:
        # Plans: distinct (department, module) pairs, started in the first years of the window.
        ctx.execute(f"""
            DROP TABLE IF EXISTS scale_iplan; CREATE TEMP TABLE scale_iplan ON COMMIT DROP AS
            SELECT g, {first_plan} + g - 1 AS id, m.dept_id, ({text_array(MODULES)})[1 + (g - 1) % 5] AS module,
                   {weighted([("monthly", 80), ("quarterly", 15), ("weekly", 5)], rnd('g', 1301))} AS frequency,
                   2 + floor({rnd('g', 1302)} * 4)::int AS sample_size, {_pick_int(officers, 'g', 1303)} AS inspector_id,
                   date_trunc('month', ({lit(ctx.start.isoformat())}::timestamptz + ({rnd('g', 1304)} * 0.5)
                       * ({now} - {lit(ctx.start.isoformat())}::timestamptz)) AT TIME ZONE {tz})::date AS first_on
            FROM generate_series(1, {n_plans}) g
            JOIN scale_qc_manager m ON m.k = 1 + ((g - 1) / 5) % {n_dept};
            ALTER TABLE scale_iplan ADD COLUMN checklist_id bigint, ADD COLUMN step interval;
            UPDATE scale_iplan p SET step = CASE p.frequency WHEN 'weekly' THEN interval '7 days'
                WHEN 'monthly' THEN interval '1 month' ELSE interval '3 months' END,
                checklist_id = (SELECT c.id FROM scale_chk c WHERE c.module = p.module AND c.active
                                ORDER BY c.g OFFSET floor({rnd('p.g', 1305)} * (SELECT COUNT(*) FROM scale_chk c2
                                    WHERE c2.module = p.module AND c2.active))::int LIMIT 1);
            ANALYZE scale_iplan""")
        # The scheduled inspections: one per finished period of each plan, created the day after it.
        ctx.execute(f"""
            DROP TABLE IF EXISTS scale_ins; CREATE TEMP TABLE scale_ins ON COMMIT DROP AS
            WITH periods AS (
                SELECT p.id AS plan_id, p.dept_id, p.module, p.checklist_id, p.sample_size, p.inspector_id,
                       'scheduled' AS kind, ps::date AS period_start, ((ps + p.step)::date - 1) AS period_end
                FROM scale_iplan p CROSS JOIN LATERAL generate_series(p.first_on::timestamp,
                    ({today} - 1)::timestamp, p.step) ps
                WHERE (ps + p.step)::date - 1 < {today}
            ), spots AS (
                SELECT NULL::bigint AS plan_id, m.dept_id, ({text_array(MODULES)})[1 + floor({rnd('g', 1306)} * 5)::int] AS module,
                       NULL::bigint AS checklist_id, 3 + floor({rnd('g', 1307)} * 6)::int AS sample_size,
                       {_pick_int(officers, 'g', 1308)} AS inspector_id, 'spot' AS kind,
                       x.period_start, least(x.period_start + 14 + floor(60 * {rnd('g', 1309)})::int, {today} - 1) AS period_end
                FROM generate_series(1, {n_spot}) g
                JOIN scale_qc_manager m ON m.k = 1 + floor({rnd('g', 1310)} * {n_dept})::int
                CROSS JOIN LATERAL (SELECT ({lit(ctx.start.isoformat())}::timestamptz + (g - 1 + {rnd('g', 1311)})
                    / {n_spot} * ({now} - interval '3 days' - {lit(ctx.start.isoformat())}::timestamptz))
                    AT TIME ZONE {tz} AS at) w
                CROSS JOIN LATERAL (SELECT least(w.at::date, {today} - 2) AS period_start) x
            )
            SELECT row_number() OVER (ORDER BY period_end, kind, plan_id, dept_id) AS g, a.*
            FROM (SELECT * FROM periods UNION ALL SELECT * FROM spots) a;
            ALTER TABLE scale_ins ADD COLUMN id bigint, ADD COLUMN created_at timestamptz, ADD COLUMN due_on date,
                ADD COLUMN status text, ADD COLUMN started_at timestamptz, ADD COLUMN completed_at timestamptz,
                ADD COLUMN cancelled_at timestamptz, ADD COLUMN number text, ADD COLUMN age double precision;
            UPDATE scale_ins i SET id = {first} + i.g - 1,
                checklist_id = coalesce(i.checklist_id, (SELECT c.id FROM scale_chk c WHERE c.module = i.module
                    AND c.active ORDER BY c.g LIMIT 1)),
                created_at = least(((i.period_end + 1 + CASE WHEN i.kind = 'spot' THEN floor(3 * {rnd('i.g', 1312)})::int
                                    ELSE 0 END) + time '08:00') AT TIME ZONE {tz}, {now} - interval '1 hour');
            UPDATE scale_ins i SET due_on = (i.created_at AT TIME ZONE {tz})::date + 10 + floor(10 * {rnd('i.g', 1313)})::int,
                age = extract(epoch FROM {now} - i.created_at) / 86400;
            UPDATE scale_ins i SET status = CASE
                WHEN i.age < 3 THEN {weighted([("planned", 60), ("in_progress", 40)], rnd('i.g', 1314))}
                WHEN i.age < 20 THEN {weighted([("planned", 10), ("in_progress", 40), ("completed", 47), ("cancelled", 3)],
                                               rnd('i.g', 1314))}
                ELSE {weighted([("in_progress", 0.3), ("completed", 96.7), ("cancelled", 3)], rnd('i.g', 1314))} END;
            UPDATE scale_ins i SET started_at = CASE WHEN i.status IN ('in_progress', 'completed')
                    THEN {after('i.created_at', f"0.5 + 4 * {rnd('i.g', 1315)}", 0.4, now)} END;
            UPDATE scale_ins i SET completed_at = {after('i.started_at', f"1 + 12 * power({rnd('i.g', 1316)}, 2)", 0.5, now)}
            WHERE i.status = 'completed';
            UPDATE scale_ins i SET cancelled_at = {after('i.created_at', f"1 + 3 * {rnd('i.g', 1317)}", 0.5, now)}
            WHERE i.status = 'cancelled';
            UPDATE scale_ins i SET number = 'INS-' || y.year || '-' || lpad(y.k::text, 6, '0')
            FROM (SELECT g, extract(year FROM created_at AT TIME ZONE {tz})::int AS year,
                         row_number() OVER (PARTITION BY extract(year FROM created_at AT TIME ZONE {tz})
                                            ORDER BY created_at, g) AS k FROM scale_ins) y
            WHERE y.g = i.g;
            CREATE UNIQUE INDEX ON scale_ins (id); ANALYZE scale_ins""")
        rows.append(ctx.execute(f"""
            INSERT INTO assessment_inspectionplan (id, title, department_id, module, checklist_id, frequency, sample_size,
                inspector_id, next_run_on, last_run_on, active, created_by_id, created_at, updated_at)
            SELECT p.id, d.name || ' ' || {_module_label('p.module')} || CASE p.frequency WHEN 'weekly' THEN '每周'
                       WHEN 'monthly' THEN '每月' ELSE '每季度' END || '检查',
                   p.dept_id, p.module, p.checklist_id, p.frequency, p.sample_size, p.inspector_id,
                   coalesce((SELECT (max(i.period_end) + 1) + (p.step - interval '1 day') FROM scale_ins i
                             WHERE i.plan_id = p.id)::date + 1, p.first_on),
                   (SELECT max(i.created_at AT TIME ZONE {tz})::date FROM scale_ins i WHERE i.plan_id = p.id),
                   {rnd('p.g', 1318)} < 0.95, p.inspector_id,
                   {lit(ctx.start.isoformat())}::timestamptz, {now} - interval '30 days'
            FROM scale_iplan p JOIN org_department d ON d.id = p.dept_id ORDER BY p.id"""))
        rows.append(ctx.execute(f"""
            INSERT INTO assessment_inspection (id, number, kind, plan_id, department_id, module, checklist_id,
                period_start, period_end, sample_size, seed, recheck_only, inspector_id, status, due_on, title, summary,
                pass_count, fail_count, na_count, cancel_reason, created_by_id, started_at, completed_at, due_at,
                created_at, updated_at)
            SELECT i.id, i.number, i.kind, i.plan_id, i.dept_id, i.module, i.checklist_id, i.period_start, i.period_end,
                   i.sample_size, (hashint8extended(i.id, 1319) & 9007199254740991), FALSE, i.inspector_id, i.status,
                   i.due_on,
                   left(d.name || ' ' || {_module_label('i.module')} || CASE WHEN i.kind = 'spot' THEN '不定期抽查'
                        ELSE '定期检查' END || ' ' || to_char(i.period_start, 'YYYY-MM-DD') || '~'
                        || to_char(i.period_end, 'YYYY-MM-DD'), 200),
                   CASE WHEN i.status = 'completed' THEN {pick(SUMMARIES, 'i.g', 1320)} ELSE '' END, 0, 0, 0,
                   CASE WHEN i.status = 'cancelled' THEN {pick(INSPECTION_CANCEL, 'i.g', 1321)} ELSE '' END,
                   CASE WHEN i.kind = 'spot' THEN i.inspector_id END, i.started_at, i.completed_at, NULL, i.created_at,
                   coalesce(i.completed_at, i.cancelled_at, i.started_at, i.created_at)
            FROM scale_ins i JOIN org_department d ON d.id = i.dept_id ORDER BY i.id"""))
        # A recheck-only spot check of visits (VIS-2) now and then: the first and every seventh after it.
        ctx.execute("""UPDATE assessment_inspection a SET recheck_only = TRUE
                       FROM (SELECT i.id, row_number() OVER (ORDER BY i.id) AS n FROM scale_ins i
                             WHERE i.kind = 'spot' AND i.module = 'visits') v
                       WHERE a.id = v.id AND v.n % 7 = 1""")


def _module_label(expr: str) -> str:
    return "(CASE " + " ".join(f"WHEN {expr} = {lit(m)} THEN {lit(label)}" for m, label in MODULE_LABELS.items()) + " END)"


def _draw_samples(ctx: ScaleContext) -> None:
    """``scale_pick (inspection_id, position, object_id)``: each seeded inspection's sample, drawn by
    ``qsm.sampling.sample_of`` from its stored seed over the keys ``qsm.sampling`` gives for its module,
    department and period (the re-check visits for a re-check sample). The keys of a (module, department)
    are read once over every period, each period's found by bisection: one query per pair."""
    import bisect
    from collections import defaultdict

    from qsm import sampling

    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for row in ctx.rows("""SELECT a.id, a.module, a.department_id, a.recheck_only, a.period_start, a.period_end,
                                  a.sample_size, a.seed
                           FROM assessment_inspection a JOIN scale_ins i ON i.id = a.id ORDER BY a.id"""):
        groups[(row[1], row[2], row[3])].append(row)
    picks: list[tuple[int, int, int]] = []
    for (module, department_id, recheck), inspections in groups.items():
        first, last = min(r[4] for r in inspections), max(r[5] for r in inspections)
        keyed = sampling.population(module).keys_by_day(department_id, first, last, recheck_only=recheck)
        days = [d for d, _pk in keyed]
        for inspection_id, _m, _d, _r, start, end, size, seed in inspections:
            candidates = sorted(pk for _d, pk in keyed[bisect.bisect_left(days, start):bisect.bisect_right(days, end)])
            picks += [(inspection_id, n, pk) for n, pk in enumerate(sampling.sample_of(candidates, size, seed), 1)]
    ctx.execute("DROP TABLE IF EXISTS scale_pick; CREATE TEMP TABLE scale_pick (inspection_id bigint, position int, "
                "object_id bigint) ON COMMIT DROP")
    for at in range(0, len(picks), 5_000):
        chunk = picks[at:at + 5_000]
        ctx.execute("INSERT INTO scale_pick VALUES " + ", ".join(["(%s, %s, %s)"] * len(chunk)),
                    [value for pick_ in chunk for value in pick_])
    ctx.execute("ANALYZE scale_pick")


def _samples_and_findings(ctx: ScaleContext) -> None:
    now = now_sql(ctx)
    with ctx.step("sampled records and findings (QC-2)") as rows:
        # What a sampled record shows (number, title, page), for every record of each module.
        parts = []
        for code, (table, date, where, title, app, model, url_name) in POPULATIONS.items():
            ct = ctx.content_type_id(app, model)
            join = "JOIN org_customer c ON c.id = r.customer_id" if "c.name" in title else ""
            parts.append(f"""
                SELECT {lit(code)}::text AS module, r.id, r.number::text AS number, left({title}, 300)::text AS title,
                       {ct} AS ct, {lit(url_prefix(url_name))}::text AS url
                FROM {table} r {join} WHERE {where} AND {date} IS NOT NULL""")
        ctx.execute(f"""
            DROP TABLE IF EXISTS scale_pop; CREATE TEMP TABLE scale_pop ON COMMIT DROP AS
            {' UNION ALL '.join(parts)};
            CREATE UNIQUE INDEX ON scale_pop (module, id); ANALYZE scale_pop""")
        # The samples, drawn as the app draws them (qsm.sampling, from each inspection's stored seed), so that
        # re-drawing a seeded inspection gives its samples (QC-2).
        _draw_samples(ctx)
        first_sample = ctx.next_id("assessment_inspectedrecord")
        ctx.execute(f"""
            DROP TABLE IF EXISTS scale_sample; CREATE TEMP TABLE scale_sample ON COMMIT DROP AS
            SELECT {first_sample} - 1 + row_number() OVER (ORDER BY k.inspection_id, k.position) AS id, k.inspection_id,
                   k.position, p.ct, p.id AS object_id, p.number, p.title, p.url, i.dept_id
            FROM scale_pick k JOIN scale_ins i ON i.id = k.inspection_id
            JOIN scale_pop p ON p.module = i.module AND p.id = k.object_id;
            CREATE UNIQUE INDEX ON scale_sample (id); ANALYZE scale_sample""")
        rows.append(ctx.execute("""
            INSERT INTO assessment_inspectedrecord (id, inspection_id, content_type_id, object_id, number, title, url,
                department_id, position)
            SELECT s.id, s.inspection_id, s.ct, s.object_id, s.number, s.title,
                   CASE WHEN s.url = '' THEN '' ELSE s.url || s.object_id || '/' END, s.dept_id, s.position
            FROM scale_sample s ORDER BY s.id"""))
        # Every active item of the checklist on every sampled record: judged when the inspection is completed,
        # about half judged while in progress, none while planned.
        rows.append(ctx.execute(f"""
            INSERT INTO assessment_finding (sample_id, inspection_id, item_id, kind, result, comment, judged_by_id,
                judged_at, created_at)
            SELECT s.id, i.id, it.id, it.kind, x.result,
                   CASE WHEN x.result = 'fail' THEN {pick(FAIL_COMMENTS, 's.id * 10 + it.position', 1402)}
                        WHEN x.result = 'pass' THEN {pick(PASS_COMMENTS, 's.id * 10 + it.position', 1403)} ELSE '' END,
                   CASE WHEN x.result <> 'pending' THEN i.inspector_id END,
                   CASE WHEN x.result <> 'pending' THEN i.started_at + (coalesce(i.completed_at, {now}) - i.started_at)
                        * (0.2 + 0.7 * {rnd('s.id * 10 + it.position', 1404)}) END,
                   i.created_at
            FROM scale_sample s JOIN scale_ins i ON i.id = s.inspection_id
            JOIN assessment_checklistitem it ON it.checklist_id = i.checklist_id AND it.active
            CROSS JOIN LATERAL (SELECT CASE
                WHEN i.status = 'completed' OR (i.status = 'in_progress' AND {rnd('s.id * 10 + it.position', 1405)} < 0.5)
                THEN {weighted([("pass", 84), ("fail", 10), ("na", 6)], rnd('s.id * 10 + it.position', 1406))}
                ELSE 'pending' END AS result) x
            ORDER BY s.id, it.position"""))
        ctx.execute("""
            UPDATE assessment_inspection i SET pass_count = c.p, fail_count = c.f, na_count = c.n
            FROM (SELECT inspection_id, COUNT(*) FILTER (WHERE result = 'pass') AS p,
                         COUNT(*) FILTER (WHERE result = 'fail') AS f, COUNT(*) FILTER (WHERE result = 'na') AS n
                  FROM assessment_finding f JOIN scale_ins s ON s.id = f.inspection_id GROUP BY inspection_id) c
            WHERE c.inspection_id = i.id""")

    ct = ctx.content_type_id("assessment", "inspection")
    url = url_prefix("assessment:inspection-detail")
    lead = clock_lead_days(_model("Inspection"), "inspection", default=1)
    first_deadline = ctx.next_id("sla_deadline")  # the updates below read only the rows written here
    with ctx.step("inspection clocks and timeline") as rows:
        rows.append(ctx.execute(date_clock_deadlines(
            ctx, content_type=ct, stage="inspection", lead=lead, record="i.id", due_date="i.due_on",
            rows="scale_ins i JOIN assessment_inspection a ON a.id = i.id", title="left(a.number || ' ' || a.title, 200)",
            url=f"{lit(url)} || i.id || '/'", owner="i.inspector_id",
            department="(SELECT u.department_id FROM org_user u WHERE u.id = i.inspector_id)", started="i.created_at",
            completed="coalesce(i.completed_at, i.cancelled_at)", running="i.status IN ('planned', 'in_progress')",
            now=now) + " ORDER BY i.id"))
        ctx.execute(f"""
            UPDATE sla_deadline d SET state = 'cancelled', overdue_at = NULL FROM scale_ins i
            WHERE d.id >= {first_deadline} AND d.content_type_id = {ct} AND d.object_id = i.id AND i.status = 'cancelled';
            UPDATE assessment_inspection a SET due_at = d.due_at FROM sla_deadline d
            WHERE d.id >= {first_deadline} AND d.content_type_id = {ct} AND d.object_id = a.id AND d.state = 'running'""")
        rows.append(ctx.execute(f"""
            {EVENT}
            SELECT {ct}, i.id, e.kind, e.action, e.from_state, e.to_state, '[]'::jsonb, '{{}}'::jsonb,
                   CASE WHEN e.actor IS NULL THEN 'system' ELSE 'user' END, e.actor, '', 'page', e.comment, e.at
            FROM scale_ins i
            CROSS JOIN LATERAL (VALUES
                ('created', '', '', 'planned', CASE WHEN i.kind = 'spot' THEN i.inspector_id END, i.created_at, ''),
                ('transition', 'start', 'planned', 'in_progress', i.inspector_id, i.started_at, ''),
                ('transition', 'complete', 'in_progress', 'completed', i.inspector_id, i.completed_at, ''),
                ('transition', 'cancel', CASE WHEN i.started_at IS NULL THEN 'planned' ELSE 'in_progress' END,
                 'cancelled', {_pick_int(ctx.shared['assessment']['quality_managers'], 'i.g', 1407)}, i.cancelled_at,
                 {pick(INSPECTION_CANCEL, 'i.g', 1321)})
            ) AS e(kind, action, from_state, to_state, actor, at, comment)
            WHERE e.at IS NOT NULL ORDER BY e.at"""))


# --- QC-3 rectification notices ---------------------------------------------------------------------------


NOTICE_MIX = [
    (30, [("issued", 35), ("rectifying", 40), ("reported", 13), ("closed", 8), ("cancelled", 4)]),
    (90, [("issued", 4), ("rectifying", 18), ("reported", 10), ("closed", 63), ("cancelled", 5)]),
    (None, [("issued", 0.4), ("rectifying", 1.2), ("reported", 0.4), ("closed", 94), ("cancelled", 4)]),
]


def _notices(ctx: ScaleContext) -> None:
    now = now_sql(ctx)
    tz = lit(ctx.tz)
    qc = ctx.shared["assessment"]
    n_total = ctx.count(50_000, minimum=30)
    n_dept = qc["n_dept"]
    first = ctx.next_id("assessment_notice")
    span = (ctx.now - ctx.start).total_seconds()
    with ctx.step("rectification notices (QC-3)") as rows:
        # From failed findings of completed inspections (one notice per failed sample's first failed item, most
        # of them), the rest manual decisions spread over the window.
        ctx.execute(f"""
            DROP TABLE IF EXISTS scale_notice; CREATE TEMP TABLE scale_notice ON COMMIT DROP AS
            WITH failed AS (
                SELECT DISTINCT ON (f.sample_id) f.id AS finding_id, f.inspection_id, s.ct, s.object_id, s.number AS record_number,
                       s.dept_id, i.completed_at, i.inspector_id
                FROM assessment_finding f JOIN scale_sample s ON s.id = f.sample_id JOIN scale_ins i ON i.id = f.inspection_id
                WHERE f.result = 'fail' AND i.status = 'completed' AND s.dept_id IN (SELECT dept_id FROM scale_qc_manager)
                ORDER BY f.sample_id, f.id
            ), from_findings AS (
                SELECT * FROM failed WHERE {rnd('finding_id', 1501)} < 0.85 ORDER BY finding_id LIMIT {n_total * 6 // 10}
            ), src AS (
                SELECT 'finding' AS source, f.finding_id, f.inspection_id, f.ct, f.object_id, f.record_number, f.dept_id,
                       least(f.completed_at + {days(f"0.2 + 2 * {rnd('f.finding_id', 1502)}")}, {now} - interval '1 hour')
                           AS issued_at, f.inspector_id AS issued_by
                FROM from_findings f
                UNION ALL
                SELECT 'manual', NULL, NULL, NULL, NULL, '', m.dept_id,
                       least(({lit(ctx.start.isoformat())}::timestamptz + (d - 1 + {rnd('d', 1503)})
                             * {span} / greatest({n_total} - (SELECT COUNT(*) FROM from_findings), 1) * interval '1 second'),
                             {now} - interval '1 hour'),
                       {_pick_int(qc['officers'], 'd', 1504)}
                FROM generate_series(1, greatest({n_total} - (SELECT COUNT(*) FROM from_findings), 0)) d
                JOIN scale_qc_manager m ON m.k = 1 + floor({rnd('d', 1505)} * {n_dept})::int
            )
            SELECT row_number() OVER (ORDER BY issued_at, source, finding_id) AS g, src.*,
                   extract(epoch FROM {now} - issued_at) / 86400 AS age
            FROM src""")
        n = ctx.scalar("SELECT COUNT(*) FROM scale_notice")
        age_case = "CASE " + " ".join(
            f"WHEN age < {limit} THEN {weighted(mix, rnd('g', 1506))}" for limit, mix in NOTICE_MIX if limit is not None
        ) + f" ELSE {weighted(NOTICE_MIX[-1][1], rnd('g', 1506))} END"
        newest = ["issued", "issued", "rectifying", "reported", "closed", "cancelled", "rectifying", "reported", "closed",
                  "issued"]
        ctx.execute(f"""
            ALTER TABLE scale_notice ADD COLUMN id bigint, ADD COLUMN status text, ADD COLUMN number text,
                ADD COLUMN deadline date, ADD COLUMN rejected int, ADD COLUMN rounds int, ADD COLUMN plan_state text,
                ADD COLUMN t_plan timestamptz, ADD COLUMN t_start timestamptz, ADD COLUMN t_report1 timestamptz,
                ADD COLUMN t_reopen timestamptz, ADD COLUMN t_report timestamptz, ADD COLUMN t_end timestamptz,
                ADD COLUMN author_id bigint, ADD COLUMN manager_id bigint, ADD COLUMN verifier_id bigint;
            UPDATE scale_notice SET id = {first} + g - 1, status = {age_case},
                deadline = (issued_at AT TIME ZONE {tz})::date + 14 + floor(16 * {rnd('g', 1507)})::int;
            -- the newest cover every state; the two oldest open ones stayed overdue
            UPDATE scale_notice SET status = ({text_array(newest)})[{n} - g + 1] WHERE g > {n} - {len(newest)};
            UPDATE scale_notice SET status = (ARRAY['rectifying', 'issued'])[g] WHERE g <= 2;
            UPDATE scale_notice SET
                rejected = CASE WHEN g = {n} - 6 OR {rnd('g', 1508)} < 0.15 THEN 1 ELSE 0 END,
                rounds = CASE WHEN status IN ('rectifying', 'reported', 'closed')
                              AND (g = {n} - 6 OR g = {n} - 8 OR {rnd('g', 1509)} < 0.08) THEN 2 ELSE 1 END,
                plan_state = CASE WHEN status = 'issued' THEN {weighted([("none", 40), ("draft", 25), ("submitted", 35)],
                                                                        rnd('g', 1510))}
                                  WHEN status = 'cancelled' THEN {weighted([("none", 60), ("cancelled", 40)], rnd('g', 1510))}
                                  ELSE 'approved' END;
            UPDATE scale_notice SET plan_state = 'submitted' WHERE g = {n} - 9;
            UPDATE scale_notice SET rejected = 0 WHERE plan_state IN ('none', 'cancelled');
            UPDATE scale_notice t SET author_id = coalesce(s.user_id, m.manager_id), manager_id = m.manager_id,
                verifier_id = {_pick_int(qc['officers'], 't.g', 1511)}
            FROM scale_qc_manager m LEFT JOIN scale_staff s ON s.dept_id = m.dept_id
                AND s.n = 1 + floor({rnd('m.dept_id', 1512)} * m.n_staff)::int
            WHERE m.dept_id = t.dept_id;
            UPDATE scale_notice SET t_plan = {after('issued_at', f"0.5 + 3 * {rnd('g', 1513)}", 0.3, now)}
            WHERE plan_state <> 'none';
            UPDATE scale_notice SET t_start = {after('t_plan', f"1 + 4 * {rnd('g', 1514)} + 3 * rejected", 0.3, now)}
            WHERE status IN ('rectifying', 'reported', 'closed');
            UPDATE scale_notice SET t_report1 = {after('t_start', f"3 + 20 * {rnd('g', 1515)}", 0.4, now)}
            WHERE status IN ('reported', 'closed') OR rounds = 2;
            UPDATE scale_notice SET t_reopen = {after('t_report1', f"1 + 3 * {rnd('g', 1516)}", 0.3, now)} WHERE rounds = 2;
            UPDATE scale_notice SET t_report = CASE WHEN rounds = 1 THEN t_report1 WHEN status IN ('reported', 'closed')
                THEN {after('t_reopen', f"2 + 10 * {rnd('g', 1517)}", 0.4, now)} END;
            UPDATE scale_notice SET t_end = CASE
                WHEN status = 'closed' THEN {after('t_report', f"0.5 + 4 * {rnd('g', 1518)}", 0.5, now)}
                WHEN status = 'cancelled' THEN {after('coalesce(t_plan, issued_at)', f"1 + 5 * {rnd('g', 1519)}", 0.4, now)} END;
            UPDATE scale_notice s SET number = 'RN-' || y.year || '-' || lpad(y.k::text, 6, '0')
            FROM (SELECT g, extract(year FROM issued_at AT TIME ZONE {tz})::int AS year,
                         row_number() OVER (PARTITION BY extract(year FROM issued_at AT TIME ZONE {tz}) ORDER BY g) AS k
                  FROM scale_notice) y WHERE y.g = s.g;
            CREATE UNIQUE INDEX ON scale_notice (id); ANALYZE scale_notice""")
        qm = qc["quality_managers"]
        rows.append(ctx.execute(f"""
            INSERT INTO assessment_notice (id, number, department_id, source, finding_id, inspection_id, content_type_id,
                object_id, record_number, title, requirement, deadline, issued_by_id, issued_at, status, round,
                completion_note, completed_at, completed_by_id, verified_by_id, verified_at, verification_note,
                reopen_reason, cancel_reason, closed_at, due_at, created_at, updated_at)
            SELECT t.id, t.number, t.dept_id, t.source, t.finding_id, t.inspection_id, t.ct, t.object_id, t.record_number,
                   CASE WHEN t.record_number <> '' THEN t.record_number || ' ' ELSE '' END || {pick(NOTICE_TITLES, 't.g', 1520)},
                   {pick(REQUIREMENT_TEXTS, 't.g', 1521)}, t.deadline, t.issued_by, t.issued_at, t.status, t.rounds,
                   CASE WHEN t.t_report IS NOT NULL THEN {pick(COMPLETION_NOTES, 't.g', 1522)} ELSE '' END, t.t_report,
                   CASE WHEN t.t_report IS NOT NULL THEN t.author_id END,
                   CASE WHEN t.status = 'closed' THEN t.verifier_id END, CASE WHEN t.status = 'closed' THEN t.t_end END,
                   CASE WHEN t.status = 'closed' THEN {pick(VERIFY_NOTES, 't.g', 1523)} ELSE '' END,
                   CASE WHEN t.rounds = 2 THEN {pick(REOPEN_REASONS, 't.g', 1524)} ELSE '' END,
                   CASE WHEN t.status = 'cancelled' THEN {pick(CANCEL_REASONS, 't.g', 1525)} ELSE '' END,
                   CASE WHEN t.status = 'closed' THEN t.t_end END, NULL, t.issued_at,
                   coalesce(t.t_end, t.t_report, t.t_reopen, t.t_report1, t.t_start, t.t_plan, t.issued_at)
            FROM scale_notice t ORDER BY t.id"""))
        ctx.shared["assessment"]["cancel_by"] = _pick_int(qm, "t.g", 1526)


def _plans_and_measures(ctx: ScaleContext) -> None:
    now = now_sql(ctx)
    first = ctx.next_id("assessment_rectificationplan")
    with ctx.step("rectification plans and measures") as rows:
        ctx.execute(f"""
            DROP TABLE IF EXISTS scale_rplan; CREATE TEMP TABLE scale_rplan ON COMMIT DROP AS
            SELECT t.id AS notice_id, t.g, v AS version, t.dept_id, t.author_id, t.manager_id,
                   CASE WHEN t.rejected = 1 AND v = 1 THEN 'rejected' ELSE t.plan_state END AS status,
                   t.t_plan + (coalesce(t.t_start, t.t_end, {now}) - t.t_plan) * ((v - 1)::float / (1 + t.rejected))
                       AS created_at,
                   t.t_plan + (coalesce(t.t_start, t.t_end, {now}) - t.t_plan) * ((v - 0.6) / (1 + t.rejected)) AS submitted_at,
                   t.t_plan + (coalesce(t.t_start, t.t_end, {now}) - t.t_plan) * ((v - 0.1) / (1 + t.rejected)) AS decided_at,
                   t.deadline, t.status AS notice_status, t.t_report, t.t_start,
                   1 + floor({rnd('t.g * 3 + v', 1601)} * 3)::int AS n_measures
            FROM scale_notice t CROSS JOIN LATERAL generate_series(1, 1 + t.rejected) v
            WHERE t.plan_state <> 'none';
            ALTER TABLE scale_rplan ADD COLUMN id bigint;
            UPDATE scale_rplan p SET id = {first} + x.n - 1
            FROM (SELECT notice_id, version, row_number() OVER (ORDER BY created_at, notice_id, version) AS n
                  FROM scale_rplan) x WHERE x.notice_id = p.notice_id AND x.version = p.version;
            UPDATE scale_rplan SET decided_at = t_start WHERE status = 'approved' AND t_start IS NOT NULL;
            CREATE UNIQUE INDEX ON scale_rplan (id); ANALYZE scale_rplan""")
        rows.append(ctx.execute(f"""
            INSERT INTO assessment_rectificationplan (id, notice_id, version, round, status, cause, author_id, submitted_at,
                decided_by_id, decided_at, reject_reason, department_id, due_at, created_at, updated_at)
            SELECT p.id, p.notice_id, p.version, 1, p.status, {pick(CAUSES, 'p.g + p.version', 1602)}, p.author_id,
                   CASE WHEN p.status IN ('submitted', 'approved', 'rejected') THEN p.submitted_at END,
                   CASE WHEN p.status IN ('approved', 'rejected') THEN p.manager_id END,
                   CASE WHEN p.status IN ('approved', 'rejected') THEN p.decided_at END,
                   CASE WHEN p.status = 'rejected' THEN {pick(REJECT_REASONS, 'p.g', 1603)} ELSE '' END,
                   p.dept_id, NULL, p.created_at,
                   CASE WHEN p.status IN ('approved', 'rejected') THEN p.decided_at
                        WHEN p.status = 'submitted' THEN p.submitted_at ELSE p.created_at END
            FROM scale_rplan p ORDER BY p.id"""))
        rows.append(ctx.execute(f"""
            INSERT INTO assessment_rectificationmeasure (plan_id, position, description, owner_id, due_on, done, done_at)
            SELECT p.id, j, {pick(MEASURE_TEXTS, 'p.g * 5 + j', 1604)}, coalesce(o.user_id, p.author_id),
                   least(p.deadline, (p.created_at::date + 5 + 4 * j)), x.done,
                   CASE WHEN x.done THEN least(coalesce(p.t_report, {now}) - interval '1 hour',
                       p.decided_at + (coalesce(p.t_report, {now}) - p.decided_at) * 0.8) END
            FROM scale_rplan p CROSS JOIN generate_series(1, p.n_measures) j
            JOIN scale_qc_manager m ON m.dept_id = p.dept_id
            LEFT JOIN scale_staff o ON o.dept_id = p.dept_id AND o.n = 1 + floor({rnd('p.g * 3 + j', 1605)} * m.n_staff)::int
            CROSS JOIN LATERAL (SELECT p.status = 'approved' AND (p.notice_status IN ('reported', 'closed')
                OR (p.notice_status = 'rectifying' AND j = 1 AND {rnd('p.g', 1606)} < 0.5)) AS done) x
            ORDER BY p.id, j"""))


def _notice_clocks_and_timeline(ctx: ScaleContext) -> None:
    now = now_sql(ctx)
    tz = lit(ctx.tz)
    qc = ctx.shared["assessment"]
    ct = ctx.content_type_id("assessment", "notice")
    ct_plan = ctx.content_type_id("assessment", "rectificationplan")
    url = url_prefix("assessment:notice-detail")
    plan_url = url_prefix("assessment:rectification-plan-detail")
    lead = clock_lead_days(_model("Notice"), "rectification", default=2)
    qdept = qc["quality_dept"] or "NULL"
    first_deadline = ctx.next_id("sla_deadline")  # the updates below read only the rows written here
    with ctx.step("notice and plan clocks, timelines") as rows:
        title = "t.number || ' ' || a.title"
        # The rectification clock: round 1 from issue to the first report; round 2 from the reopening.
        base = date_clock_deadlines(
            ctx, content_type=ct, stage="rectification", lead=lead, record="t.id", due_date="t.deadline",
            rows="scale_notice t JOIN assessment_notice a ON a.id = t.id", title=f"left({title}, 200)",
            url=f"{lit(url)} || t.id || '/'", owner="NULL", department="t.dept_id", started="{started}",
            completed="{completed}", running="{running}", now=now)
        # a cancelled notice's clock is cancelled (not met or late)
        base = base.replace("CASE WHEN {running} THEN 'running'",
                            "CASE WHEN t.status = 'cancelled' THEN 'cancelled' WHEN {running} THEN 'running'")
        assert "'cancelled' WHEN {running}" in base
        rows.append(ctx.execute(
            base.replace("{started}", "t.issued_at").replace("{completed}", "coalesce(t.t_report1, t.t_end)")
            .replace("{running}", "(t.status IN ('issued', 'rectifying') AND t.rounds = 1)") + " ORDER BY t.id"))
        rows.append(ctx.execute(
            base.replace("{started}", "t.t_reopen").replace("{completed}", "coalesce(t.t_report, t.t_end)")
            .replace("{running}", "t.status = 'rectifying'") + " WHERE t.rounds = 2 ORDER BY t.id"))
        verification = _policy("assessment.notice", "verification")
        rows.append(ctx.execute(_policy_deadlines(
            ctx, policy=verification, content_type=ct, stage="verification", rows="scale_notice t JOIN assessment_notice a ON a.id = t.id",
            record="t.id", title=title, url=f"{lit(url)} || t.id || '/'", owner="NULL", department=str(qdept),
            started="t.t_report1", completed="coalesce(t.t_reopen, t.t_end)",
            running="(t.status = 'reported' AND t.rounds = 1)", now=now) + " WHERE t.t_report1 IS NOT NULL ORDER BY t.id"))
        rows.append(ctx.execute(_policy_deadlines(
            ctx, policy=verification, content_type=ct, stage="verification", rows="scale_notice t JOIN assessment_notice a ON a.id = t.id",
            record="t.id", title=title, url=f"{lit(url)} || t.id || '/'", owner="NULL", department=str(qdept),
            started="t.t_report", completed="t.t_end", running="t.status = 'reported'", now=now)
            + " WHERE t.rounds = 2 AND t.t_report IS NOT NULL ORDER BY t.id"))
        approval = _policy("assessment.rectificationplan", "rectification_approval")
        rows.append(ctx.execute(_policy_deadlines(
            ctx, policy=approval, content_type=ct_plan, stage="rectification_approval",
            rows="scale_rplan p JOIN scale_notice t ON t.id = p.notice_id", record="p.id",
            title="t.number || ' v' || p.version", url=f"{lit(plan_url or url)} || "
            + ("p.id" if plan_url else "t.id") + " || '/'", owner="NULL", department="p.dept_id",
            started="p.submitted_at", completed="coalesce(p.decided_at, t.t_end)", running="p.status = 'submitted'",
            now=now) + " WHERE p.status IN ('submitted', 'approved', 'rejected') ORDER BY p.id"))
        ctx.execute(f"""
            UPDATE assessment_notice a SET due_at = d.due FROM (
                SELECT object_id, min(due_at) AS due FROM sla_deadline
                WHERE id >= {first_deadline} AND content_type_id = {ct} AND state = 'running'
                GROUP BY object_id) d WHERE d.object_id = a.id;
            UPDATE assessment_rectificationplan a SET due_at = d.due_at FROM sla_deadline d
            WHERE d.id >= {first_deadline} AND d.content_type_id = {ct_plan} AND d.object_id = a.id
                AND d.state = 'running'""")
        cancel_by = qc["cancel_by"]
        rows.append(ctx.execute(f"""
            {EVENT}
            SELECT {ct}, t.id, e.kind, e.action, e.from_state, e.to_state, '[]'::jsonb, '{{}}'::jsonb,
                   CASE WHEN e.actor IS NULL THEN 'system' ELSE 'user' END, e.actor, '', 'page', e.comment, e.at
            FROM scale_notice t JOIN assessment_notice a ON a.id = t.id
            CROSS JOIN LATERAL (VALUES
                ('created', '', '', 'issued', t.issued_by, t.issued_at, ''),
                ('transition', 'start', 'issued', 'rectifying', NULL, t.t_start, ''),
                ('transition', 'report', 'rectifying', 'reported', t.author_id, t.t_report1, ''),
                ('transition', 'reopen', 'reported', 'rectifying', t.verifier_id, t.t_reopen, a.reopen_reason),
                ('transition', 'report', 'rectifying', 'reported', t.author_id,
                 CASE WHEN t.rounds = 2 THEN t.t_report END, ''),
                ('transition', 'verify', 'reported', 'closed', t.verifier_id,
                 CASE WHEN t.status = 'closed' THEN t.t_end END, ''),
                ('transition', 'cancel', CASE WHEN t.t_start IS NULL THEN 'issued' ELSE 'rectifying' END, 'cancelled',
                 {cancel_by}, CASE WHEN t.status = 'cancelled' THEN t.t_end END, a.cancel_reason)
            ) AS e(kind, action, from_state, to_state, actor, at, comment)
            WHERE e.at IS NOT NULL ORDER BY e.at"""))
        rows.append(ctx.execute(f"""
            {EVENT}
            SELECT {ct_plan}, p.id, e.kind, e.action, e.from_state, e.to_state, '[]'::jsonb, '{{}}'::jsonb,
                   CASE WHEN e.actor IS NULL THEN 'system' ELSE 'user' END, e.actor, '', 'page', e.comment, e.at
            FROM scale_rplan p JOIN assessment_rectificationplan r ON r.id = p.id JOIN scale_notice t ON t.id = p.notice_id
            CROSS JOIN LATERAL (VALUES
                ('created', '', '', 'draft', p.author_id, p.created_at, ''),
                ('transition', 'submit', 'draft', 'submitted', p.author_id, r.submitted_at, ''),
                ('transition', CASE WHEN p.status = 'rejected' THEN 'reject' ELSE 'approve' END, 'submitted', p.status,
                 p.manager_id, r.decided_at, r.reject_reason),
                ('transition', 'cancel', CASE WHEN r.submitted_at IS NULL THEN 'draft' ELSE 'submitted' END, 'cancelled',
                 NULL, CASE WHEN p.status = 'cancelled' THEN t.t_end END, '')
            ) AS e(kind, action, from_state, to_state, actor, at, comment)
            WHERE e.at IS NOT NULL ORDER BY e.at"""))
    del tz


# --- QC-5 training -------------------------------------------------------------------------------------


def _training(ctx: ScaleContext) -> None:
    now = now_sql(ctx)
    tz = lit(ctx.tz)
    qc = ctx.shared["assessment"]
    first_plan, first = ctx.next_id("assessment_trainingplan"), ctx.next_id("assessment_trainingsession")
    n_sessions = ctx.count(5_000, minimum=12)
    start_year, this_year = ctx.start.year + 1, ctx.now.year
    ct_plan = ctx.content_type_id("assessment", "trainingplan")
    ct = ctx.content_type_id("assessment", "trainingsession")
    n_std = ctx.scalar("SELECT COUNT(*) FROM scale_std")
    with ctx.step("training plans, sessions, attendance (QC-5)") as rows:
        ctx.execute(f"""
            DROP TABLE IF EXISTS scale_tplan; CREATE TEMP TABLE scale_tplan ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY y, m.k) AS g, m.dept_id, m.manager_id, m.n_staff, y AS year,
                   make_date(y, 1, 1) AS period_start, make_date(y, 12, 31) AS period_end
            FROM scale_qc_manager m CROSS JOIN generate_series({start_year}, {this_year}) y;
            ALTER TABLE scale_tplan ADD COLUMN id bigint, ADD COLUMN status text, ADD COLUMN created_at timestamptz;
            UPDATE scale_tplan SET id = {first_plan} + g - 1,
                status = CASE WHEN year < {this_year} THEN 'closed' WHEN g % 9 = 0 THEN 'draft' ELSE 'active' END,
                created_at = (make_date(year - 1, 12, 10) + time '10:00') AT TIME ZONE {tz};
            CREATE UNIQUE INDEX ON scale_tplan (id); ANALYZE scale_tplan""")
        n_plans = ctx.scalar("SELECT COUNT(*) FROM scale_tplan")
        rows.append(ctx.execute(f"""
            INSERT INTO assessment_trainingplan (id, number, title, department_id, period_start, period_end, target_hours,
                topics, owner_id, status, notes, created_at, updated_at)
            SELECT p.id, 'TP-' || p.year || '-' || lpad((row_number() OVER (PARTITION BY p.year ORDER BY p.g))::text, 6, '0'),
                   d.name || ' ' || p.year || '年度培训计划', p.dept_id, p.period_start, p.period_end,
                   (16 + 4 * floor({rnd('p.g', 1701)} * 6))::numeric(6, 1),
                   ARRAY['standards', 'process', 'communication', 'problem_solving']::varchar[], p.manager_id, p.status, '',
                   p.created_at, least({now}, CASE WHEN p.status = 'closed' THEN (make_date(p.year + 1, 1, 5) + time '10:00')
                       AT TIME ZONE {tz} ELSE p.created_at + interval '10 days' END)
            FROM scale_tplan p JOIN org_department d ON d.id = p.dept_id ORDER BY p.id"""))
        # Sessions: spread over the plans' years (a draft plan has none yet); the year's later ones scheduled.
        ctx.execute(f"""
            DROP TABLE IF EXISTS scale_session; CREATE TEMP TABLE scale_session ON COMMIT DROP AS
            SELECT s AS g, p.id AS plan_id, p.g AS plan_g, p.dept_id, p.manager_id, p.n_staff, p.year,
                   ({text_array(TOPICS)})[1 + floor({rnd('s', 1702)} * 4)::int] AS topic,
                   ((p.period_start + floor({rnd('s', 1703)} * 364)::int) + time '14:00') AT TIME ZONE {tz} AS starts_at,
                   (2 + floor({rnd('s', 1704)} * 5)) / 2.0 AS hours
            FROM generate_series(1, {n_sessions}) s
            JOIN scale_tplan p ON p.g = 1 + floor({rnd('s', 1705)} * {n_plans})::int
            WHERE p.status <> 'draft';
            ALTER TABLE scale_session ADD COLUMN id bigint, ADD COLUMN status text, ADD COLUMN trainer_id bigint,
                ADD COLUMN trainer_name text, ADD COLUMN held_at timestamptz, ADD COLUMN cancelled_at timestamptz,
                ADD COLUMN created_at timestamptz, ADD COLUMN number text;
            UPDATE scale_session SET id = {first} - 1 + x.n FROM (SELECT g AS sg, row_number() OVER (ORDER BY starts_at, g) AS n
                FROM scale_session) x WHERE x.sg = g;
            UPDATE scale_session SET
                status = CASE WHEN starts_at > {now} THEN 'scheduled' WHEN {rnd('g', 1706)} < 0.06 THEN 'cancelled'
                              WHEN starts_at > {now} - interval '3 days' AND {rnd('g', 1707)} < 0.5 THEN 'scheduled'
                              ELSE 'held' END,
                trainer_id = CASE WHEN {rnd('g', 1708)} < 0.2 THEN NULL WHEN {rnd('g', 1709)} < 0.5
                                  THEN {_pick_int(qc['quality'], 'g', 1710)} ELSE manager_id END,
                created_at = least(starts_at - interval '14 days', {now} - interval '1 day');
            UPDATE scale_session SET trainer_name = CASE WHEN trainer_id IS NULL THEN {pick(EXTERNAL_TRAINERS, 'g', 1711)}
                                                         ELSE '' END,
                held_at = CASE WHEN status = 'held' THEN least(starts_at + hours * interval '1 hour', {now}) END,
                cancelled_at = CASE WHEN status = 'cancelled' THEN starts_at - interval '2 days' END;
            UPDATE scale_session s SET number = 'PX-' || y.year || '-' || lpad(y.k::text, 6, '0')
            FROM (SELECT g, extract(year FROM created_at AT TIME ZONE {tz})::int AS year,
                         row_number() OVER (PARTITION BY extract(year FROM created_at AT TIME ZONE {tz})
                                            ORDER BY created_at, g) AS k FROM scale_session) y
            WHERE y.g = s.g;
            CREATE UNIQUE INDEX ON scale_session (id); ANALYZE scale_session""")
        titles = "CASE " + " ".join(
            f"WHEN s.topic = {lit(t)} THEN {pick(v, 's.g', 1712)}" for t, v in SESSION_TITLES.items()) + " END"
        rows.append(ctx.execute(f"""
            INSERT INTO assessment_trainingsession (id, number, plan_id, title, topic, trainer_id, trainer_name, starts_at,
                ends_at, hours, place, status, notes, cancel_reason, department_id, held_at, created_at, updated_at)
            SELECT s.id, s.number, s.plan_id, {titles}, s.topic, s.trainer_id, s.trainer_name, s.starts_at,
                   s.starts_at + s.hours * interval '1 hour', s.hours::numeric(5, 1), {pick(PLACES, 's.g', 1713)},
                   s.status, '', CASE WHEN s.status = 'cancelled' THEN {pick(SESSION_CANCEL, 's.g', 1714)} ELSE '' END,
                   s.dept_id, s.held_at, s.created_at, coalesce(s.held_at, s.cancelled_at, s.created_at)
            FROM scale_session s ORDER BY s.id"""))
        rows.append(ctx.execute(f"""
            INSERT INTO assessment_trainingsession_standards (trainingsession_id, standard_id)
            SELECT DISTINCT s.id, st.id FROM scale_session s CROSS JOIN generate_series(1, 2) j
            JOIN scale_std st ON st.g = 1 + floor({rnd('s.g * 3 + j', 1715)} * {n_std})::int
            WHERE s.topic IN ('standards', 'process') AND (j = 1 OR {rnd('s.g', 1716)} < 0.4)"""))
        # Attendees: up to 20 of the department's staff (a different slice each time).
        rows.append(ctx.execute(f"""
            INSERT INTO assessment_attendance (session_id, person_id, attended, score, comment, recorded_by_id, recorded_at)
            SELECT s.id, st.user_id, x.attended,
                   CASE WHEN x.attended AND {rnd('s.g', 1717)} < 0.7
                        THEN (60 + floor(400 * {rnd('s.g * 50 + j', 1718)}) / 10.0)::numeric(5, 1) END,
                   CASE WHEN x.attended IS FALSE THEN '请假' ELSE {pick(ATTEND_COMMENTS[:3], 's.g * 50 + j', 1719)} END,
                   CASE WHEN x.attended IS NOT NULL THEN coalesce(s.trainer_id, s.manager_id) END,
                   CASE WHEN x.attended IS NOT NULL THEN s.held_at + interval '1 day' END
            FROM scale_session s CROSS JOIN generate_series(1, least(s.n_staff, 20)::int) j
            JOIN scale_staff st ON st.dept_id = s.dept_id
                AND st.n = 1 + ((j - 1 + floor({rnd('s.g', 1720)} * s.n_staff)::int) % s.n_staff)
            CROSS JOIN LATERAL (SELECT CASE WHEN s.status = 'held' THEN {rnd('s.g * 50 + j', 1721)} < 0.92 END AS attended) x
            ORDER BY s.id, j"""))
        rows.append(ctx.execute(f"""
            {EVENT}
            SELECT {ct_plan}, p.id, e.kind, e.action, e.from_state, e.to_state, '[]'::jsonb, '{{}}'::jsonb, 'user',
                   p.manager_id, '', 'page', '', e.at
            FROM scale_tplan p
            CROSS JOIN LATERAL (VALUES
                ('created', '', '', 'draft', p.created_at),
                ('transition', 'activate', 'draft', 'active',
                 CASE WHEN p.status <> 'draft' THEN least(p.created_at + interval '10 days', {now}) END),
                ('transition', 'close', 'active', 'closed',
                 CASE WHEN p.status = 'closed' THEN (make_date(p.year + 1, 1, 5) + time '10:00') AT TIME ZONE {tz} END)
            ) AS e(kind, action, from_state, to_state, at)
            WHERE e.at IS NOT NULL ORDER BY e.at"""))
        rows.append(ctx.execute(f"""
            {EVENT}
            SELECT {ct}, s.id, e.kind, e.action, e.from_state, e.to_state, '[]'::jsonb, '{{}}'::jsonb, 'user',
                   coalesce(s.trainer_id, s.manager_id), '', 'page', e.comment, e.at
            FROM scale_session s
            CROSS JOIN LATERAL (VALUES
                ('created', '', '', 'scheduled', s.created_at, ''),
                ('transition', 'hold', 'scheduled', 'held', s.held_at, ''),
                ('transition', 'cancel', 'scheduled', 'cancelled', s.cancelled_at, {pick(SESSION_CANCEL, 's.g', 1714)})
            ) AS e(kind, action, from_state, to_state, at, comment)
            WHERE e.at IS NOT NULL ORDER BY e.at"""))


def _number_sequences(ctx: ScaleContext) -> None:
    """Numbers continue after the seeded ones (the app's yearly sequences)."""
    for prefix, table in (("STD", "assessment_standard"), ("INS", "assessment_inspection"),
                          ("RN", "assessment_notice"), ("TP", "assessment_trainingplan"),
                          ("PX", "assessment_trainingsession")):
        ctx.execute(f"""
            INSERT INTO workflow_numbersequence (prefix, year, last)
            SELECT {lit(prefix)}, split_part(number, '-', 2)::int, MAX(split_part(number, '-', 3)::int)
            FROM {table} WHERE number LIKE {lit(prefix + '-%')} GROUP BY 2
            ON CONFLICT (prefix, year) DO UPDATE SET last = GREATEST(workflow_numbersequence.last, EXCLUDED.last)""")


def report(ctx: ScaleContext) -> list[str]:
    standards, effective, review_due = ctx.rows("""
        SELECT COUNT(*), COUNT(current_version_id), COUNT(*) FILTER (WHERE next_review_on < current_date)
        FROM assessment_standard""")[0]
    versions = ctx.scalar("SELECT COUNT(*) FROM assessment_standardversion")
    inspections, spot, open_ins = ctx.rows("""
        SELECT COUNT(*), COUNT(*) FILTER (WHERE kind = 'spot'), COUNT(*) FILTER (WHERE status IN ('planned', 'in_progress'))
        FROM assessment_inspection""")[0]
    findings, failed = ctx.rows("SELECT COUNT(*), COUNT(*) FILTER (WHERE result = 'fail') FROM assessment_finding")[0]
    notices, open_n, overdue, reopened = ctx.rows("""
        SELECT COUNT(*), COUNT(*) FILTER (WHERE status IN ('issued', 'rectifying', 'reported')),
               COUNT(*) FILTER (WHERE status IN ('issued', 'rectifying') AND deadline < current_date),
               COUNT(*) FILTER (WHERE round > 1) FROM assessment_notice""")[0]
    sessions, attendances = ctx.rows("""SELECT (SELECT COUNT(*) FROM assessment_trainingsession),
                                               (SELECT COUNT(*) FROM assessment_attendance)""")[0]
    return [f"Standards: {standards:,} ({versions:,} versions, {effective:,} effective, {review_due:,} review overdue); "
            f"inspections: {inspections:,} ({spot:,} spot checks, {open_ins:,} open), findings: {findings:,} "
            f"({failed:,} failed); notices: {notices:,} ({open_n:,} open, {overdue:,} overdue, {reopened:,} reopened); "
            f"training sessions: {sessions:,}, attendances: {attendances:,}."]


seeder = Seeder(
    module="assessment",
    tables=("assessment_standard", "assessment_standardversion", "assessment_standard_departments",
            "assessment_checklist", "assessment_checklistitem", "assessment_checklist_created_from",
            "assessment_inspectionplan", "assessment_inspection", "assessment_inspectedrecord", "assessment_finding",
            "assessment_notice", "assessment_rectificationplan", "assessment_rectificationmeasure",
            "assessment_trainingplan", "assessment_trainingsession", "assessment_trainingsession_standards",
            "assessment_attendance", "sla_deadline", "workflow_event", "workflow_numbersequence"),
    seed=seed,
    report=report,
)
