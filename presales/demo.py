"""DATA-1, pre-sales: a year of inquiries in every state, on every channel, with discussions,
versioned solutions, communication logs, hand-overs and conversions. Declared on PresalesConfig
(``demo_data``); the orders builder reads the plans (``ctx.outputs["presales"]``) to convert."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from presales import services as presales
from presales.models import Channel, Inquiry, Priority
from qsm.contacts.models import ContactEntry
from qsm.demo import DAY, HOUR, Clock, DemoBuilder, DemoContext
from qsm.org.models import Contact, Customer, Product, User

S = Inquiry.Status

SERVICE_LINES = ("维保服务", "技术服务")

# (subject, question, answer given); {product} {part} {qty} {weeks} {cycle} {target} {application} {weight}
TOPICS = {
    "数控机床": [
        ("{product}报价与交期", "计划采购{qty}台{product}用于加工{part}，请提供报价、标准交期和付款方式。",
         "介绍了{product}的标准配置和主要参数，标准交期约{weeks}周，正式报价由销售部出具。"),
        ("{product}加工精度咨询", "加工{part}，关键尺寸公差±0.005 mm，想确认{product}的定位精度和重复定位精度，是否需要选配光栅尺。",
         "说明了{product}的精度指标，建议选配全闭环光栅尺，可安排试切验证。"),
        ("{product}试切样件", "希望寄送{part}图纸，在{product}上试切样件后再决定是否采购。",
         "同意安排试切，请客户提供图纸、材料和检验要求，试切计划确认后回复。"),
        ("{product}数控系统选型", "询问{product}可选的数控系统（发那科、西门子、国产系统）及价格差异。",
         "介绍了三种数控系统的配置差异和价格区间，建议按操作人员习惯选型。"),
    ],
    "自动化产线": [
        ("{part}{product}方案咨询", "{part}目前靠人工生产，节拍约{cycle}秒/件，希望了解{product}能否把节拍提升到{target}秒/件、需要多少投资。",
         "介绍了同行业的产线案例，节拍和投资估算需要现场调研后给出。"),
        ("{product}与现有车间布局", "车间面积有限，询问{product}能否利用现有设备改造，停产时间能否控制在两周内。",
         "说明可以分段实施改造，请客户提供车间平面图和现有设备清单。"),
        ("{product}交钥匙工程", "希望以交钥匙方式建设{part}{product}，询问包含的范围、验收标准和质保期。",
         "介绍了交钥匙工程范围（设计、制造、安装、调试、培训）和一年质保政策。"),
    ],
    "工业机器人": [
        ("{product}用于{application}", "计划用{product}替代人工进行{application}，工件约{weight} kg，询问负载和节拍是否合适。",
         "按工件重量和节拍初步判断{product}可以满足，建议提供样件做仿真验证。"),
        ("{product}给机床上下料", "想用{product}给现有加工中心上下料，询问通讯接口和安全防护要求。",
         "支持常用现场总线接口，需要配置安全围栏和安全光栅，可提供集成方案。"),
        ("{product}示教编程培训", "采购{product}后操作人员没有编程经验，询问培训内容、时长和费用。",
         "标准培训课程为5天，含基础操作和示教编程，可在客户现场进行。"),
    ],
    "维保服务": [
        ("设备年度维保合同续签", "现有{qty}台设备的维保合同即将到期，询问续签价格和服务内容是否有调整。",
         "介绍了新年度维保内容（定期巡检、优先响应、备件折扣），价格待核算后回复。"),
        ("加工{part}的设备异响，咨询上门维修", "加工{part}的设备主轴运转时有异响，询问上门维修费用和最快到场时间。",
         "已记录故障现象，24小时内安排工程师联系，费用按维修服务价格表执行。"),
        ("关键备件供货周期", "询问主轴、丝杠等关键备件的库存和供货周期，希望签订备件保障协议。",
         "常用备件有库存，关键备件供货周期约2-4周，可签订备件保障协议。"),
    ],
    "技术服务": [
        ("{product}可行性", "有{qty}台旧设备精度下降，询问{product}的可行性、周期和费用。",
         "需要工程师到现场评估设备状况后才能确定方案和报价。"),
        ("数控编程与保养培训", "新员工较多，希望安排一次数控编程和设备日常保养培训。",
         "介绍了培训课程体系，可按人数和基础定制课程。"),
    ],
}
PARTS = ["汽车变速箱壳体", "液压阀块", "风电法兰", "医疗器械骨板", "手机中框模具", "航空铝合金结构件", "电机端盖",
         "泵体", "轴承座", "新能源电池托盘"]
APPLICATIONS = ["焊接", "码垛", "上下料", "打磨抛光", "装配"]
# What callers add to their question: their situation, in their words (DATA-1: no two alike).
QUESTION_DETAILS = ["我们是{city}的{industry}企业，现有同类设备{count}台。", "希望{days}个工作日内给个答复。",
                    "年产量大约{volume}件。", "原来的设备已经用了{years}年。", "能否安排技术人员到我司现场看一下？",
                    "预算大约{budget}万元。", "麻烦报含税价，并注明运费。", "{month}月份要上新项目，时间比较紧。",
                    "之前在展会上看过贵司的样机。", "同行{peer}家在用贵司设备，反馈不错。"]
CITIES = ["苏州", "宁波", "无锡", "佛山", "东莞", "常州", "青岛", "合肥", "成都", "武汉", "长沙", "温州"]
INDUSTRIES = ["汽车零部件", "模具", "家电", "医疗器械", "风电装备", "工程机械", "电子", "阀门", "液压件"]

# A customer's needs, per product line: why they buy, what they require, and the terms; combined
# with drawn numbers so that no two orders read alike (DATA-1).
NEED_PURPOSES = {
    "数控机床": ["用于{part}的批量加工，年产量约{volume}件", "替换车间服役十年以上的旧设备，继续加工{part}",
                 "新建{part}加工车间，首期采购{qty}台", "承接主机厂新项目的{part}订单，需要扩充产能",
                 "现有设备精度不稳定，{part}废品率偏高，计划更新设备"],
    "自动化产线": ["{part}生产线自动化改造，现节拍约{cycle}秒/件", "新建{part}柔性装配线，兼容{variants}个型号",
                   "焊接工序招工困难，希望用产线替代{workers}名操作工", "{part}产量翻番，现有人工线无法满足"],
    "工业机器人": ["用机器人替代人工{application}，工件约{weight} kg", "为现有{qty}台加工中心配置机器人上下料",
                   "{part}{application}工位自动化，两班倒连续生产", "试点一个{application}工作站，成功后推广到全车间"],
    "维保服务": ["{qty}台设备年度维保，覆盖定期巡检和故障抢修", "关键设备停机损失大，要求{hours}小时内到场",
                 "设备已使用{years}年，精度下降，需要全面保养", "原厂保修期已过，希望签订延保服务"],
    "技术服务": ["{qty}台旧机床数控化改造，恢复加工精度", "新员工{people}人需要数控编程与操作培训",
                 "{part}加工工艺优化，效率目标提升{percent}%", "设备搬迁后需要重新安装调试和精度恢复"],
}
NEED_REQUIREMENTS = {
    "数控机床": ["关键尺寸公差±{tol} mm，要求配置全闭环光栅尺", "主轴转速不低于{rpm} rpm，刀库{tools}把",
                 "要求自动排屑和在线测量，减少人工抽检", "希望配置第四轴，一次装夹完成多面加工",
                 "设备需与现有 MES 系统联网，采集加工数据", "要求提供{part}试切样件并出具检测报告"],
    "自动化产线": ["目标节拍{target}秒/件，一次合格率不低于{yield_}%", "需预留与 MES、WMS 的通讯接口",
                   "改造期间停产时间不超过{stop}天", "产线需带安全围栏和急停联锁", "换型时间控制在{changeover}分钟内"],
    "工业机器人": ["重复定位精度要求±{rep} mm", "需配视觉引导，适应来料位置偏差", "要求示教编程简单，操作工一周内上手",
                   "节拍要求{target}秒以内", "工作站占地不超过{area}平方米"],
    "维保服务": ["每季度巡检一次并出具巡检报告", "常用备件需在客户现场寄存", "希望按年度打包计价", "故障响应需提供7×24小时热线"],
    "技术服务": ["改造后定位精度达到{tol} mm", "培训需在客户现场进行，含实操考核", "希望先出评估报告再确定方案",
                 "改造工期不超过{weeks}周"],
}
NEED_TERMS = ["交期要求{weeks}周内", "预算约{budget}万元", "付款希望按3-6-1分期", "要求提供操作培训和一年质保",
              "需开具增值税专用发票", "希望先安排技术交流和现场调研", "验收按双方确认的技术协议执行",
              "要求提供中文操作手册和电气图", "运输和吊装由供方负责"]


def compose_needs(rng, line: str, **values) -> str:
    """A customer's needs for ``line``: a purpose, one or two requirements and one or two terms."""
    numbers = {
        "part": rng.choice(PARTS), "qty": rng.randint(1, 8), "volume": rng.choice([8000, 20000, 35000, 50000, 120000]),
        "weeks": rng.choice([4, 6, 8, 10, 12, 16]), "budget": rng.choice([30, 45, 80, 120, 150, 260, 400, 600]),
        "cycle": rng.choice([75, 90, 120, 150]), "target": rng.choice([30, 45, 50, 60, 75]),
        "application": rng.choice(APPLICATIONS), "weight": rng.choice([3, 5, 8, 12, 18, 25]),
        "variants": rng.randint(2, 6), "workers": rng.randint(4, 16), "hours": rng.choice([4, 8, 24]),
        "years": rng.randint(5, 15), "people": rng.randint(3, 20), "percent": rng.choice([10, 15, 20, 30]),
        "tol": rng.choice(["0.003", "0.005", "0.008", "0.01"]), "rpm": rng.choice([8000, 10000, 12000, 15000]),
        "tools": rng.choice([16, 24, 30, 40]), "yield_": rng.choice([98, 99, 99.5]), "stop": rng.randint(5, 20),
        "changeover": rng.choice([10, 15, 30]), "rep": rng.choice(["0.02", "0.03", "0.05"]), "area": rng.randint(6, 20),
    } | values
    line = line if line in NEED_PURPOSES else "数控机床"
    parts = [rng.choice(NEED_PURPOSES[line])]
    parts += rng.sample(NEED_REQUIREMENTS[line], rng.choice([1, 2]))
    parts += rng.sample(NEED_TERMS, rng.choice([1, 2]))
    return "；".join(p.format(**numbers) for p in parts) + "。"


RECOMMENDATIONS = [
    "推荐{product}，选配自动排屑和在线测量；建议先做技术交流和试切。",
    "推荐{product}标准配置，配套年度维保服务；分两期付款。",
    "推荐{product}，增加一套专用夹具；交期按{weeks}周承诺。",
]
DISCUSSION_NOTES = [
    "第一次方案评审：生产部确认可在{weeks}周内交付，专用夹具需要定制设计；质量管理部要求增加首件检验。",
    "第二次方案评审：按客户补充的节拍要求（{target}秒/件）调整方案，投资约增加{delta}万元，生产部确认排产可行。",
    "生产部意见：关键件需要外协加工，建议交期按{weeks}周承诺，并预留一周调试时间。",
    "与客户技术人员视频会议：确认了工件图纸版本、检验标准和验收方式。",
]
SOLUTION_TEXT = [
    "方案概述：{product}+专用夹具，节拍{target}秒/件。\n主要配置：自动排屑、在线测量、安全防护。\n交期：{weeks}周。\n参考报价：约{budget}万元（不含税）。",
    "修订：按客户意见将节拍要求调整为{target}秒/件，增加备用夹具一套；交期{weeks}周；参考报价约{budget}万元。",
    "定稿：确认配置与交期（{weeks}周），含安装调试、操作培训和一年质保；报价约{budget}万元。",
]
INBOUND = [
    "客户来电询问方案进度，答复本周内提供初稿。",
    "客户邮件补充了零件图纸和年产量数据。",
    "客户在线咨询付款方式，答复可按3-6-1分期付款。",
    "客户来电希望提前交期，已记录并反馈内部评估。",
]
OUTBOUND = [
    "电话回访，确认客户已收到产品资料。",
    "邮件发送产品样本和参考报价单。",
    "与客户确认下周二到现场调研。",
    "电话告知客户内部评审结论，客户表示认可。",
]
HANDOVER_NOTES = ["客户需求已确认，请跟进报价和合同。", "已完成需求分析和方案，请接手商务谈判。", "客户希望尽快签约，请优先处理。"]
CLOSE_COMMENTS = ["已解答客户疑问，客户暂无采购计划。", "客户已获取所需资料，咨询结束。", "价格超出客户预算，客户暂缓。",
                  "客户选择了其他方案，结束跟进。"]
CANCEL_COMMENTS = ["重复登记，已在另一条咨询中处理。", "客户撤回咨询：项目取消。", "客户已从其他供应商采购。",
                   "登记错误：非本公司业务。"]
REOPEN_COMMENT = "客户再次来电，重新提出采购意向。"
RETURN_COMMENTS = ["交接信息不完整，请补充客户预算和期望交期后再交接。", "需求尚不明确，请先与客户确认技术要求。"]

# Final states of the inquiries and how many of each (the full set, about 150).
FULL_MIX = {S.NEW: 12, S.ANSWERED: 14, S.DISCUSSION: 8, S.HANDED_OVER: 10, S.ACKNOWLEDGED: 12, S.CONVERTED: 30,
            S.CLOSED: 48, S.CANCELLED: 16}
SMALL_MIX = {S.NEW: 3, S.ANSWERED: 3, S.DISCUSSION: 2, S.HANDED_OVER: 3, S.ACKNOWLEDGED: 2, S.CONVERTED: 4,
             S.CLOSED: 6, S.CANCELLED: 2}
# Share of complex needs (PRE-3 discussion) among inquiries ending in each state.
COMPLEX_SHARE = {S.DISCUSSION: 1.0, S.HANDED_OVER: 0.3, S.ACKNOWLEDGED: 0.35, S.CONVERTED: 0.4, S.CANCELLED: 0.15}


@dataclass
class Plan:
    """One inquiry's life: steps at moments of the past year, run in global time order."""

    index: int
    final: str
    owner: User
    customer: Customer
    contact: Contact | None
    products: list[Product]
    texts: dict[str, str]
    is_complex: bool = False
    receiver: User | None = None  # who acknowledges (and converts) in the receiving department
    inquiry: Inquiry | None = None
    order: Any = None  # the orders.Order it was converted into (by the orders builder)
    steps: list[tuple[dt.datetime, Callable[[], None]]] = field(default_factory=list)



class InquiryDemo(DemoBuilder):
    # -- inquiries -----------------------------------------------------------------------------
    def plan_inquiries(self) -> list[Plan]:
        rng = self.rng
        mix = SMALL_MIX if self.small else FULL_MIX
        finals = [status for status, count in mix.items() for _ in range(count)]
        rng.shuffle(finals)
        u = self.users
        service_staff = [u["zhang.wei"], u["zhang.wei"], u["zhou.min"], u["zhou.min"], u["li.na"]]
        sales_staff = [u["wang.fang"], u["wu.qiang"], u["liu.yang"]]
        plans = []
        terminal_slot = 0
        for index, final in enumerate(finals):
            from_sales = rng.random() < 0.3
            owner = rng.choice(sales_staff if from_sales else service_staff)
            # Sales hands service work (maintenance, retrofits) to customer service, and the reverse.
            lines = SERVICE_LINES if from_sales else ("数控机床", "数控机床", "自动化产线", "工业机器人", "维保服务")
            line = rng.choice(lines)
            in_line = [p for p in self.products if p.product_line == line]
            products = [rng.choice(in_line)]
            customer = rng.choice(self.customers)
            plan = Plan(index=index, final=final, owner=owner, customer=customer,
                        contact=customer.contacts.first(), products=products,
                        texts=self._texts(line, products[0], customer),
                        is_complex=rng.random() < COMPLEX_SHARE.get(final, 0.0))
            receiving = self.departments["service" if from_sales else "sales"]
            plan.receiver = rng.choice(
                [m for m in self.users.values() if m.department_id == receiving.pk]
            )
            start, last_at = self._window(final, terminal_slot)
            if final in (S.CLOSED, S.CANCELLED, S.CONVERTED):
                terminal_slot += 1
            self._schedule(plan, start, last_at)
            plans.append(plan)
        return plans

    def _window(self, final: str, slot: int) -> tuple[dt.datetime, dt.datetime | None]:
        """When the inquiry arrives; for the fresh open ones also the moment of their last step."""
        rng, now = self.rng, self.now
        days = lambda lo, hi: now - dt.timedelta(days=rng.uniform(lo, hi))  # noqa: E731
        if final in (S.CLOSED, S.CANCELLED, S.CONVERTED):
            # Spread over all twelve months, one month after another.
            month = slot % 12
            return self.year_ago + dt.timedelta(days=month * 30.4 + rng.uniform(0, 29)), None
        if final == S.NEW:
            if rng.random() < 0.4:  # just logged: the first-response clock is still running
                just_now = now - dt.timedelta(minutes=rng.randint(5, 50))
                return just_now, just_now
            return days(2, 25), None  # overdue: nobody answered in time
        if final == S.HANDED_OVER:
            if rng.random() < 0.4:  # just handed over: waiting for the acknowledgement, in time
                return days(6, 30), now - dt.timedelta(minutes=rng.randint(5, 50))
            return days(8, 40), None  # overdue: the receiving department has not acknowledged
        if final == S.ANSWERED:
            return days(1, 45), None
        if final == S.DISCUSSION:
            return days(12, 60), None
        return days(15, 120), None  # acknowledged

    def _texts(self, line: str, product: Product, customer: Customer) -> dict[str, str]:
        rng = self.rng
        values = {
            "product": product.name, "part": rng.choice(PARTS), "qty": rng.randint(1, 6), "weeks": rng.choice([6, 8, 10, 12]),
            "cycle": rng.choice([90, 120, 150]), "target": rng.choice([45, 60, 75]), "application": rng.choice(APPLICATIONS),
            "weight": rng.choice([3, 5, 12, 18]), "volume": rng.choice([20000, 50000, 120000]),
            "budget": rng.choice([40, 80, 150, 300, 600]), "delta": rng.choice([8, 15, 30]),
            "customer": customer.name.replace("股份有限公司", "").replace("有限公司", ""),
        }
        subject, question, answer = rng.choice(TOPICS[line])
        fmt = lambda s: s.format(**values)  # noqa: E731
        # Subjects as people type them: often with the customer's short name or the part in front.
        prefix = rng.choice(["", "{customer}：", "{customer}", "【{part}】", "{customer}咨询：", "{customer}再次咨询："])
        details = {"city": rng.choice(CITIES), "industry": rng.choice(INDUSTRIES), "count": rng.randint(2, 30),
                   "days": rng.choice([2, 3, 5]), "years": rng.randint(6, 15), "month": rng.randint(1, 12),
                   "peer": rng.randint(2, 6)}
        said = "".join(d.format(**values, **details)
                       for d in rng.sample(QUESTION_DETAILS, rng.choice([1, 1, 2])))
        return {
            "subject": fmt(prefix + subject), "question": fmt(question) + said, "answer": fmt(answer),
            "needs": compose_needs(rng, line, part=values["part"], qty=values["qty"], weeks=values["weeks"],
                                   budget=values["budget"]),
            "recommendation": fmt(rng.choice(RECOMMENDATIONS)),
            "topic": fmt("{customer}{part}定制方案评审"),
            "notes": [fmt(n) for n in rng.sample(DISCUSSION_NOTES, 3)],
            "solutions": [fmt(s) for s in SOLUTION_TEXT],
            "solution_title": fmt("{part}{product}定制方案"),
        }

    def _schedule(self, plan: Plan, start: dt.datetime, last_at: dt.datetime | None) -> None:
        """Lay out the plan's steps. Every random choice is drawn here, never when a step runs,
        so one seed gives one data set whatever the order the steps run in."""
        rng, final = self.rng, plan.final
        channel = rng.choices(Channel.values, weights=[40, 25, 20, 10, 5])[0]
        priority = rng.choices(Priority.values, weights=[75, 20, 5])[0]
        clock = Clock(rng, start)
        steps: list[Callable[[], None]] = []

        def then(lo: float, hi: float, step: Callable[[], None]) -> None:
            clock.next(lo, hi)
            steps.append(step)

        # E-mail and chat arrive at any hour; calls and visits in office hours.
        clock.next(office=channel in (Channel.PHONE, Channel.VISIT))
        answered_at_once = final != S.NEW and channel in (Channel.PHONE, Channel.VISIT) and rng.random() < 0.6
        steps.append(self._create(plan, channel, priority, answered_at_once))
        if final != S.NEW:
            self._work(plan, then, answered_at_once)
        # In working hours on working days, whatever the draw (DATA-1: no approvals at 01:48 or on National Day).
        times = self.ctx.working_times(self._fit(clock.times, last_at), limit=last_at)
        plan.steps = list(zip(times, steps, strict=True))

    def _work(self, plan: Plan, then: Callable, answered_at_once: bool) -> None:
        rng, final = self.rng, plan.final
        if not answered_at_once:
            late = rng.random() < 0.15  # some first answers come too late (SLA-1 history)
            then(*((DAY, 3 * DAY) if late else (5, 5 * HOUR)), self._respond(plan))
        if rng.random() < 0.5:
            then(20, 2 * DAY, self._communicate(plan, inbound=rng.random() < 0.5))
        if final in (S.CLOSED, S.CANCELLED) and not plan.is_complex:
            if rng.random() < 0.4:
                then(HOUR, 2 * DAY, self._analyse(plan))
            if final == S.CLOSED and rng.random() < 0.15:  # closed, reopened by a new call, closed again
                then(HOUR, 5 * DAY, self._fire(plan, "close", rng.choice(CLOSE_COMMENTS)))
                then(2 * DAY, 20 * DAY, self._fire(plan, "reopen", REOPEN_COMMENT))
            if final == S.CLOSED:
                then(HOUR, 10 * DAY, self._fire(plan, "close", rng.choice(CLOSE_COMMENTS)))
            else:
                then(HOUR, 10 * DAY, self._fire(plan, "cancel", rng.choice(CANCEL_COMMENTS)))
            return
        if final == S.ANSWERED:
            if rng.random() < 0.6:
                then(HOUR, 2 * DAY, self._analyse(plan))
            if rng.random() < 0.3:  # handed over, but the receiving department sent it back
                then(HOUR, DAY, self._hand_over(plan))
                then(HOUR, DAY, self._fire(plan, "return", rng.choice(RETURN_COMMENTS), actor=plan.receiver))
            elif rng.random() < 0.2:
                then(HOUR, 5 * DAY, self._fire(plan, "close", rng.choice(CLOSE_COMMENTS)))
                then(DAY, 10 * DAY, self._fire(plan, "reopen", REOPEN_COMMENT))
            return
        then(HOUR, 2 * DAY, self._analyse(plan))
        if plan.is_complex:  # PRE-3: discussion, notes, versioned solution
            then(HOUR, 2 * DAY, self._open_discussion(plan))
            versions = 1 if final == S.DISCUSSION and rng.random() < 0.5 else rng.choice([1, 2, 2, 3])
            for version in range(1, versions + 1):
                then(DAY, 4 * DAY, self._note(plan, plan.texts["notes"][(version - 1) % len(plan.texts["notes"])]))
                then(HOUR, 3 * DAY, self._solution(plan, version))
            if final != S.DISCUSSION or rng.random() < 0.5:
                then(HOUR, DAY, self._send_solution(plan))
            if final == S.CANCELLED:
                then(DAY, 10 * DAY, self._fire(plan, "cancel", rng.choice(CANCEL_COMMENTS)))
        if final in (S.HANDED_OVER, S.ACKNOWLEDGED, S.CONVERTED):
            then(HOUR, 3 * DAY, self._hand_over(plan))
        if final in (S.ACKNOWLEDGED, S.CONVERTED):
            late = rng.random() < 0.15
            then(*((2 * DAY, 4 * DAY) if late else (10, 6 * HOUR)),
                 self._fire(plan, "acknowledge", f"已接收，由{plan.receiver}跟进。", actor=plan.receiver))
            if rng.random() < 0.6:
                then(HOUR, 3 * DAY, self._communicate(plan, inbound=False, actor=plan.receiver))
        if final == S.CONVERTED:
            then(2 * DAY, 15 * DAY, self._convert(plan))

    def _fit(self, times: list[dt.datetime], last_at: dt.datetime | None) -> list[dt.datetime]:
        """Keep the history in the past: a plan that would end after "now" (or after its fixed last
        step) moves back by whole weeks, so weekday and time of day stay plausible."""
        if last_at is not None:
            times = times[:-1]
        limit = (last_at or self.now) - dt.timedelta(minutes=2)
        if times and times[-1] > limit:
            shift = dt.timedelta(weeks=(times[-1] - limit) // dt.timedelta(weeks=1) + 1)
            times = [t - shift for t in times]
        return times + ([last_at] if last_at is not None else [])

    # -- steps: each one a service call at its moment ------------------------------------------
    def _create(self, plan: Plan, channel: str, priority: str, with_answer: bool):
        def step():
            plan.inquiry = presales.inquiry_create(
                actor=plan.owner, channel=channel, priority=priority, customer=plan.customer,
                subject=plan.texts["subject"], question=plan.texts["question"], products=plan.products,
                contact_name=plan.contact.name if plan.contact else "",
                contact_phone=plan.contact.phone if plan.contact else "",
                answer=plan.texts["answer"] if with_answer else "", received_at=timezone.now(),
            )
        return step

    def _respond(self, plan: Plan):
        def step():
            plan.inquiry = presales.inquiry_respond(inquiry=plan.inquiry, actor=plan.owner, answer=plan.texts["answer"])
        return step

    def _analyse(self, plan: Plan):
        products = plan.products + ([self.rng.choice(self.products)] if self.rng.random() < 0.3 else [])

        def step():
            plan.inquiry = presales.inquiry_analyse(
                inquiry=plan.inquiry, actor=plan.owner, needs_analysis=plan.texts["needs"],
                recommendation=plan.texts["recommendation"], recommended_products=products,
            )
        return step

    def _communicate(self, plan: Plan, *, inbound: bool, actor: User | None = None):
        channel = self.rng.choice([Channel.PHONE, Channel.EMAIL, Channel.CHAT])
        summary = self.rng.choice(INBOUND if inbound else OUTBOUND)

        def step():
            presales.communication_add(
                inquiry=plan.inquiry, actor=actor or plan.owner, channel=channel, summary=summary,
                direction=ContactEntry.Direction.INBOUND if inbound else ContactEntry.Direction.OUTBOUND,
            )
        return step

    def _open_discussion(self, plan: Plan):
        by_flag = self.rng.random() < 0.5  # marked complex on its own, or while analysing
        departments = [self.departments["production"]]
        if self.rng.random() < 0.5:
            departments.append(self.departments["quality"])
        users = [plan.receiver] if self.rng.random() < 0.5 else []

        def step():
            if by_flag:
                plan.inquiry = presales.inquiry_mark_complex(inquiry=plan.inquiry, actor=plan.owner,
                                                             comment="需要定制方案，提交跨部门讨论。")
            else:
                plan.inquiry = presales.inquiry_analyse(
                    inquiry=plan.inquiry, actor=plan.owner, needs_analysis=plan.texts["needs"] + "\n需要定制方案。",
                    recommendation=plan.texts["recommendation"], is_complex=True,
                )
            plan.inquiry = presales.inquiry_open_discussion(
                inquiry=plan.inquiry, actor=plan.owner, topic=plan.texts["topic"], departments=departments, users=users,
            )
        return step

    def _note(self, plan: Plan, body: str):
        author = self.rng.choice([plan.owner, self.users["sun.hao"], self.users["ma.jun"]])

        def step():
            presales.discussion_note_add(inquiry=plan.inquiry, actor=author, body=body, meeting_at=timezone.now())
        return step

    def _solution(self, plan: Plan, version: int):
        title = plan.texts["solution_title"] + ("" if version == 1 else f"（修订{version - 1}）")
        products = plan.products + ([self.rng.choice(self.products)] if version > 1 and self.rng.random() < 0.5 else [])
        content = plan.texts["solutions"][min(version, len(plan.texts["solutions"])) - 1]

        def step():
            presales.solution_add(inquiry=plan.inquiry, actor=plan.owner, title=title, content=content,
                                  products=products)
        return step

    def _send_solution(self, plan: Plan):
        via = self.rng.choice([Channel.EMAIL, Channel.VISIT])

        def step():
            latest = plan.inquiry.solutions.order_by("-version").first()
            presales.solution_mark_sent(solution=latest, actor=plan.owner, via=via)
        return step

    def _hand_over(self, plan: Plan):
        note = self.rng.choice(HANDOVER_NOTES)

        def step():
            plan.inquiry = presales.inquiry_hand_over(inquiry=plan.inquiry, actor=plan.owner,
                                                      department=plan.receiver.department, note=note)
        return step

    def _fire(self, plan: Plan, action: str, comment: str, actor: User | None = None):
        def step():
            plan.inquiry = presales.inquiry_fire(inquiry=plan.inquiry, actor=actor or plan.owner, action=action,
                                                 comment=comment)
        return step

    def _convert(self, plan: Plan):
        # Converting an inquiry is an orders service (DESIGN.md: the app on the right owns it): the
        # orders builder puts its converter in ctx.outputs["presales.convert"] before the year runs.
        def step():
            self.ctx.outputs["presales.convert"](plan)
        return step



def build(ctx: DemoContext) -> None:
    plans = InquiryDemo(ctx).plan_inquiries()
    ctx.outputs["presales"] = plans
    for plan in plans:
        ctx.add_steps(plan.index, plan.steps)
