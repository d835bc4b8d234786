"""DATA-1, after-sales: a year of feedback cases in every state (general and complex with special
plans and steps, some reopened, some overdue, some waiting for the customer with the clock
paused), routed by the demo routing rules; and the follow-up visits of the accepted and delivered
orders and the resolved cases, planned from the core's follow-up queue by the scheduler running as
beat would, done by phone (answers, call time and duration, failed attempts, re-checks) and by
survey link (answered with IP and browser recorded, as the public page does), with a spread of
scores and suggestions; a few low scores opened new cases. Open visits are due soon or overdue.

Every record is written through the workflow engine and the core services (cases created by
``case_create``; transitions fired; deadlines, reminders, the follow-up queue and the timeline are
what real use makes). Every random choice is drawn when the builder lays the stories out, never
when a step runs. Declared on AftersalesConfig (``demo_data``).
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import time_machine
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from orders.models import Delivery, Order
from qsm.contacts.models import Channel, ContactEntry
from qsm.demo import DAY, HOUR, SWEEP_RANK, Clock, DemoBuilder, DemoContext
from qsm.links.services import link_consume
from qsm.org.models import Customer, Department, Product, User
from qsm.org.selectors import department_managers

from .models import (
    Case,
    CauseCategory,
    PhoneAttempt,
    Question,
    RoutingRule,
    SpecialPlan,
    Visit,
    VisitRule,
)
from .services import cases as case_services
from .services import plans as plan_services
from .services.cases import case_create

S = Case.Status
T = Case.Type
P = SpecialPlan.Status
V = Visit.Status
OS = Order.Status

# Final states of the cases and how many of each (low scores add a few more).
FULL_CASE_MIX = {S.NEW: 4, S.IN_PROGRESS: 5, S.SPECIAL: 3, S.WAITING_CUSTOMER: 3, S.RESOLVED: 6, S.CLOSED: 16,
                 S.CANCELLED: 3}
SMALL_CASE_MIX = {S.NEW: 2, S.IN_PROGRESS: 2, S.SPECIAL: 2, S.WAITING_CUSTOMER: 2, S.RESOLVED: 3, S.CLOSED: 4,
                  S.CANCELLED: 1}
# Their place in the run queue: after the orders' steps at the same moment.
CASE_PLAN_BASE = 200_000
VISIT_PLAN_BASE = 300_000
SCHEDULER_RANK = SWEEP_RANK + 1  # after the deadline sweep of the same moment
SCHEDULE_EVERY = dt.timedelta(hours=3)

# AFS-1: where cases go (RoutingRule rows, editable in the admin afterwards).
# (product line, case type, severity, department code, default owner, position)
ROUTING = [
    ("", "", "", "service", "zhang.wei", 100),
    ("", T.PRODUCT_QUALITY, "", "service", "zhou.min", 50),
    ("", T.PRODUCT_QUALITY, "urgent", "service", "li.na", 40),
    ("工业机器人", T.PRODUCT_QUALITY, "", "production", "sun.hao", 30),
    ("自动化产线", T.PRODUCT_QUALITY, "", "production", "sun.hao", 30),
    ("", T.OTHER, "", "sales", "wu.qiang", 60),
]
# VIS-1: who makes each department's visits (Department.visit_owner, 回访负责人).
VISIT_OWNERS = {"service": "zhou.min", "sales": "wang.fang", "production": "huang.li", "quality": "chen.jing"}

# --- texts ---------------------------------------------------------------------------------------
QUALITY_PROBLEMS = {
    "数控机床": [("主轴运转异响", "主轴在{rpm} rpm以上运转时有明显异响，温升偏高"),
                 ("定位精度超差", "加工{part}时X轴定位偏差达到{dev} mm，超出验收值"),
                 ("液压系统漏油", "液压站接头处渗油，每班需补油约{litre}升"),
                 ("频繁报警停机", "数控系统频繁出现{alarm}号报警，每天停机{times}次"),
                 ("刀库换刀卡刀", "换刀时刀臂卡滞，最近一周发生{times}次")],
    "自动化产线": [("产线节拍达不到要求", "实际节拍{cycle}秒/件，低于合同约定的节拍"),
                   ("输送线定位不准", "工件在第{station}工位定位偏移，夹具无法夹紧"),
                   ("焊接质量不稳定", "焊缝出现气孔，不良率约{rate}%"),
                   ("安全光栅误触发", "安全光栅无故触发，产线每班停线{times}次")],
    "工业机器人": [("机器人轴抖动", "机器人第{axis}轴在高速运动时抖动，轨迹精度下降"),
                   ("视觉识别率下降", "视觉引导识别率从99%降到{recog}%左右"),
                   ("示教器黑屏", "示教器开机后黑屏，无法操作"),
                   ("减速机异响", "第{axis}轴减速机运转有异响")],
    "维保服务": [("设备维修后问题复发", "上次维修更换的部件运行{days}天后再次故障")],
    "技术服务": [("改造后精度不达标", "数控化改造后的定位精度为{dev} mm，未达到约定值")],
}
SERVICE_PROBLEMS = [("工程师到场不及时", "报修后{hours}小时工程师仍未到场，影响生产"),
                    ("维修报价不清楚", "维修报价单没有列明工时和备件明细"),
                    ("培训安排一再推迟", "约定的操作培训已推迟{times}次"),
                    ("备件发货太慢", "订购的备件{days}天仍未发货"),
                    ("服务热线无人接听", "拨打服务热线多次无人接听")]
OTHER_PROBLEMS = [("发票信息有误", "开具的发票抬头与合同不一致，需重开"),
                  ("随机资料缺失", "随机资料缺少电气原理图和备件手册"),
                  ("需要英文版操作手册", "外籍技术人员需要英文版操作手册"),
                  ("合同质保条款咨询", "询问质保期内易损件是否免费更换")]
SUBJECT_PREFIX = ["", "", "{customer}：", "【{product}】", "{customer}反馈："]
DESCRIPTION_ADDS = ["客户要求{days}个工作日内给出处理方案。", "现场联系人电话已确认。", "已影响客户交货计划。",
                    "设备仍在质保期内。", "客户希望派工程师到现场。", "客户已发来现场照片和视频。",
                    "第{times}次反映此问题。", "目前采用临时措施维持生产。"]
REPLIES = ["已收到反馈，工程师今天内电话联系现场人员确认故障现象。", "已安排工程师{days}个工作日内到现场处理。",
           "已登记问题并转相关部门分析，明天给出初步处理意见。", "已与客户确认问题细节，正在分析原因。"]
# What was found, by top-level cause (diagnosis, solution)
FINDINGS = {
    "design": ("现场检查确认为设计参数余量不足，负载工况下超出设计范围。", "修改设计参数，更换加强型部件并更新图纸。"),
    "manufacturing": ("拆检发现装配间隙超差，属于制造质量问题。", "更换不合格零件，重新装配并进行精度检测。"),
    "transport": ("到货检查发现运输中受到碰撞，外防护罩变形。", "更换受损部件，与物流公司协商索赔。"),
    "installation": ("检查发现安装时地脚螺栓未按要求紧固，调试参数有误。", "重新调平紧固并修正调试参数，复测合格。"),
    "usage": ("检查发现客户未按保养手册定期更换润滑油，部件磨损。", "更换磨损部件，对操作人员进行保养培训。"),
    "service": ("核实为服务派工环节衔接不畅，响应时间超出承诺。", "调整派工流程，指定专人跟进并向客户致歉。"),
    "other": ("与客户核实后确认为资料和信息传递问题。", "补发资料并确认客户收到，更新内部流程。"),
}
CAUSE_DETAILS = ["批次零件供应商来料问题。", "同型号设备已排查，未发现类似问题。", "已纳入质量月报分析。",
                 "客户现场环境温度偏高也有一定影响。", ""]
WAIT_COMMENTS = ["等待客户提供故障视频和报警记录。", "等待客户安排停机时间以便现场维修。", "等待客户确认维修报价。",
                 "等待客户确认专项方案后实施。"]
PROGRESS_UPDATES = ["电话告知客户：工程师已出发，预计明天上午到达。", "邮件告知客户：备件已到货，后天安排更换。",
                    "告知客户原因分析结果和下一步处理计划。", "告知客户专项方案进度：第一步已完成。",
                    "微信告知客户：维修已完成，请安排试生产验证。"]
PLAN_TITLES = ["{subject}专项解决方案", "{product}质量问题整改方案"]
PLAN_CONTENTS = ["1. 组织生产部、质量管理部联合分析；2. 制定整改措施并现场实施；3. 连续跟踪{days}天验证效果。",
                 "针对{subject}，更换关键部件、优化参数并培训客户操作人员，完成后提交8D报告。"]
PLAN_STEPS = [("现场故障诊断与数据采集", "sun.hao"), ("更换关键部件并重新调试", "sun.hao"),
              ("精度复测与试生产验证", "ma.jun"), ("编写质量分析报告（8D）", "chen.jing"),
              ("对客户操作人员进行培训", "zhang.wei"), ("整改效果跟踪回访", "zhou.min")]
STEP_NOTES = ["已完成，现场记录已上传。", "已按计划完成，客户现场确认。", "完成，测试数据正常。"]
DISCUSSION_NOTES = ["专题会：生产部确认可在一周内提供替换部件；质量管理部要求同批次排查。",
                    "与客户技术人员视频会议，确认整改方案和停机窗口。"]
REOPEN_COMMENTS = ["客户来电：问题再次出现，重新处理。", "客户反馈整改后效果不稳定，重新打开。"]
CANCEL_COMMENTS = ["重复登记，已在另一服务单处理。", "客户撤回反馈：现场误操作，设备正常。", "登记错误，非本公司设备。"]
PLAN_CANCEL = "客户决定暂缓整改，专项方案取消，待客户确认后再定。"

VISIT_COMMENTS = {
    5: ["非常满意，工程师很专业。", "服务及时，设备运行良好。", "整体很满意，感谢。"],
    4: ["总体满意，响应还可以更快一些。", "处理结果满意，沟通顺畅。", "设备运行正常，比较满意。"],
    3: ["一般，处理周期偏长。", "问题解决了，但中间沟通不够及时。"],
    2: ["问题拖了两周才解决，影响了生产。", "工程师来了两次才修好，不太满意。"],
    1: ["非常不满意，问题至今没有彻底解决。", "多次催促无人回复，严重影响交货。"],
}
SUGGESTIONS = ["希望提供设备保养提醒服务。", "建议增加远程诊断功能。", "希望备件能在本地仓库备货。",
               "建议定期回访设备运行情况。", "希望培训资料提供视频版本。", "", "", ""]
ATTEMPT_NOTES = {PhoneAttempt.Outcome.NO_ANSWER: "电话无人接听。", PhoneAttempt.Outcome.BUSY: "占线，稍后再打。",
                 PhoneAttempt.Outcome.WRONG_NUMBER: "号码有误，已向销售确认新号码。",
                 PhoneAttempt.Outcome.REFUSED: "客户表示正在开会，不方便接听。"}
VISIT_CANCELS = ["客户联系人已离职，新联系人不了解情况，取消本次回访。", "客户已在验收时反馈意见，无需重复回访。"]
RECHECK_NOTES = {"confirmed": "抽查回拨客户，确认回访记录属实。", "discrepancy": "回拨客户，客户表示未接到回访电话，记录不符。"}
USER_AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
    "MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN",
    "Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47",
    "Mozilla/5.0 (Linux; Android 13; 22081212C) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
    "Mobile Safari/537.36 HuaweiBrowser/14.0.6.300",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
    "Safari/537.36",
]
IP_PREFIXES = ["112.64", "223.104", "117.136", "36.110", "183.195", "101.88"]


@dataclass
class CasePlan:
    """One case's life, from the call to its final state."""

    index: int
    final: str
    case_type: str
    severity: str
    channel: str
    customer: Customer
    logger: User
    texts: dict[str, str]
    start: dt.datetime
    order_plan: Any = None  # orders.demo.OrderPlan whose order (and delivery, product) it concerns
    product: Product | None = None
    is_complex: bool = False
    plan_final: str | None = None
    reopened: bool = False
    rerouted: bool = False
    source: VisitPlan | None = None  # a low visit score opened it
    case: Case | None = None
    resolved_at: dt.datetime | None = None  # the first resolution: the follow-up row
    steps: list[tuple[dt.datetime, Callable[[], None]]] = field(default_factory=list)

    def get(self) -> Case:
        return Case.objects.get(pk=self.case.pk)


@dataclass
class VisitPlan:
    """One follow-up visit: planned by the scheduler from its queue row, then done (or not)."""

    index: int
    reason: str
    model: type
    subject: Callable[[], Any]  # the visited record, read when a step runs
    row_at: dt.datetime  # when the record asked for the visit
    created_at: dt.datetime  # the scheduler's sweep that plans it
    planned_for: dt.date
    customer: Customer | None = None
    fate: str = "phone"
    score: int | None = None
    attempts: list[str] = field(default_factory=list)  # failed outcomes before the call / the link
    recheck: str = ""  # "", "requested", "confirmed", "discrepancy"
    ip: str = ""
    user_agent: str = ""
    call_seconds: int = 0
    comments: str = ""
    suggestions: str = ""
    token: str = ""  # the link's token, kept between "send" and "answer" (not stored anywhere else)
    done_at: dt.datetime | None = None
    low_case: CasePlan | None = None
    steps: list[tuple[dt.datetime, Callable[[], None]]] = field(default_factory=list)

    def get(self) -> Visit | None:
        record = self.subject()
        if record is None:
            return None
        ct = ContentType.objects.get_for_model(self.model)
        return Visit.objects.filter(content_type=ct, object_id=record.pk, reason=self.reason).first()


class AftersalesDemo(DemoBuilder):
    def __init__(self, ctx: DemoContext) -> None:
        super().__init__(ctx)
        self.causes = list(CauseCategory.objects.filter(parent__isnull=False, is_active=True)
                           .select_related("parent").order_by("position", "pk"))
        self.due_days = dict(VisitRule.objects.filter(is_active=True).values_list("reason", "due_days"))
        self.sweeps = self._sweep_moments()

    # -- configuration: routing rules and visit owners --------------------------------------------
    def configure(self) -> None:
        for line, case_type, severity, dept, owner, position in ROUTING:
            RoutingRule.objects.get_or_create(
                product_line=line, case_type=case_type, severity=severity, department=self.departments[dept],
                defaults={"default_owner": self.users[owner], "position": position})
        for dept, username in VISIT_OWNERS.items():
            Department.objects.filter(pk=self.departments[dept].pk).update(visit_owner=self.users[username])

    # -- the scheduler, as beat runs it -------------------------------------------------------------
    def _sweep_moments(self) -> list[dt.datetime]:
        return self.ctx.working_moments(self.year_ago - dt.timedelta(days=7), self.now, SCHEDULE_EVERY)

    def first_sweep_after(self, t: dt.datetime) -> dt.datetime | None:
        n = bisect.bisect_left(self.sweeps, t)
        return self.sweeps[n] if n < len(self.sweeps) else None

    # -- cases ------------------------------------------------------------------------------------
    def plan_cases(self) -> list[CasePlan]:
        rng = self.rng
        mix = SMALL_CASE_MIX if self.small else FULL_CASE_MIX
        finals = [status for status, count in mix.items() for _ in range(count)]
        rng.shuffle(finals)
        plans: list[CasePlan] = []
        seen: dict[str, int] = {}
        slot = 0
        for final in finals:
            nth = seen.get(final, 0)
            seen[final] = nth + 1
            start = self._case_start(final, nth, slot)
            if final in (S.CLOSED, S.CANCELLED):
                slot += 1
            cp = self._new_case(len(plans), final, start)
            self._draw_variants(cp, nth)
            plans.append(cp)
        return plans

    def _case_start(self, final: str, nth: int, slot: int) -> dt.datetime:
        rng, now = self.rng, self.now
        days = lambda lo, hi: now - dt.timedelta(days=rng.uniform(lo, hi))  # noqa: E731
        if final in (S.CLOSED, S.CANCELLED):  # over the twelve months, one after another
            return self.year_ago + dt.timedelta(days=(slot % 11) * 30.4 + rng.uniform(0, 25))
        if final == S.NEW:  # every other one just logged (its reply clock runs), the others overdue
            return now - dt.timedelta(minutes=rng.randint(20, 90)) if nth % 2 == 0 else days(2, 9)
        if final == S.RESOLVED and nth == 1:  # resolved these days: its visit is still ahead
            return days(2, 4)
        return {S.IN_PROGRESS: days(3, 30), S.SPECIAL: days(15, 60), S.WAITING_CUSTOMER: days(8, 40),
                S.RESOLVED: days(8, 30)}[final]

    def _new_case(self, index: int, final: str, start: dt.datetime, *, case_type: str | None = None,
                  customer: Customer | None = None, severity: str | None = None) -> CasePlan:
        rng = self.rng
        case_type = case_type or rng.choices(T.values, weights=[55, 30, 15])[0]
        severity = severity or rng.choices(Case.Severity.values, weights=[15, 50, 25, 10])[0]
        channel = rng.choices(Channel.values, weights=[45, 25, 15, 10, 5])[0]
        order_plan = None
        if customer is None and case_type != T.OTHER and rng.random() < 0.75:
            order_plan = self._order_before(start)
        if order_plan is not None:
            customer = order_plan.customer
        customer = customer or rng.choice(self.customers)
        product = None
        if order_plan is not None:
            product = order_plan.lines[0][0] if order_plan.lines else None
            if product is None and order_plan.source is not None:
                product = order_plan.source.products[0]
        elif case_type == T.PRODUCT_QUALITY:
            product = rng.choice([p for p in self.products if p.kind == "product"])
        service_people = [self.users[n] for n in ("zhang.wei", "zhou.min", "zhang.wei", "li.na")]
        cp = CasePlan(index=index, final=final, case_type=case_type, severity=severity, channel=channel,
                      customer=customer, logger=rng.choice(service_people), texts={}, start=start,
                      order_plan=order_plan, product=product)
        cp.texts = self._texts(cp)
        return cp

    def _order_before(self, start: dt.datetime):
        """An order delivered to its customer before ``start`` (the feedback is about it)."""
        done = [op for op in self.ctx.outputs.get("orders", [])
                if op.final in (OS.DELIVERED, OS.INSTALLING, OS.ACCEPTED) and op.steps
                and op.steps[-1][0] < start - dt.timedelta(days=2)]
        return self.rng.choice(done) if done else None

    def _texts(self, cp: CasePlan) -> dict[str, str]:
        rng = self.rng
        product = cp.product.name if cp.product else "设备"
        line = cp.product.product_line if cp.product else "数控机床"
        numbers = {"rpm": rng.choice([6000, 8000, 10000]), "part": rng.choice(["壳体", "法兰", "阀块", "端盖", "轴承座"]),
                   "dev": rng.choice(["0.012", "0.015", "0.02", "0.03"]), "litre": rng.choice([0.5, 1, 2]),
                   "alarm": rng.choice([1001, 2043, 3012, 410, 9012]), "times": rng.randint(2, 6),
                   "cycle": rng.choice([68, 72, 80, 95]), "station": rng.randint(2, 9), "rate": rng.choice([3, 5, 8]),
                   "axis": rng.randint(1, 6), "recog": rng.choice([85, 90, 92]), "days": rng.randint(3, 20),
                   "hours": rng.choice([24, 36, 48]), "product": product,
                   "customer": cp.customer.name.replace("股份有限公司", "").replace("有限公司", "")}
        if cp.case_type == T.PRODUCT_QUALITY:
            problem = rng.choice(QUALITY_PROBLEMS.get(line, QUALITY_PROBLEMS["数控机床"]))
        elif cp.case_type == T.SERVICE:
            problem = rng.choice(SERVICE_PROBLEMS)
        else:
            problem = rng.choice(OTHER_PROBLEMS)
        subject, detail = (s.format(**numbers) for s in problem)
        if cp.case_type == T.PRODUCT_QUALITY and product not in subject:
            subject = f"{product}{subject}"
        subject = rng.choice(SUBJECT_PREFIX).format(**numbers) + subject
        adds = "".join(a.format(**numbers) for a in rng.sample(DESCRIPTION_ADDS, rng.choice([1, 2, 2, 3])))
        cause = rng.choice(self.causes) if self.causes else None
        finding = FINDINGS.get(cause.parent.code if cause else "other", FINDINGS["other"])
        return {"subject": subject[:200], "description": f"客户反映：{detail}。{adds}",
                "reply": rng.choice(REPLIES).format(**numbers), "diagnosis": finding[0], "solution": finding[1],
                "cause": cause.pk if cause else "", "cause_detail": rng.choice(CAUSE_DETAILS),
                "plan_title": rng.choice(PLAN_TITLES).format(subject=subject[:60], product=product)[:200],
                "plan_content": rng.choice(PLAN_CONTENTS).format(subject=subject[:60], days=numbers["days"]),
                "wait": rng.choice(WAIT_COMMENTS), "update": rng.choice(PROGRESS_UPDATES),
                "reopen": rng.choice(REOPEN_COMMENTS), "cancel": rng.choice(CANCEL_COMMENTS)}

    def _draw_variants(self, cp: CasePlan, nth: int) -> None:
        """Complex (special plan), reopened; in --small the first of each state shows every variant."""
        rng, final = self.rng, cp.final
        first = nth == 0
        if final == S.SPECIAL:
            cp.is_complex = True
            cp.plan_final = P.DRAFT if nth % 3 == 0 else P.IN_PROGRESS
        elif final == S.WAITING_CUSTOMER:
            cp.is_complex = first or rng.random() < 0.4
            # the first complex one waiting: its plan was cancelled, the customer decides how to go on
            cp.plan_final = (P.CANCELLED if first else P.IN_PROGRESS) if cp.is_complex else None
        elif final in (S.RESOLVED, S.CLOSED):
            cp.is_complex = (first and final == S.CLOSED) or rng.random() < 0.2
            cp.plan_final = P.DONE if cp.is_complex else None
            cp.reopened = (first and final == S.RESOLVED) or (nth == 1 and final == S.CLOSED) or rng.random() < 0.12
        elif final == S.IN_PROGRESS:
            cp.reopened = nth == 1
        cp.rerouted = (first and final in (S.IN_PROGRESS, S.CLOSED)) or rng.random() < 0.08
        if cp.is_complex:
            cp.case_type = T.PRODUCT_QUALITY if rng.random() < 0.8 else cp.case_type

    def lay_out_case(self, cp: CasePlan, *, limit: dt.datetime | None = None) -> None:
        """The case's steps, each at its moment (drawn now, run later in time order)."""
        rng, final = self.rng, cp.final
        clock = Clock(rng, cp.start)
        steps: list[Callable[[], None]] = []
        marks: dict[str, int] = {}

        def then(lo: float, hi: float, step: Callable[[], None], mark: str = "") -> None:
            clock.next(lo, hi)
            if mark:
                marks[mark] = len(steps)
            steps.append(step)

        clock.times.append(cp.start)
        steps.append(self._create(cp) if cp.source is None else self._open_from_visit(cp))
        if final == S.NEW:
            return self._place(cp, clock.times, steps, marks, limit)
        if final == S.CANCELLED and rng.random() < 0.5:  # withdrawn before anyone replied
            then(HOUR, DAY, self._fire(cp, "cancel", cp.texts["cancel"], manager=True))
            return self._place(cp, clock.times, steps, marks, limit)
        late = rng.random() < 0.15 or (final == S.IN_PROGRESS and rng.random() < 0.5)
        then(*((DAY, 3 * DAY) if late else (10, 3 * HOUR)), self._reply(cp))
        if final == S.CANCELLED:
            then(HOUR, 3 * DAY, self._fire(cp, "cancel", cp.texts["cancel"], manager=True))
            return self._place(cp, clock.times, steps, marks, limit)
        if cp.rerouted:
            then(HOUR, 6 * HOUR, self._reroute(cp))
        if rng.random() < 0.6 or cp.is_complex:
            then(2 * HOUR, 2 * DAY, self._contact(cp, cp.texts["update"]))
        if final == S.IN_PROGRESS and not cp.reopened:
            if rng.random() < 0.5:
                then(HOUR, 2 * DAY, self._diagnose(cp, with_solution=False))
            return self._place(cp, clock.times, steps, marks, limit)
        if cp.is_complex:
            then(HOUR, DAY, self._diagnose(cp, with_solution=False))
            then(20, 4 * HOUR, self._fire(cp, "mark_complex", "需要跨部门专项解决。"))
            then(20, 3 * HOUR, self._discussion(cp))
            n_steps = 3 if rng.random() < 0.5 else 2
            then(HOUR, DAY, self._plan_create(cp, n_steps))
            if cp.plan_final == P.DRAFT:
                return self._place(cp, clock.times, steps, marks, limit)
            if cp.plan_final == P.CANCELLED:
                then(DAY, 3 * DAY, self._plan_cancel(cp, PLAN_CANCEL))
                then(HOUR, 4 * HOUR, self._fire(cp, "wait_customer", cp.texts["wait"]))
                return self._place(cp, clock.times, steps, marks, limit)
            then(HOUR, DAY, self._plan_start(cp))
            then(2 * DAY, 4 * DAY, self._discussion_note(cp, DISCUSSION_NOTES[0]))
            for k in range(n_steps):
                if cp.plan_final == P.IN_PROGRESS and k == n_steps - 1:
                    break  # the last step is still open
                then(DAY, 5 * DAY, self._step_done(cp, k))
                if k == 0:
                    then(HOUR, DAY, self._customer_update(cp, "告知客户专项方案进度：第一步已完成。"))
            if final == S.WAITING_CUSTOMER:
                then(HOUR, DAY, self._fire(cp, "wait_customer", cp.texts["wait"]))
                return self._place(cp, clock.times, steps, marks, limit)
            if cp.plan_final == P.IN_PROGRESS:
                return self._place(cp, clock.times, steps, marks, limit)
            then(HOUR, DAY, self._diagnose(cp, with_solution=True))
        else:
            if final == S.WAITING_CUSTOMER or rng.random() < 0.25:  # waited for the customer on the way
                then(HOUR, DAY, self._fire(cp, "wait_customer", cp.texts["wait"]))
                if final == S.WAITING_CUSTOMER:
                    return self._place(cp, clock.times, steps, marks, limit)
                then(DAY, 5 * DAY, self._fire(cp, "resume", "客户已提供所需信息，继续处理。"))
            then(HOUR, 3 * DAY, self._diagnose(cp, with_solution=True))
        then(HOUR, 2 * DAY, self._fire(cp, "resolve", ""), mark="resolve")
        if cp.reopened:
            then(2 * DAY, 10 * DAY, self._fire(cp, "reopen", cp.texts["reopen"]))
            if final == S.IN_PROGRESS:
                return self._place(cp, clock.times, steps, marks, limit)
            then(DAY, 4 * DAY, self._diagnose(cp, with_solution=True, again=True))
            then(HOUR, DAY, self._fire(cp, "resolve", ""))
        if final == S.CLOSED:
            then(5 * DAY, 15 * DAY, self._fire(cp, "close", "回访完成，关闭服务单。"))
        return self._place(cp, clock.times, steps, marks, limit)

    def _place(self, cp: CasePlan, times: list[dt.datetime], steps: list, marks: dict[str, int],
               limit: dt.datetime | None) -> None:
        # Keep it in the past and in working hours (DATA-1); the resolve step says when the visit is asked for.
        limit = limit or self.now - dt.timedelta(minutes=10)
        if times[-1] > limit and len(times) > 1:
            span = times[-1] - times[0]
            room = limit - times[0]
            if room <= dt.timedelta(0):
                times = [limit - dt.timedelta(minutes=len(times) - n) for n in range(len(times))]
            else:
                times = [times[0] + (t - times[0]) * (room / span) for t in times]
        placed = self.ctx.working_times(times, limit=limit)
        cp.steps = list(zip(placed, steps, strict=True))
        if "resolve" in marks:
            cp.resolved_at = placed[marks["resolve"]]

    # -- case steps: each a service or engine call at its moment --------------------------------------
    def _create(self, cp: CasePlan):
        contact = cp.customer.contacts.first()

        def step():
            order = delivery = None
            product = cp.product
            if cp.order_plan is not None:
                order = cp.order_plan.get()
                delivery = order.deliveries.filter(status=Delivery.Status.DELIVERED).order_by("pk").first()
                line = order.lines.select_related("product").order_by("pk").first()
                product = line.product if line else product
            cp.case = case_create(
                actor=cp.logger, customer=cp.customer, channel=cp.channel, case_type=cp.case_type,
                severity=cp.severity, subject=cp.texts["subject"], description=cp.texts["description"],
                contact_name=contact.name if contact else "", contact_phone=contact.phone if contact else "",
                order=order, delivery=delivery, product=product, received_at=timezone.now())
        return step

    def _open_from_visit(self, cp: CasePlan):
        """VIS-1: the quality officer sees the low score and opens a case from the visit in one click."""
        def step():
            visit = cp.source.get()
            if visit is None:
                return
            cp.case, _created = _visits().visit_open_case(visit=visit, actor=self.users["chen.jing"])
        return step

    def _reply(self, cp: CasePlan):
        def step():
            case = cp.get()
            case_services.case_reply(case=case, actor=case.owner, reply=cp.texts["reply"])
        return step

    def _fire(self, cp: CasePlan, action: str, comment: str, *, manager: bool = False):
        def step():
            case = cp.get()
            actor = case.owner
            if manager:
                actor = department_managers(department=case.department).order_by("pk").first() or actor
            case_services.case_fire(case=case, actor=actor, action=action, comment=comment)
        return step

    def _reroute(self, cp: CasePlan):
        """AFS-1: the case went to the wrong people first; handed on with the reason, on the timeline."""
        def step():
            case = cp.get()
            target = self.departments["production" if case.department.code != "production" else "service"]
            owner = self.users["sun.hao" if target.code == "production" else "zhou.min"]
            case_services.case_reroute(case=case, actor=case.owner, department=target, owner=owner,
                               reason="现场判断为设备本体问题，转生产部处理。" if target.code == "production"
                               else "属于服务问题，转客户服务部跟进。")
        return step

    def _diagnose(self, cp: CasePlan, *, with_solution: bool, again: bool = False):
        texts = cp.texts

        def step():
            case = cp.get()
            fields = {"diagnosis": texts["diagnosis"] + ("（复查：原措施未根除问题，已追加处理。）" if again else ""),
                      "cause": CauseCategory.objects.get(pk=texts["cause"]) if texts["cause"] else None,
                      "cause_detail": texts["cause_detail"]}
            if with_solution:
                fields["solution"] = texts["solution"] + ("追加更换相关部件并延长跟踪期。" if again else "")
            case_services.case_diagnose(case=case, actor=case.owner, **fields)
        return step

    def _contact(self, cp: CasePlan, text: str):
        channel = self.rng.choice([Channel.PHONE, Channel.PHONE, Channel.EMAIL, Channel.CHAT])

        def step():
            case = cp.get()
            case_services.case_contact_add(case=case, actor=case.owner, channel=channel, summary=text,
                                   kind=ContactEntry.Kind.UPDATE, occurred_at=timezone.now())
        return step

    def _discussion(self, cp: CasePlan):
        departments = [self.departments["production"]] + ([self.departments["quality"]] if self.rng.random() < 0.6
                                                          else [])
        users = [self.users["ma.jun"]] if self.rng.random() < 0.4 else []

        def step():
            case = cp.get()
            plan_services.case_discussion_open(case=case, actor=case.owner, topic=f"{case.number} 专项解决讨论",
                                               departments=departments, users=users)
        return step

    def _discussion_note(self, cp: CasePlan, body: str):
        def step():
            case = cp.get()
            plan_services.case_discussion_note_add(case=case, actor=case.owner, body=body, meeting_at=timezone.now())
        return step

    def _plan_create(self, cp: CasePlan, n_steps: int):
        rng = self.rng
        picks = rng.sample(PLAN_STEPS, n_steps)
        offsets = sorted(rng.sample(range(3, 20), n_steps))

        def step():
            case = cp.get()
            plan = plan_services.plan_create(case=case, actor=case.owner, title=cp.texts["plan_title"],
                                             content=cp.texts["plan_content"])
            candidates = set(plan_services.step_owner_candidates(case).values_list("pk", flat=True))
            for (text, username), days in zip(picks, offsets, strict=True):
                owner = self.users[username] if self.users[username].pk in candidates else case.owner
                due = timezone.localdate(self.ctx.working.add(timezone.now(), days * 480))
                plan_services.plan_step_add(plan=plan, actor=case.owner, description=text, owner=owner,
                                            due_date=due)
        return step

    def _plan_start(self, cp: CasePlan):
        def step():
            case = cp.get()
            plan_services.plan_start(plan=case.plan, actor=case.owner)
        return step

    def _plan_cancel(self, cp: CasePlan, comment: str):
        def step():
            case = cp.get()
            plan_services.plan_cancel(plan=case.plan, actor=case.owner, comment=comment)
        return step

    def _step_done(self, cp: CasePlan, k: int):
        """The step's owner reports it done; the last one completes the plan (the service does that)."""
        note = self.rng.choice(STEP_NOTES)

        def step():
            case = cp.get()
            plan_step = case.plan.steps.select_related("owner").order_by("position")[k]
            plan_services.plan_step_complete(step=plan_step, actor=plan_step.owner or case.owner, note=note)
        return step

    def _customer_update(self, cp: CasePlan, text: str):
        channel = self.rng.choice([Channel.PHONE, Channel.EMAIL, Channel.CHAT])

        def step():
            case = cp.get()
            plan_services.case_customer_update(case=case, actor=case.owner, channel=channel, summary=text,
                                               occurred_at=timezone.now())
        return step

    # -- visits -----------------------------------------------------------------------------------
    def plan_visits(self, case_plans: list[CasePlan], *, orders: bool = True) -> list[VisitPlan]:
        """The visits the follow-up queue will ask for: accepted and delivered orders, resolved cases."""
        wanted: list[tuple[str, type, Callable, dt.datetime, Customer]] = []
        for op in self.ctx.outputs.get("orders", []) if orders else []:
            if not op.steps:
                continue
            if op.final == OS.ACCEPTED:
                wanted.append(("accepted", Order, self._order_getter(op), op.steps[-1][0], op.customer))
            elif op.final == OS.DELIVERED and not op.install:
                wanted.append(("delivered", Order, self._order_getter(op), op.steps[-1][0], op.customer))
        for cp in case_plans:
            if cp.resolved_at is not None:
                wanted.append(("case_resolved", Case, self._case_getter(cp), cp.resolved_at, cp.customer))
        wanted.sort(key=lambda w: w[3])
        plans = []
        for reason, model, getter, row_at, customer in wanted:
            vp = self._new_visit(len(plans), reason, model, getter, row_at)
            if vp is not None:
                vp.customer = customer
                plans.append(vp)
        self._draw_fates(plans, low_scores=orders)
        return plans

    @staticmethod
    def _order_getter(op):
        # the order once it exists (entered, or converted from its inquiry)
        return lambda: op.source.order if op.source is not None else op.order

    @staticmethod
    def _case_getter(cp: CasePlan):
        return lambda: cp.case

    def _new_visit(self, index: int, reason: str, model: type, getter: Callable, row_at: dt.datetime):
        if reason not in self.due_days:
            return None  # no rule for the reason: the row waits in the queue
        created = self.first_sweep_after(row_at + dt.timedelta(seconds=1))
        if created is None or created >= self.now - dt.timedelta(minutes=30):
            return None  # asked for a moment ago: the next sweep plans it
        day = timezone.localdate(row_at)
        left = self.due_days[reason]
        while left > 0:
            day += dt.timedelta(days=1)
            if self.ctx.working.is_working_day(day):
                left -= 1
        return VisitPlan(index=index, reason=reason, model=model, subject=getter, row_at=row_at, created_at=created,
                         planned_for=day)

    def _draw_fates(self, plans: list[VisitPlan], *, low_scores: bool = True) -> None:
        """What happens to each visit. In --small too: phone and link, failed attempts switched to the
        link, cancelled, open ones due soon and overdue, a link waiting, re-checks, every score 1–5
        (the few low ones each open a case)."""
        rng = self.rng
        today = timezone.localdate(self.now)
        future = [vp for vp in plans if vp.planned_for >= today]
        recent = [vp for vp in plans if today - dt.timedelta(days=12) <= vp.planned_for < today]
        old = [vp for vp in plans if vp.planned_for < today - dt.timedelta(days=12)]
        for n, vp in enumerate(future):  # due soon: to call, or the survey sent and not answered yet
            vp.fate = "link_waiting" if n % 3 == 1 else "open"
        recent.sort(key=lambda vp: vp.planned_for, reverse=True)
        if recent and not any(vp.fate == "link_waiting" for vp in future):
            recent.pop(0).fate = "link_waiting"
        for n, vp in enumerate(recent):  # overdue: nobody reached the customer yet, or just done
            vp.fate = "overdue" if n % 2 == 0 or not old else rng.choice(["phone", "link"])
            if vp.fate == "overdue" and n % 4 == 0:
                vp.attempts = [rng.choice(list(ATTEMPT_NOTES))]
        forced = ["link", "failed_link", "cancelled", "phone_low", "link_low", "phone_recheck_confirmed",
                  "phone_recheck_discrepancy", "phone_recheck_requested"]
        if not any(vp.fate == "overdue" for vp in recent):
            forced.insert(0, "overdue")  # one left undone long past its date: reminded and escalated
        if not future and not recent:
            forced[:0] = ["link_waiting", "open"]
        if not self.small:
            forced += ["phone_low", "link_low", "failed_link"]
        if not low_scores:
            forced = [f for f in forced if not f.endswith("_low")]
        order = list(old)
        rng.shuffle(order)
        lows = 0
        for n, vp in enumerate(order):
            fate = forced[n] if n < len(forced) else rng.choices(
                ["phone", "link", "failed_link", "cancelled"], weights=[64, 28, 4, 4])[0]
            vp.score = rng.choices([5, 4, 3, 2, 1], weights=[38, 36, 16, 7, 3])[0]
            if fate.endswith("_low"):
                vp.score = 1 if lows % 2 == 0 else 2  # both low scores, whatever the draw
                lows += 1
                fate = fate[:-4]
            elif vp.score <= 2 and fate != "cancelled":
                vp.score = 3  # low scores are the few below, each opening a case
            if fate.startswith("phone_recheck_"):
                vp.recheck = fate.removeprefix("phone_recheck_")
                fate = "phone"
                vp.score = max(vp.score, 3)
            vp.fate = fate
        for vp in plans:
            if vp.fate in ("phone", "link", "failed_link") and vp.score is None:
                vp.score = rng.choices([5, 4, 3], weights=[45, 40, 15])[0]
            if vp.fate == "phone" and not vp.attempts and rng.random() < 0.25:
                vp.attempts = [rng.choice(list(ATTEMPT_NOTES))]
            if vp.fate == "failed_link":
                vp.attempts = [rng.choice(list(ATTEMPT_NOTES)) for _ in range(3)]
            if vp.fate == "phone" and not vp.recheck and rng.random() < 0.04:
                vp.recheck = "confirmed"
        # a spread: 3, 4 and 5 each given at least once (the most frequent score gives way)
        done = [vp for vp in plans if vp.fate in ("phone", "link", "failed_link") and vp.score >= 3 and not vp.recheck]
        for score in (5, 4, 3):
            if done and not any(vp.score == score for vp in done):
                counts = {s: sum(1 for vp in done if vp.score == s) for s in (3, 4, 5)}
                common = max(counts, key=lambda s: (counts[s], s))
                next(vp for vp in done if vp.score == common).score = score
        for vp in plans:
            vp.call_seconds = rng.randint(90, 720)
            vp.ip = f"{rng.choice(IP_PREFIXES)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
            vp.user_agent = rng.choice(USER_AGENTS)
            if vp.score is not None:
                vp.comments = rng.choice(VISIT_COMMENTS[vp.score])
                vp.suggestions = rng.choice(SUGGESTIONS) if vp.score >= 3 else "希望尽快彻底解决问题，并定期回访。"

    def lay_out_visit(self, vp: VisitPlan) -> None:
        rng = self.rng
        owner_wait = rng.uniform(-1.5, 1.0)  # days from the planned date to the first call
        planned = timezone.make_aware(dt.datetime.combine(vp.planned_for, dt.time(10)))
        first = max(vp.created_at + dt.timedelta(minutes=rng.randint(30, 240)),
                    planned + dt.timedelta(days=owner_wait))
        clock = Clock(rng, first)
        steps: list[Callable[[], None]] = []
        times: list[dt.datetime] = []

        def then(lo: float, hi: float, step: Callable[[], None]) -> None:
            times.append(clock.next(lo, hi) if times else clock.office(clock.t))
            steps.append(step)

        fate = vp.fate
        if fate == "open":
            return
        if fate in ("link", "link_waiting"):
            then(0, 0, self._send_link(vp))
            if fate == "link":
                then(2 * HOUR, 3 * DAY, self._answer_link(vp))
        elif fate == "cancelled":
            then(0, 0, self._visit_cancel(vp))
        else:
            for outcome in vp.attempts:
                then(HOUR, DAY, self._attempt(vp, outcome))
            if fate == "failed_link":
                then(10, HOUR, self._send_link(vp))
                then(2 * HOUR, 2 * DAY, self._answer_link(vp))
            elif fate == "phone":
                then(10, 4 * HOUR, self._call(vp))
                if vp.recheck:
                    then(DAY, 4 * DAY, self._recheck_request(vp))
                    if vp.recheck != "requested":
                        then(HOUR, 3 * DAY, self._recheck_result(vp))
        if not steps:
            return
        limit = self.now - dt.timedelta(minutes=5)
        if times[-1] > limit:  # squeezed into the time left, but never before the visit exists
            start = max(vp.created_at + dt.timedelta(minutes=15), min(times[0], limit - dt.timedelta(hours=1)))
            if start >= limit:
                return
            span = (times[-1] - times[0]) or dt.timedelta(minutes=1)
            times = [start + (t - times[0]) * ((limit - start) / span) for t in times]
        placed = self.ctx.working_times(times, limit=limit)
        if placed[0] <= vp.created_at:
            return  # no working time left after it was planned: it stays open
        vp.steps = list(zip(placed, steps, strict=True))
        if fate in ("phone", "link", "failed_link"):
            answer_step = -1 if not vp.recheck else -1 - (1 if vp.recheck == "requested" else 2)
            vp.done_at = placed[answer_step]

    # -- visit steps: the visit services, as the pages call them ------------------------------------
    def _attempt(self, vp: VisitPlan, outcome: str):
        def step():
            visit = vp.get()
            if visit is None or visit.status != V.PLANNED:
                return
            _visits().visit_attempt_add(visit=visit, actor=visit.owner or self._fallback_owner(visit),
                                        outcome=outcome, note=ATTEMPT_NOTES[outcome])
        return step

    def _fallback_owner(self, visit: Visit) -> User:
        return department_managers(department=visit.department).order_by("pk").first()

    def _answers(self, visit: Visit, vp: VisitPlan) -> dict[int, Any]:
        """The answers of the visit's own questionnaire version, in line with the overall score."""
        answers: dict[int, Any] = {}
        score = vp.score
        questions = Question.objects.filter(version_id=visit.questionnaire_version_id).order_by("position", "pk")
        for n, q in enumerate(questions):
            if q.kind == Question.Kind.SCALE:
                answers[q.pk] = score if n == 0 else max(1, min(5, score + (vp.index + n) % 3 - 1))
            elif q.kind == Question.Kind.CHOICE and q.choices:
                answers[q.pk] = q.choices[0 if score >= 4 else -1 if score == 3 else min(1, len(q.choices) - 1)]
            elif q.kind == Question.Kind.TEXT and vp.suggestions:
                answers[q.pk] = vp.suggestions
        return answers

    def _call(self, vp: VisitPlan):
        def step():
            visit = vp.get()
            if visit is None or visit.status != V.PLANNED:
                return
            owner = visit.owner or self._fallback_owner(visit)
            services = _visits()
            services.visit_attempt_add(visit=visit, actor=owner, outcome=PhoneAttempt.Outcome.REACHED)
            services.visit_record(visit=visit, actor=owner, satisfaction=vp.score, answers=self._answers(visit, vp),
                                  comments=vp.comments, suggestions=vp.suggestions,
                                  called_at=self._call_started(vp.call_seconds),
                                  call_seconds=vp.call_seconds)
        return step

    def _call_started(self, seconds: int) -> dt.datetime:
        """When the call just recorded began: its duration ago, not before the office opened."""
        now = timezone.now()
        local = now.astimezone(self.ctx.working.tz)
        opened = [a for a, b in self.ctx.working.intervals(local.date()) if a <= local <= b]
        return max(now - dt.timedelta(seconds=seconds), opened[0]) if opened else now

    def _send_link(self, vp: VisitPlan):
        def step():
            visit = vp.get()
            if visit is None or visit.status != V.PLANNED:
                return
            contact = visit.customer.contacts.first()
            _visit, url = _visits().visit_send_link(visit=visit, actor=visit.owner or self._fallback_owner(visit),
                                                    contact_name=contact.name if contact else "")
            vp.token = url.rstrip("/").rsplit("/", 1)[-1]  # what the customer's message carries
        return step

    def _answer_link(self, vp: VisitPlan):
        def step():
            visit = vp.get()
            if visit is None or visit.status != V.LINK_SENT or not vp.token:
                return
            services = _visits()
            # As the public survey page does: the link is checked, used and consumed in the answer's transaction.
            with link_consume(vp.token, services.VISIT_FEEDBACK) as use:
                services.visit_feedback_record(visit=use.record, use=use, satisfaction=vp.score,
                                               answers=self._answers(visit, vp), comments=vp.comments,
                                               suggestions=vp.suggestions, ip=vp.ip, user_agent=vp.user_agent)
        return step

    def _visit_cancel(self, vp: VisitPlan):
        comment = self.rng.choice(VISIT_CANCELS)

        def step():
            visit = vp.get()
            if visit is None or visit.status not in Visit.OPEN_STATES:
                return
            _visits().visit_cancel(visit=visit, actor=visit.owner or self._fallback_owner(visit), comment=comment)
        return step

    def _recheck_request(self, vp: VisitPlan):
        def step():
            visit = vp.get()
            if visit is None or visit.status != V.DONE or visit.method != Visit.Method.PHONE:
                return
            _visits().visit_recheck_request(visit=visit, actor=self.users["chen.jing"], note="抽查电话回访记录。")
        return step

    def _recheck_result(self, vp: VisitPlan):
        def step():
            visit = vp.get()
            if visit is None or visit.recheck_status != Visit.Recheck.REQUESTED:
                return
            _visits().visit_recheck_record(visit=visit, actor=self.users["huang.li"], result=vp.recheck,
                                           note=RECHECK_NOTES[vp.recheck])
        return step

    # -- low scores open cases ----------------------------------------------------------------------
    def plan_low_score_cases(self, visits: list[VisitPlan], first_index: int) -> list[CasePlan]:
        plans = []
        for vp in visits:
            if vp.score is None or vp.score > 2 or vp.done_at is None:
                continue
            start = vp.done_at + dt.timedelta(minutes=self.rng.randint(30, 180))
            if start >= self.now - dt.timedelta(hours=1):
                continue
            age = (self.now - start).days
            final = (S.CLOSED if age > 40 else S.RESOLVED if age > 15 else S.IN_PROGRESS)
            # what visit_open_case writes (subject, type, severity) is its own; the story follows
            cp = self._new_case(first_index + len(plans), final, start, case_type=T.SERVICE, severity="high",
                                customer=vp.customer)
            cp.source = vp
            vp.low_case = cp
            plans.append(cp)
        return plans


def _visits():
    """The visit services (VIS-1/VIS-2), imported when a step runs."""
    from .services import visits

    return visits


def _visits_schedule(at: dt.datetime) -> None:
    """VIS-1: the scheduler's run over the follow-up queue, as beat makes it."""
    from .services.scheduler import visits_schedule

    visits_schedule(now=at)


def build(ctx: DemoContext) -> None:
    demo = AftersalesDemo(ctx)
    demo.configure()
    cases = demo.plan_cases()
    for cp in cases:
        demo.lay_out_case(cp)
    visits = demo.plan_visits(cases)
    for vp in visits:
        demo.lay_out_visit(vp)
    low = demo.plan_low_score_cases(visits, len(cases))
    for cp in low:
        demo.lay_out_case(cp)
    more = demo.plan_visits(low, orders=False)  # the low-score cases resolved since are visited too
    for n, vp in enumerate(more):
        vp.index = len(visits) + n
        demo.lay_out_visit(vp)
    ctx.outputs["aftersales"] = {"cases": cases + low, "visits": visits + more}
    for cp in cases + low:
        ctx.add_steps(CASE_PLAN_BASE + cp.index, cp.steps)
    for vp in visits + more:
        ctx.add_steps(VISIT_PLAN_BASE + vp.index, vp.steps)
    # VIS-1: the scheduler as beat runs it, at the first beat after each follow-up was asked for
    # (beat runs it every few minutes; the runs in between find nothing due and are left out).
    runs = sorted({vp.created_at for vp in visits + more})
    ctx.every(rank=SCHEDULER_RANK, times=lambda first: [t for t in runs if t >= first], step=_visits_schedule,
              last=lambda: _last_schedule(ctx))


def _last_schedule(ctx: DemoContext) -> None:
    # What fell due since: planned at the last working moment (people are at work when visits appear).
    at = ctx.previous_working(timezone.now())
    with time_machine.travel(at, tick=False):
        _visits_schedule(at)
