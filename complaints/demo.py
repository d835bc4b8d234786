"""DATA-1, complaints: a year of customer complaints in every state (§5), written through the services and
the workflow engine as the pages write them.

Complaints arrive on every channel, some opened from a low-scored follow-up visit, from an after-sales case
or about a delivered order (facts carried over); each is acknowledged with its promised reply time and
replied to (a few late). The quality department assigns an investigator, who records the facts, the cause
(the after-sales taxonomy), the why-chain, the root cause and the responsible department and person, and
proposes a handling plan with measures (owners, due dates). The responsible department's manager (or the
quality manager) approves it, or rejects it with a reason and a revised version follows; the measures are
done with what was done; the customer is asked by phone or by a signed link. One complaint took three
plan versions (rejected once, then the customer was not satisfied once); some were closed unresolved by
the quality manager's decision; some measures are overdue (reminded and escalated by the sweeps); closed
ones have case reports and preventive measures, and went into the follow-up queue.

Every random choice is drawn when the builder lays the stories out, never when a step runs. Declared on
ComplaintsConfig (``demo_data``); runs after after-sales (visits and cases are its sources).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from qsm.demo import DAY, HOUR, Clock, DemoBuilder, DemoContext

from .models import Complaint, HandlingPlan

S = Complaint.Status

# Final states and how many of each.
FULL_MIX = {S.RECEIVED: 3, S.INVESTIGATING: 3, S.PLANNING: 3, S.EXECUTING: 4, S.CONFIRMING: 2, S.CLOSED: 9,
            S.CLOSED_UNRESOLVED: 2, S.CANCELLED: 2}
SMALL_MIX = {S.RECEIVED: 1, S.INVESTIGATING: 1, S.PLANNING: 1, S.EXECUTING: 2, S.CONFIRMING: 1, S.CLOSED: 3,
             S.CLOSED_UNRESOLVED: 1, S.CANCELLED: 1}
# Their place in the run queue: after the after-sales steps at the same moment.
PLAN_BASE = 400_000

RECEIVERS = ["zhang.wei", "zhou.min", "wang.fang", "zhang.wei"]
INVESTIGATORS = ["chen.jing", "huang.li"]
QUALITY_MANAGER = "zhao.lei"
CONFIRM_LINK = "complaint_confirm"  # the purpose of the customer's confirmation link (complaints.rules)
# responsible department -> (responsible person, another person there who owns measures)
RESPONSIBLE = {"production": ("sun.hao", "ma.jun"), "service": ("zhou.min", "zhang.wei"), "sales": ("wu.qiang", "wang.fang")}

# --- texts ---------------------------------------------------------------------------------------
PROBLEMS = [
    ("{product}主轴维修后问题反复出现", "客户投诉：{product}主轴三个月内第{times}次出现异响和温升，每次维修后不到两周复发，严重影响生产。",
     "彻底解决主轴问题，书面说明原因，并延长主轴质保一年。"),
    ("{product}精度长期不达标", "客户投诉：验收后定位精度一直在{dev} mm左右，多次调整无效，加工件报废率上升。",
     "派专家到现场彻底解决，赔偿报废工件损失。"),
    ("备件延误导致停产{days}天", "客户投诉：订购的备件承诺三天到货，实际{days}天才到，期间产线停产。",
     "说明延误原因，赔偿停产损失，今后备件优先供应。"),
    ("服务工程师多次爽约", "客户投诉：约定的上门时间工程师{times}次未到也未提前通知，客户安排的停机时间被浪费。",
     "更换服务工程师，并书面道歉。"),
    ("新设备安装质量差", "客户投诉：新设备安装后地脚螺栓松动、电缆走线杂乱，试运行时多次报警。", "重新安装调试，并由质量部门验收。"),
    ("{product}焊接质量不稳定", "客户投诉：焊缝气孔不良率达到{rate}%，整改承诺一直没有兑现。", "一周内给出整改方案并落实。"),
    ("发票和合同多次出错", "客户投诉：发票抬头和金额与合同不一致，已是第{times}次，影响客户财务结账。", "立即重开发票，并改进开票流程。"),
]
REPLIES = ["您好，已收到您的投诉，质量管理部已立案，调查人员今天内与您联系，{days}个工作日内答复调查结果。",
           "非常抱歉给您带来不便，我们已安排专人负责，明天上午前电话答复初步处理意见。",
           "已登记您的投诉并转质量管理部调查，我们会在承诺时间内给您书面答复。"]
FACTS = ["现场核实：同一故障三个月内发生{times}次，维修记录和更换部件记录齐全。", "调取发货记录：备件实际发货比承诺晚{days}天，物流无异常。",
         "质量部复检：同批次零件硬度低于图纸要求。", "与客户现场负责人逐项确认，投诉内容属实。"]
WHY_CHAINS = [["主轴轴承早期磨损", "润滑脂型号用错", "装配工艺卡未注明型号", "工艺变更未同步到工艺卡"],
              ["备件到货延误", "仓库无安全库存", "备件需求预测缺失", "未按设备保有量设定库存"],
              ["工程师未按约上门", "派工单无人跟进", "派工后没有确认机制"],
              ["安装质量不达标", "安装前未做技术交底", "安装作业指导书不完整"]]
ROOT_CAUSES = ["工艺变更未同步到工艺卡，装配使用了错误型号的润滑脂。", "备件没有按设备保有量设定安全库存，需求预测缺失。",
               "派工流程没有确认和跟进机制，工程师爽约无人发现。", "安装作业指导书不完整，安装前未做技术交底。"]
PLAN_SUMMARIES = ["更换故障部件并复测，同批次设备全面排查，修订工艺文件。", "先临时调拨备件恢复生产，再建立安全库存并向客户书面说明。",
                  "更换服务工程师并书面致歉，派工流程增加确认和跟进。", "重新安装调试，由质量部门验收，补充作业指导书。"]
MEASURES = [["更换主轴轴承并按正确型号加注润滑脂", "同批次在用设备润滑脂排查", "修订装配工艺卡并培训装配工"],
            ["从总部仓库调拨备件并加急发货", "按设备保有量设定备件安全库存", "向客户书面说明延误原因并致歉"],
            ["更换该客户的服务工程师", "派工单增加客户确认和二十四小时跟进", "向客户书面致歉"],
            ["重新紧固地脚螺栓并整理电缆走线", "质量部门现场验收", "补充安装作业指导书的技术交底要求"]]
REVISED = "（修订）"
REJECT_REASONS = ["措施没有针对根本原因，请补充工艺文件的整改。", "完成期限太晚，客户不能接受，请缩短并明确责任人。",
                  "缺少同批次设备的排查，请补充。"]
DONE_NOTES = ["已完成，客户现场签字确认，记录已上传。", "已按计划完成，复测数据正常。", "已完成，文件已发布并组织培训。"]
PROGRESS = ["电话告知客户：整改措施已开始实施，预计下周完成。", "邮件告知客户：第一项措施已完成，复测合格。",
            "告知客户调查结果和处理方案，客户表示认可。"]
OBJECTIONS = ["更换部件后问题仍时有发生，要求彻底解决并给出书面原因分析。", "只做了临时处理，没有说明今后如何避免，不满意。"]
CLOSE_REASONS = ["客户要求的赔偿超出合同约定，经管理层研究决定按现状关闭，已书面告知客户。",
                 "客户联系人离职、三个月无法联系，经管理层决定关闭。"]
CANCEL_REASONS = ["重复登记，已在另一投诉单处理。", "经核实属于一般售后问题，不是投诉，已转售后服务单。"]
LESSONS = ["工艺变更必须同步到所有相关文件并培训到人。", "关键备件必须按设备保有量设定安全库存。", "服务派工必须有确认和跟进。",
           "安装前必须做技术交底，验收要有质量部门参加。"]
PREVENTIVE = ["建立工艺变更同步检查清单", "每季度复核备件安全库存", "派工系统增加超时提醒", "修订安装作业指导书并培训"]
IPS = ["112.64", "223.104", "117.136", "36.110"]
USER_AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
    "MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN",
    "Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47",
]


@dataclass
class Story:
    """One complaint's life, from the call to its final state."""

    index: int
    final: str
    severity: str
    channel: str
    receiver: str
    investigator: str
    responsible: str  # department code
    customer: Any
    start: dt.datetime
    kind: int  # which problem, why-chain, plan and measures
    source: str = ""  # "", "visit", "case", "order"
    source_plan: Any = None  # the aftersales VisitPlan / CasePlan, or the orders OrderPlan
    rejected_first: bool = False  # the first plan version was rejected and revised
    rounds: int = 1  # 2: the customer was not satisfied once
    link_answers: list[bool] = field(default_factory=list)  # per round: answered through the link
    overdue: bool = False  # its measures are past their due date (executing)
    report: bool = False
    preventive: int = 0  # preventive measures (the first done, the others open)
    texts: dict[str, Any] = field(default_factory=dict)
    complaint: Complaint | None = None
    tokens: dict[int, str] = field(default_factory=dict)
    steps: list[tuple[dt.datetime, Callable[[], None]]] = field(default_factory=list)

    def get(self) -> Complaint:
        return Complaint.objects.get(pk=self.complaint.pk)


class ComplaintDemo(DemoBuilder):
    def __init__(self, ctx: DemoContext) -> None:
        super().__init__(ctx)
        from aftersales.models import CauseCategory

        self.causes = list(CauseCategory.objects.filter(parent__isnull=False, is_active=True).order_by("position", "pk"))

    # -- the stories ---------------------------------------------------------------------------------
    def plan_stories(self) -> list[Story]:
        rng = self.rng
        mix = SMALL_MIX if self.small else FULL_MIX
        finals = [status for status, count in mix.items() for _ in range(count)]
        rng.shuffle(finals)
        stories: list[Story] = []
        seen: dict[str, int] = {}
        for final in finals:
            nth = seen.get(final, 0)
            seen[final] = nth + 1
            stories.append(self._new_story(len(stories), final, nth))
        return stories

    def _start(self, final: str, nth: int) -> dt.datetime:
        rng, now = self.rng, self.now
        days = lambda lo, hi: now - dt.timedelta(days=rng.uniform(lo, hi))  # noqa: E731
        if final in (S.CLOSED, S.CLOSED_UNRESOLVED):  # over the year, the three-version one early enough
            return days(250, 330) if nth == 0 else days(45, 340)
        if final == S.CANCELLED:
            return days(20, 300)
        if final == S.RECEIVED:  # just logged (the reply clock runs) or some days ago (the reply late)
            return now - dt.timedelta(minutes=rng.randint(30, 120)) if nth % 2 == 0 else days(1, 4)
        return {S.INVESTIGATING: days(2, 8), S.PLANNING: days(8, 25), S.EXECUTING: days(18, 40),
                S.CONFIRMING: days(20, 45)}[final]

    def _new_story(self, index: int, final: str, nth: int) -> Story:
        rng = self.rng
        story = Story(index=index, final=final, severity=rng.choices(Complaint.Severity.values, weights=[60, 30, 10])[0],
                      channel=rng.choices(Complaint.Channel.values, weights=[40, 20, 10, 10, 10, 5, 5])[0],
                      receiver=rng.choice(RECEIVERS), investigator=INVESTIGATORS[index % 2],
                      responsible=rng.choice(list(RESPONSIBLE)), customer=rng.choice(self.customers),
                      start=self._start(final, nth), kind=rng.randrange(len(PLAN_SUMMARIES)))
        self._draw_source(story)
        first = nth == 0
        if final == S.CLOSED:
            story.rejected_first = first or rng.random() < 0.25
            story.rounds = 2 if first or rng.random() < 0.2 else 1
            story.report = first or rng.random() < 0.7
            story.preventive = (2 if first else rng.choice([0, 1, 1, 2])) if story.report else 0
        elif final == S.PLANNING:
            story.rejected_first = first  # a revised version waits for its decision
            story.rounds = 2 if nth == 1 else 1  # the customer was not satisfied: the next version is drafted
        elif final in (S.EXECUTING, S.CONFIRMING):
            story.rejected_first = rng.random() < 0.3
            story.overdue = final == S.EXECUTING and (first or rng.random() < 0.4)
        elif final == S.CLOSED_UNRESOLVED:
            story.rounds = 2 if first else 1
        n_answers = story.rounds if final == S.CLOSED else story.rounds - 1
        story.link_answers = [(first and k == 0) or rng.random() < 0.4 for k in range(n_answers)]
        if final == S.CONFIRMING and first:
            story.link_answers.append(True)  # a link sent, not answered yet
        story.texts = self._texts(story)
        return story

    def _draw_source(self, story: Story) -> None:
        rng, before = self.rng, story.start - dt.timedelta(hours=2)
        after = self.ctx.outputs.get("aftersales", {})
        visits = [vp for vp in after.get("visits", []) if vp.done_at and vp.done_at < before and vp.score is not None
                  and vp.score <= 3]
        cases = [cp for cp in after.get("cases", []) if cp.steps and cp.steps[0][0] < before]
        orders = [op for op in self.ctx.outputs.get("orders", []) if op.steps and op.steps[-1][0] < before
                  and op.final in ("delivered", "installing", "accepted")]
        draw = rng.random()
        if draw < 0.15 and visits:
            story.source, story.source_plan = "visit", rng.choice(visits)
            story.customer = story.source_plan.customer or story.customer
        elif draw < 0.3 and cases:
            story.source, story.source_plan = "case", rng.choice(cases)
            story.customer = story.source_plan.customer
        elif draw < 0.65 and orders:
            story.source, story.source_plan = "order", rng.choice(orders)
            story.customer = story.source_plan.customer

    def _texts(self, story: Story) -> dict[str, Any]:
        rng = self.rng
        product = rng.choice([p for p in self.products if p.kind == "product"] or self.products)
        numbers = {"product": product.name, "times": rng.randint(2, 5), "dev": rng.choice(["0.02", "0.03", "0.05"]),
                   "days": rng.randint(5, 15), "rate": rng.choice([5, 8, 12])}
        subject, description, demand = (t.format(**numbers) for t in rng.choice(PROBLEMS))
        k = story.kind
        due_offsets = sorted(rng.sample(range(3, 15), 3))
        return {"product": product, "subject": subject[:200], "description": description, "demand": demand,
                "reply": rng.choice(REPLIES).format(**numbers), "facts": rng.choice(FACTS).format(**numbers),
                "cause": rng.choice(self.causes).pk if self.causes else None, "whys": WHY_CHAINS[k],
                "root_cause": ROOT_CAUSES[k], "summary": PLAN_SUMMARIES[k], "measures": MEASURES[k][:rng.choice([2, 3])],
                "due_offsets": due_offsets, "reject": rng.choice(REJECT_REASONS), "objections": rng.choice(OBJECTIONS),
                "progress": rng.choice(PROGRESS), "done": [rng.choice(DONE_NOTES) for _ in range(3)],
                "close": rng.choice(CLOSE_REASONS), "cancel": rng.choice(CANCEL_REASONS), "lessons": LESSONS[k],
                "preventive": PREVENTIVE[k], "ip": f"{rng.choice(IPS)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}",
                "user_agent": rng.choice(USER_AGENTS), "late_reply": rng.random() < 0.15,
                "approver_quality": rng.random() < 0.25}

    # -- laying out one story ----------------------------------------------------------------------------
    def lay_out(self, story: Story) -> None:
        rng, final = self.rng, story.final
        clock = Clock(rng, story.start)
        steps: list[Callable[[], None]] = [self._create(story)]
        clock.times.append(story.start)

        def then(lo: float, hi: float, step: Callable[[], None]) -> None:
            clock.next(lo, hi)
            steps.append(step)

        def place() -> None:
            self._place(story, clock.times, steps)

        if final == S.CANCELLED:
            then(HOUR, DAY, self._cancel(story))
            return place()
        reply_late = story.texts["late_reply"]
        reply_at = (DAY, 3 * DAY) if reply_late else (20, 3 * HOUR)
        if final == S.RECEIVED:
            if not reply_late and story.start < self.now - dt.timedelta(days=1):
                then(*reply_at, self._reply(story))
            return place()
        then(10, 2 * HOUR, self._assign(story))
        then(*reply_at, self._reply(story))
        if final == S.INVESTIGATING:
            if rng.random() < 0.5:
                then(HOUR, DAY, self._investigate(story, complete=False))
            return place()
        then(HOUR, 2 * DAY, self._investigate(story, complete=True))
        if final == S.CLOSED_UNRESOLVED and story.rounds == 1 and rng.random() < 0.5:
            then(2 * DAY, 6 * DAY, self._close_unresolved(story))  # decided before any plan
            return place()
        then(20, 3 * HOUR, self._start_planning(story))
        version = 1
        for round_ in range(1, story.rounds + 1):
            last_round = round_ == story.rounds
            then(HOUR, DAY, self._plan_create(story, version))
            if final == S.PLANNING and last_round and not story.rejected_first:
                if rng.random() < 0.5:
                    then(HOUR, 4 * HOUR, self._plan_submit(story, version))
                return place()
            then(HOUR, 6 * HOUR, self._plan_submit(story, version))
            if story.rejected_first and round_ == 1:
                then(2 * HOUR, DAY, self._plan_reject(story, version))
                version += 1
                then(HOUR, DAY, self._plan_revise(story, version))
                then(HOUR, 6 * HOUR, self._plan_submit(story, version))
                if final == S.PLANNING and last_round:
                    return place()  # the revised version waits for the manager
            then(2 * HOUR, DAY, self._plan_approve(story, version))
            if final == S.CLOSED_UNRESOLVED and last_round:
                then(5 * DAY, 12 * DAY, self._close_unresolved(story))
                return place()
            n = len(story.texts["measures"])
            for k in range(n):
                if final == S.EXECUTING and last_round and (k == n - 1 or story.overdue):
                    if k == 0:
                        then(DAY, 2 * DAY, self._progress(story))
                    return place()  # the rest are open (past due when overdue)
                then(DAY, 4 * DAY, self._measure_done(story, version, k))
                if k == 0 and round_ == 1:
                    then(HOUR, DAY, self._progress(story))
            by_link = story.link_answers[round_ - 1] if round_ - 1 < len(story.link_answers) else False
            if by_link:
                then(HOUR, 4 * HOUR, self._send_link(story, round_))
            if final == S.CONFIRMING and last_round:
                return place()
            satisfied = last_round and final == S.CLOSED
            then(2 * HOUR, 3 * DAY, self._answer(story, round_, satisfied=satisfied, by_link=by_link))
            if not last_round:
                version += 1
        if final == S.CLOSED and story.report:
            then(DAY, 3 * DAY, self._report(story))
            for p in range(story.preventive):
                then(HOUR, DAY, self._preventive_add(story, p))
            if story.preventive:
                then(5 * DAY, 15 * DAY, self._preventive_done(story, 0))
        return place()

    def _place(self, story: Story, times: list[dt.datetime], steps: list) -> None:
        limit = self.now - dt.timedelta(minutes=10)
        if times[-1] > limit and len(times) > 1:
            span, room = times[-1] - times[0], limit - times[0]
            if room <= dt.timedelta(0):
                times = [limit - dt.timedelta(minutes=len(times) - n) for n in range(len(times))]
            else:
                times = [times[0] + (t - times[0]) * (room / span) for t in times]
        placed = self.ctx.working_times(times, limit=limit)
        story.steps = list(zip(placed, steps, strict=True))

    # -- users -----------------------------------------------------------------------------------------
    def _user(self, username: str):
        return self.users[username]

    def _approver(self, story: Story):
        from qsm.org.selectors import department_managers

        if story.texts["approver_quality"]:
            return self._user(QUALITY_MANAGER)
        department = self.departments[story.responsible]
        return department_managers(department=department).order_by("pk").first() or self._user(QUALITY_MANAGER)

    # -- steps: each a service call at its moment ---------------------------------------------------------
    def _create(self, story: Story):
        texts = story.texts

        def step():
            from .services import intake

            actor = self._user(story.receiver)
            contact = story.customer.contacts.first()
            fields = {"channel": story.channel, "subject": texts["subject"], "description": texts["description"],
                      "severity": story.severity, "customer_demand": texts["demand"]}
            source = _source_record(story)
            if story.source == "visit" and source is not None:
                # VIS-1 → CMP-1: the quality officer opens a complaint from the low-scored visit (facts carried over)
                story.complaint = intake.complaint_create_from_visit(
                    actor=self._user(story.investigator), visit=source, severity=story.severity,
                    customer_demand=texts["demand"])
                return
            if story.source == "case" and source is not None:
                story.complaint = intake.complaint_create_from_case(
                    actor=self._user(story.investigator), case=source, severity=story.severity,
                    customer_demand=texts["demand"], channel=story.channel)
                return
            if story.source == "order" and source is not None:
                from orders.rules import can_view_order

                if not can_view_order(actor, source):
                    actor = self._user(story.investigator)
                story.complaint = intake.complaint_create_from_order(actor=actor, order=source, **fields)
                return
            story.complaint = intake.complaint_create(
                actor=actor, customer=story.customer, product=texts["product"],
                contact_name=contact.name if contact else "", contact_phone=contact.phone if contact else "", **fields)
        return step

    def _assign(self, story: Story):
        def step():
            from .services import intake

            intake.complaint_assign(complaint=story.get(), actor=self._user(QUALITY_MANAGER),
                                    investigator=self._user(story.investigator))
        return step

    def _reply(self, story: Story):
        def step():
            from .services import intake

            complaint = story.get()
            actor = complaint.received_by if complaint.received_by.is_active else complaint.investigator
            intake.complaint_reply(complaint=complaint, actor=actor, reply=story.texts["reply"])
        return step

    def _investigate(self, story: Story, *, complete: bool):
        texts = story.texts

        def step():
            from aftersales.models import CauseCategory

            from .services import core

            complaint = story.get()
            fields = {"facts": texts["facts"]}
            if complete:
                fields.update(cause=CauseCategory.objects.get(pk=texts["cause"]) if texts["cause"] else None,
                              whys=texts["whys"], root_cause=texts["root_cause"],
                              responsible_department=self.departments[story.responsible],
                              responsible_person=self._user(RESPONSIBLE[story.responsible][0]))
            core.investigation_record(complaint=complaint, actor=complaint.investigator, **fields)
        return step

    def _start_planning(self, story: Story):
        def step():
            from .services import intake

            complaint = story.get()
            intake.complaint_start_planning(complaint=complaint, actor=complaint.investigator)
        return step

    def _measure_rows(self, story: Story) -> list[dict]:
        """The plan's measures, due some working days after the plan is written (when a step runs, "now" is
        that moment): an overdue story's measures soon, so that they are long past due today."""
        person, other = (self._user(u) for u in RESPONSIBLE[story.responsible])
        department = self.departments[story.responsible]
        rows = []
        for k, text in enumerate(story.texts["measures"]):
            days = k + 2 if story.overdue else story.texts["due_offsets"][k]
            due = timezone.localdate(self.ctx.working.add(timezone.now(), days * 480))
            rows.append({"description": text, "owner": person if k % 2 == 0 else other, "department": department,
                         "due_date": due})
        return rows

    def _plan_create(self, story: Story, version: int):
        def step():
            from .services import core

            complaint = story.get()
            summary = story.texts["summary"] if version == 1 else f"{story.texts['summary']}（第{version}版）"
            core.plan_create(complaint=complaint, actor=complaint.investigator, summary=summary,
                             measures=self._measure_rows(story))
        return step

    def _plan(self, story: Story, version: int) -> HandlingPlan:
        return HandlingPlan.objects.select_related("complaint").get(complaint_id=story.complaint.pk, version=version)

    def _plan_submit(self, story: Story, version: int):
        def step():
            from .services import core

            plan = self._plan(story, version)
            core.plan_submit(plan=plan, actor=plan.author)
        return step

    def _plan_reject(self, story: Story, version: int):
        def step():
            from .services import core

            core.plan_reject(plan=self._plan(story, version), actor=self._approver(story), reason=story.texts["reject"])
        return step

    def _plan_revise(self, story: Story, version: int):
        def step():
            from .services import core

            rejected = self._plan(story, version - 1)
            core.plan_revise(plan=rejected, actor=rejected.author, summary=story.texts["summary"] + REVISED)
        return step

    def _plan_approve(self, story: Story, version: int):
        def step():
            from .services import core

            core.plan_approve(plan=self._plan(story, version), actor=self._approver(story))
        return step

    def _measure_done(self, story: Story, version: int, k: int):
        def step():
            from .services import core

            measure = self._plan(story, version).measures.select_related("owner", "plan").order_by("position")[k]
            core.measure_complete(measure=measure, actor=measure.owner, note=story.texts["done"][k])
        return step

    def _progress(self, story: Story):
        def step():
            from qsm.contacts.models import Channel, ContactEntry
            from qsm.contacts.services import contact_add

            complaint = story.get()
            contact_add(record=complaint, actor=complaint.investigator, channel=Channel.PHONE,
                        summary=story.texts["progress"], kind=ContactEntry.Kind.UPDATE, occurred_at=timezone.now())
        return step

    def _send_link(self, story: Story, round_: int):
        def step():
            from qsm.links.registry import purpose_for

            from . import services

            if purpose_for(CONFIRM_LINK) is None:  # the customer's page is not installed: asked by phone
                return
            complaint = story.get()
            confirmation = _optional(services, "confirmation")
            if confirmation is not None:
                _link, url = confirmation.complaint_link_issue(complaint=complaint, actor=complaint.investigator,
                                                               contact_name=complaint.contact_name)
            else:
                from qsm.links.services import link_issue

                _link, url = link_issue(complaint, CONFIRM_LINK, ttl=dt.timedelta(days=7),
                                        actor=complaint.investigator, contact_name=complaint.contact_name)
            story.tokens[round_] = url.rstrip("/").rsplit("/", 1)[-1]  # what the customer's message carries
        return step

    def _answer(self, story: Story, round_: int, *, satisfied: bool, by_link: bool):
        texts = story.texts

        def step():
            from . import services
            from .services import core

            complaint = story.get()
            objections = "" if satisfied else texts["objections"]
            confirmation = _optional(services, "confirmation")
            if by_link and story.tokens.get(round_):
                from qsm.links.services import link_consume

                # As the public page does: the link is checked, used and consumed in the answer's transaction.
                with link_consume(story.tokens[round_], CONFIRM_LINK) as use:
                    if confirmation is not None:
                        confirmation.complaint_answer_via_link(complaint=use.record, use=use, satisfied=satisfied,
                                                               objections=objections, ip=texts["ip"],
                                                               user_agent=texts["user_agent"])
                    else:
                        core.answer_record(complaint=use.record, actor=use.actor, satisfied=satisfied,
                                           objections=objections, link=use.link, ip=texts["ip"],
                                           user_agent=texts["user_agent"])
                return
            record = confirmation.complaint_answer_record if confirmation is not None else core.answer_record
            record(complaint=complaint, actor=complaint.investigator, satisfied=satisfied, objections=objections)
        return step

    def _close_unresolved(self, story: Story):
        def step():
            from .services import intake

            intake.complaint_close_unresolved(complaint=story.get(), actor=self._user(QUALITY_MANAGER),
                                              reason=story.texts["close"])
        return step

    def _cancel(self, story: Story):
        def step():
            from .services import intake

            intake.complaint_cancel(complaint=story.get(), actor=self._user(QUALITY_MANAGER),
                                    reason=story.texts["cancel"])
        return step

    def _report(self, story: Story):
        def step():
            from . import services

            reports = _optional(services, "reports")
            if reports is None:  # the case report's service is not installed: nothing to write it with
                return
            complaint = story.get()
            data = {**reports.case_report_initial(complaint), "lessons_learned": story.texts["lessons"]}
            reports.case_report_save(complaint=complaint, actor=complaint.investigator, data=data, finalise=True)
        return step

    def _preventive_add(self, story: Story, p: int):
        def step():
            from .services import core

            complaint = story.get()
            owner = self._user(RESPONSIBLE[story.responsible][p % 2])
            due = timezone.localdate(self.ctx.working.add(timezone.now(), (10 + 10 * p) * 480))
            core.preventive_add(complaint=complaint, actor=complaint.investigator,
                                description=story.texts["preventive"] + ("" if p == 0 else "（第二阶段）"),
                                owner=owner, department=self.departments[story.responsible], due_date=due)
        return step

    def _preventive_done(self, story: Story, p: int):
        def step():
            from .services import core

            measure = story.get().preventive_measures.select_related("owner", "complaint").order_by("pk")[p]
            core.preventive_complete(measure=measure, actor=measure.owner, note=story.texts["done"][0])
        return step


def _source_record(story: Story):
    """The visit, case or order the complaint is opened from, once it exists (None otherwise)."""
    if not story.source:
        return None
    if story.source == "case" and story.source_plan.case is None:
        return None
    return story.source_plan.get()


def _optional(package, name: str):
    from importlib import import_module

    try:
        return import_module(f"{package.__name__}.{name}")
    except ModuleNotFoundError:
        return None


def build(ctx: DemoContext) -> None:
    demo = ComplaintDemo(ctx)
    stories = demo.plan_stories()
    for story in stories:
        demo.lay_out(story)
        ctx.add_steps(PLAN_BASE + story.index, story.steps)
    ctx.outputs["complaints"] = stories


