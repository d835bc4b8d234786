"""DATA-1, orders: orders in every state, some converted from the pre-sales builder's inquiries
and some entered directly, with review rounds (returned and amended, waivers), production,
partial and rejected deliveries, progress updates and answered questions, installations in
every state, and the late-risk sweep each morning. Declared on OrdersConfig (``demo_data``)."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db.models import Sum
from django.utils import timezone

from orders import services as orders
from orders.models import Delivery, DeliveryLine, Installation, Order
from orders.selectors import order_draft_from_inquiry
from orders.services import order_create_from_inquiry
from presales.demo import Plan, compose_needs
from presales.models import Inquiry
from qsm.contacts.models import Channel, ContactEntry
from qsm.demo import DAY, HOUR, Clock, DemoBuilder, DemoContext
from qsm.org.demo import GIVEN, SURNAMES
from qsm.org.models import Customer, Product, Role, User
from qsm.org.selectors import department_managers

S = Inquiry.Status

# --- orders (ORD-1..4) -----------------------------------------------------------------------------
OS = Order.Status
IS = Installation.Status
# Final states of the orders entered directly (each converted inquiry adds one more, its state
# chosen by how long ago it was converted).
FULL_ORDER_MIX = {OS.REVIEW: 5, OS.RETURNED: 3, OS.APPROVED: 4, OS.IN_PRODUCTION: 7, OS.DELIVERING: 6, OS.DELIVERED: 6,
                  OS.INSTALLING: 8, OS.ACCEPTED: 10, OS.CANCELLED: 4}
SMALL_ORDER_MIX = {OS.REVIEW: 1, OS.RETURNED: 1, OS.APPROVED: 1, OS.IN_PRODUCTION: 1, OS.DELIVERING: 2, OS.DELIVERED: 2,
                   OS.INSTALLING: 4, OS.ACCEPTED: 2, OS.CANCELLED: 1}
# Where an order still being installed stands; the installing orders take these in turn.
INSTALLING_CYCLE = [IS.SCHEDULED, IS.ON_SITE, IS.COMMISSIONED, IS.REWORK]
MACHINE_LINES = ("数控机床", "自动化产线", "工业机器人")
ORDER_PLAN_BASE = 100_000  # order plans' place in the run queue, after every inquiry plan at the same moment
COMMISSIONING = {
    "数控机床": (["水平调整与地脚固定", "空载运行 4 小时", "主轴温升测试", "定位精度检测", "试切样件检验"],
                 [("定位精度", "0.006", "mm"), ("重复定位精度", "0.003", "mm"), ("主轴温升", "12", "℃")]),
    "自动化产线": (["安全回路测试", "单机调试", "联机节拍测试", "连续运行 8 小时", "与 MES 通讯测试"],
                   [("节拍", "58", "秒/件"), ("一次合格率", "99.2", "%"), ("连续运行", "8", "小时")]),
    "工业机器人": (["零点标定", "安全光栅与急停测试", "示教程序运行", "满负载运行测试"],
                   [("重复定位精度", "0.02", "mm"), ("节拍", "12", "秒"), ("负载", "18", "kg")]),
}
SITE_WORK = ["设备就位、调平、接电接气，完成机械和电气安装。", "按布局图完成产线设备就位、管线连接和安全围栏安装。",
             "机器人底座固定、控制柜接线、安全光栅安装。"]
RETURN_NOTES = {
    "prices": "单价低于允许范围，请客户确认价格或提供价格审批。",
    "delivery_date": "要求交期过紧，生产部评估需延后两周。",
    "customer": "缺少开票信息和收货联系人。",
    "installation": "安装现场条件未说明（电源、地基、吊装）。",
}
WAIVER_NOTES = ["年度框架协议价，已经销售经理批准。", "战略客户首单优惠，经总经理批准。"]
DELIVERY_WAIVER = "客户同意分批交货，交期按补充协议执行。"
PROGRESS_UPDATES = ["电话告知客户：已排产，关键件已到货。", "邮件发送生产进度照片，主体加工完成。",
                    "告知客户第一批已发货，物流单号已发送。", "告知客户装配完成，正在出厂检验。"]
QUESTIONS = [("客户询问能否提前一周交货。", "已与生产部确认，可提前三天发货。"),
             ("客户询问安装前需要准备哪些条件。", "已发送安装准备清单（电源、气源、地基要求）。"),
             ("客户询问随机备件清单。", "已邮件发送随机备件和工具清单。"),
             ("客户询问操作培训安排。", "培训安排在安装调试完成后，为期三天。")]
PRODUCTION_STAGES = ["planned", "materials", "machining", "assembly", "testing", "ready"]
PRODUCTION_NOTES = {
    "planned": ["已排产，计划{n}周完工。", "纳入本月生产计划，第{n}周开工。"],
    "materials": ["铸件、主轴等关键件已到货。", "外购件到货{n}批，齐套率95%。", "钢材到货，外协件预计{n}天后到。"],
    "machining": ["床身、立柱粗加工完成。", "关键零件精加工完成，首件检验合格。", "外协加工件已返厂，检验合格。"],
    "assembly": ["主轴箱装配完成。", "整机总装完成，开始电气接线。", "产线分段装配完成{n}段。"],
    "testing": ["空运转{n}小时无异常，精度检验合格。", "出厂检验合格，客户可来厂预验收。"],
    "ready": ["完工入库，待发货。", "已包装完毕，等待物流安排。"],
}
CARRIERS = ["德邦物流 DB", "顺丰速运 SF", "中铁快运 ZT", "自有车辆"]
QUALITY_NOTES = ["到货检验：数量、外观无误。", "开箱检验合格，随机资料齐全。", "到货检验合格。"]
DELIVERY_REJECTIONS = ["到货检验发现外观划伤、防护罩变形，退回返修。", "到货数量与装箱单不符，整批退回。"]
ACCEPTANCE_REJECTIONS = ["主轴运转噪音偏大，要求更换轴承后重新调试。", "试切样件尺寸超差，需重新调整后再验收。",
                         "安全防护门联锁失效，整改后再验收。"]
ACCEPTANCE_REMARKS = ["操作培训需再安排一次。", "随机资料缺少中文电气图，请补寄。"]
ACCEPTANCE_FEEDBACK = ["安装人员工作认真，现场整洁。", "调试周期比预期长，希望改进。", "对设备精度满意。",
                       "响应及时，问题处理得当。"]
ORDER_CANCELS = ["客户项目延期，撤销订单。", "客户预算调整，取消采购。", "重复录入，作废。"]

def _reviewer(op: OrderPlan) -> User:
    """Who decides an order's review: the department's manager, or a colleague when the manager
    entered the order (four-eyes, ORG-1)."""
    people = User.objects.filter(department_id=op.owner.department_id, is_active=True).exclude(pk=op.owner.pk)
    return people.filter(groups__name=Role.MANAGER).order_by("pk").first() or people.order_by("pk").first()


@dataclass
class OrderPlan:
    """One order's life, from its entry (or the conversion of an inquiry) to its final state."""

    index: int
    final: str
    owner: User
    customer: Customer
    start: dt.datetime  # entered, or converted from the inquiry
    promised: dt.date
    install: bool
    line: str  # product line of the main product: commissioning checklist
    lines: list[tuple[Product, Decimal, Decimal]]  # entered directly: product, quantity, unit price
    source: Plan | None = None  # the converted inquiry
    install_final: str | None = None
    price_issue: bool = False  # entered below the allowed price: returned, or waived
    returned_once: bool = False
    waiver: bool = False
    rejected_delivery: bool = False
    rejected_acceptance: bool = False
    delivered_late: bool = False
    order: Order | None = None
    deliveries: list[int] = field(default_factory=list)
    install_start_step: int | None = None  # which step starts the installation on site
    install_day: dt.date | None = None  # that step's day, once the steps are placed
    steps: list[tuple[dt.datetime, Callable[[], None]]] = field(default_factory=list)

    def get(self) -> Order:
        order = self.source.order if self.source else self.order
        return Order.objects.get(pk=order.pk)


class OrderDemo(DemoBuilder):
    # -- orders ----------------------------------------------------------------------------------
    def plan_orders(self, inquiry_plans: list[Plan]) -> list[OrderPlan]:
        """Orders entered directly in every state, and one order for each converted inquiry."""
        rng, now = self.rng, self.now
        u = self.users
        owners = [u["zhang.wei"], u["zhou.min"], u["li.na"], u["wang.fang"], u["wu.qiang"], u["wang.fang"]]
        mix = SMALL_ORDER_MIX if self.small else FULL_ORDER_MIX
        finals = [status for status, count in mix.items() for _ in range(count)]
        rng.shuffle(finals)
        plans: list[OrderPlan] = []
        seen: Counter = Counter()  # the first order of each final state carries every variant in --small
        for final in finals:
            nth = seen[final]
            seen[final] += 1
            first = nth == 0
            install = final in (OS.INSTALLING, OS.ACCEPTED) or (final == OS.DELIVERED and first) or rng.random() < 0.45
            if final == OS.DELIVERED and not first and self.small:
                install = False  # --small: one delivered order awaits its installation, one is done
            line = rng.choice(MACHINE_LINES) if install else rng.choice(("维保服务", "技术服务", "工业机器人"))
            products = [p for p in self.products if p.product_line == line]
            chosen = rng.sample(products, min(len(products), rng.choice([1, 1, 2])))
            op = OrderPlan(index=len(plans), final=final, owner=rng.choice(owners), customer=rng.choice(self.customers),
                           start=now, promised=now.date(), install=install, line=line, lines=[])
            op.install_final = (INSTALLING_CYCLE[nth % len(INSTALLING_CYCLE)] if final == OS.INSTALLING
                                else IS.ACCEPTED if final == OS.ACCEPTED else None)
            self._draw_variants(op, first)
            op.lines = [(p, self._quantity(p), self._price(p, op.price_issue or (op.waiver and n == 0)))
                        for n, p in enumerate(chosen)]
            self._draw_dates(op, nth)
            op.promised = self._working_day(op.promised)
            self._lay_out(op)
            plans.append(op)
        for plan in inquiry_plans:
            if plan.final != S.CONVERTED:
                continue
            converted_at = plan.steps[-1][0]
            age = (now - converted_at).days
            line = plan.products[0].product_line
            install = line in MACHINE_LINES and rng.random() < 0.85
            if age > 150:
                final = rng.choices([OS.ACCEPTED, OS.DELIVERED, OS.CANCELLED], weights=[6, 3, 1])[0]
            elif age > 60:
                final = rng.choices([OS.ACCEPTED, OS.DELIVERED, OS.INSTALLING, OS.DELIVERING], weights=[4, 2, 2, 1])[0]
            elif age > 20:
                final = rng.choice([OS.IN_PRODUCTION, OS.DELIVERING, OS.DELIVERED, OS.APPROVED])
            else:
                final = rng.choice([OS.REVIEW, OS.RETURNED, OS.APPROVED, OS.IN_PRODUCTION])
            if final in (OS.INSTALLING, OS.ACCEPTED) and not install:
                final = OS.DELIVERED
            op = OrderPlan(index=len(plans), final=final, owner=plan.receiver, customer=plan.customer,
                           start=converted_at, promised=now.date(), install=install, line=line, lines=[], source=plan)
            op.install_final = (rng.choice(INSTALLING_CYCLE) if final == OS.INSTALLING
                                else IS.ACCEPTED if final == OS.ACCEPTED else None)
            self._draw_variants(op, False)
            self._draw_dates(op, None)
            op.promised = self._working_day(op.promised)
            self._lay_out(op)
            plans.append(op)
        return plans

    def _draw_variants(self, op: OrderPlan, first: bool) -> None:
        """What happens on the way; in --small the first order of each state shows every variant."""
        rng, final = self.rng, op.final
        force = self.small and first
        reviewed = final not in (OS.REVIEW, OS.RETURNED)
        op.returned_once = reviewed and (force and final in (OS.APPROVED, OS.ACCEPTED) or rng.random() < 0.25)
        op.price_issue = final == OS.RETURNED or op.returned_once and rng.random() < 0.5
        op.waiver = reviewed and not op.price_issue and (force and final in (OS.IN_PRODUCTION, OS.DELIVERED)
                                                         or rng.random() < 0.2)
        shipped = final in (OS.DELIVERING, OS.DELIVERED, OS.INSTALLING, OS.ACCEPTED)
        op.rejected_delivery = shipped and (force and final in (OS.DELIVERING, OS.ACCEPTED) or rng.random() < 0.12)
        if self.small and final == OS.DELIVERING and not first:
            op.rejected_delivery = False  # its last shipment is on its way: every delivery state is shown
        op.rejected_acceptance = final == OS.ACCEPTED and (force or rng.random() < 0.3)
        op.delivered_late = final in (OS.DELIVERED, OS.INSTALLING, OS.ACCEPTED) and rng.random() < 0.2

    def _working_day(self, day: dt.date) -> dt.date:
        """A promised date on a working day: the next one, or for a date already past (a late
        order) the one before, so that it stays past."""
        step = dt.timedelta(days=-1 if day < timezone.localdate(self.now) else 1)
        while not self.ctx.working.is_working_day(day):
            day += step
        return day

    def _quantity(self, product: Product) -> Decimal:
        if product.kind == "service" or product.product_line == "自动化产线":
            return Decimal(1)
        return Decimal(self.rng.choice([1, 2, 2, 3, 4]))

    def _price(self, product: Product, outside: bool) -> Decimal:
        """Around the list price (±7 %), or about 15 % under it: outside the ±10 % range."""
        factor = self.rng.uniform(0.84, 0.87) if outside else self.rng.uniform(0.93, 1.07)
        return (Decimal(product.list_price) * Decimal(str(round(factor, 3))) / 100).quantize(
            Decimal(1), rounding=ROUND_DOWN) * 100

    def _draw_dates(self, op: OrderPlan, nth: int | None) -> None:
        """When the order arrives (``nth`` of its final state, None for a converted one: that date
        is the conversion's) and what date is promised: open orders sit near "now", some late
        (promised date passed, not delivered), some within the late-risk lead time."""
        rng, now, final = self.rng, self.now, op.final
        today = timezone.localdate(now)
        undelivered = final in (OS.APPROVED, OS.IN_PRODUCTION, OS.DELIVERING)
        # In --small the first in production and the first delivering are late for sure.
        late = undelivered and (nth == 0 and final != OS.APPROVED or rng.random() < 0.35)
        at_risk = undelivered and not late and rng.random() < 0.3
        if nth is not None:
            if final == OS.REVIEW:  # every other one is waiting past its review deadline
                lo, hi = (0.01, 0.2) if nth % 2 == 0 else (2, 6)
            else:
                lo, hi = {OS.RETURNED: (3, 12), OS.APPROVED: (3, 12), OS.IN_PRODUCTION: (15, 50),
                          OS.DELIVERING: (30, 80), OS.DELIVERED: (50, 300), OS.INSTALLING: (50, 100),
                          OS.ACCEPTED: (90, 350), OS.CANCELLED: (10, 300)}[final]
            op.start = now - dt.timedelta(days=rng.uniform(lo, hi))
        if late and nth is None:  # the conversion date is fixed: late only if that leaves time
            earliest = timezone.localdate(op.start) + dt.timedelta(days=21)
            late = earliest <= today - dt.timedelta(days=2)
            if late:
                op.promised = earliest + dt.timedelta(days=rng.randint(0, (today - earliest).days - 2))
        elif late:
            op.promised = today - dt.timedelta(days=rng.randint(2, 20))
            op.start = min(op.start, now - dt.timedelta(days=(today - op.promised).days + rng.randint(30, 50)))
        if late:
            return
        if at_risk:
            op.promised = today + dt.timedelta(days=rng.randint(1, 3))
        elif undelivered or final in (OS.REVIEW, OS.RETURNED):
            op.promised = max(today + dt.timedelta(days=rng.randint(10, 50)),
                              timezone.localdate(op.start) + dt.timedelta(weeks=4))
        else:
            op.promised = timezone.localdate(op.start) + dt.timedelta(weeks=rng.randint(5, 10))

    def _lay_out(self, op: OrderPlan) -> None:
        """The order's steps, each at its moment; drawn now, run later in time order."""
        clock = Clock(self.rng, op.start)
        steps: list[Callable[[], None]] = []
        times: list[dt.datetime] = []

        def then(lo: float, hi: float, step: Callable[[], None], office: bool = True) -> None:
            times.append(clock.next(lo, hi, office=office))
            steps.append(step)

        def at(moment: dt.datetime, step: Callable[[], None], office: bool = True) -> None:
            clock.t = max(clock.t, moment - dt.timedelta(minutes=1))
            then(0, 0, step, office=office)

        self._order_story(op, clock, then, at)
        fitted = self._fit_order(op, times, steps)
        # In working hours on working days (DATA-1: no shipment at 00:56, no approval on National Day).
        op.steps = list(zip(self.ctx.working_times([t for t, _step in fitted]), [s for _t, s in fitted], strict=True))
        if op.install_start_step is not None:  # the installation is scheduled for the day it starts
            op.install_day = timezone.localdate(op.steps[op.install_start_step][0])

    def _order_story(self, op: OrderPlan, clock: Clock, then: Callable, at: Callable) -> None:
        """Lay out the steps up to the order's final state (each ``return`` stops there)."""
        rng, final = self.rng, op.final
        if op.source is None:
            entered = clock.office(op.start)
            if entered > self.now - dt.timedelta(minutes=5):
                entered = op.start  # an e-mailed order logged after hours
            at(entered, self._order_enter(op), office=False)
        else:  # the conversion is the inquiry's last step; the order's details follow
            then(20, 6 * HOUR, self._order_complete(op))
        cancel_at = rng.choice([OS.REVIEW, OS.APPROVED, OS.IN_PRODUCTION]) if final == OS.CANCELLED else None
        if final == OS.REVIEW:
            if rng.random() < 0.5:
                then(20, 2 * HOUR, self._findings(op, fails=(), partial=True))
            return
        if cancel_at == OS.REVIEW:
            then(HOUR, 3 * DAY, self._order_cancel(op))
            return
        late_review = rng.random() < 0.15  # decided after the review SLA ran out
        decide = (DAY + HOUR, 3 * DAY) if late_review else (20, 5 * HOUR)
        if op.returned_once or final == OS.RETURNED:
            fails = ["prices"] if op.price_issue else []
            fails += rng.sample(["delivery_date", "customer"] + (["installation"] if op.install else []),
                                1 if fails else rng.choice([1, 2]))
            then(*decide, self._findings(op, fails=fails))
            then(5, 30, self._order_return(op, fails))
            if final == OS.RETURNED:
                return
            then(2 * DAY, 6 * DAY, self._order_amend(op, fails))
            then(5, 40, self._order_fire(op, "resubmit", "客户已修改订单，重新提交审核。"))
            decide = (HOUR, DAY)
        then(*decide, self._findings(op, fails=(), waive=op.waiver))
        then(5, 30, self._order_fire(op, "approve", ""))
        approved_at = clock.t
        if cancel_at == OS.APPROVED or final == OS.APPROVED:
            if final == OS.CANCELLED:
                then(DAY, 10 * DAY, self._order_cancel(op))
            return
        # Services and stock items ship straight away.
        from_stock = final != OS.IN_PRODUCTION and not op.install and rng.random() < 0.4
        if not from_stock:
            then(DAY, 3 * DAY, self._order_fire(op, "start_production", "已下达生产任务单。"))
            # §3.2(2): the production department reports its steps on the order.
            for stage in PRODUCTION_STAGES[:rng.randint(1, len(PRODUCTION_STAGES))]:
                then(DAY, 4 * DAY, self._production_step(op, stage))
        if cancel_at == OS.IN_PRODUCTION:
            then(2 * DAY, 10 * DAY, self._order_cancel(op))
            return
        then(2 * DAY, 8 * DAY, self._progress(op, rng.choice(PROGRESS_UPDATES)))
        if rng.random() < 0.6:
            question, answer = rng.choice(QUESTIONS)
            then(DAY, 6 * DAY, self._question(op, question))
            then(HOUR, 20 * HOUR, self._answer(op, answer))
        if final == OS.IN_PRODUCTION:
            return
        # Shipments: the first part some way through, the rest by (or after) the promised date.
        promised = timezone.make_aware(dt.datetime.combine(op.promised, dt.time(10)))
        span = max(promised - approved_at, dt.timedelta(days=4))
        partial = any(q > 1 for _p, q, _price in op.lines) or len(op.lines) > 1 or op.source is not None
        if partial:
            at(approved_at + span * rng.uniform(0.5, 0.7), self._ship(op, "part"))
            then(DAY, 3 * DAY, self._confirm(op, 0))
            then(HOUR, DAY, self._progress(op, "告知客户第一批已到货验收，剩余部分按计划发货。", after_part=True))
        if op.delivered_late:
            rest_at = promised + dt.timedelta(days=rng.uniform(2, 12))
        elif final == OS.DELIVERING and op.promised < timezone.localdate(self.now):  # late, on its way at last
            rest_at = self.now - dt.timedelta(days=rng.uniform(0.5, 3))
        else:
            rest_at = approved_at + span * rng.uniform(0.8, 0.95)
        at(rest_at, self._ship(op, "rest"))
        if op.rejected_delivery:  # failed the check at receipt: it does not count, ship again
            then(DAY, 2 * DAY, self._reject_delivery(op))
            if final == OS.DELIVERING:
                return
            then(3 * DAY, 7 * DAY, self._ship(op, "rest"))
        elif final == OS.DELIVERING:  # the last shipment is on its way
            return
        then(DAY, 3 * DAY, self._confirm(op, -1))
        if final == OS.DELIVERED or not op.install:
            return
        # ORD-3: installation, commissioning, acceptance
        engineers = [self.users["sun.hao"]] + ([self.users["ma.jun"]] if rng.random() < 0.4 else [])
        lead = rng.randint(3, 10)
        then(DAY, 4 * DAY, self._schedule_installation(op, engineers, lead))
        if op.install_final == IS.SCHEDULED:  # the engineers go on site in the coming days (a working day)
            op.install_day = timezone.localdate(self.ctx.next_working(
                self.now + dt.timedelta(days=rng.randint(1, 7))))
            return
        op.install_start_step = len(clock.times)
        at(clock.t + dt.timedelta(days=lead), self._installation_start(op, engineers[0]))
        if op.install_final == IS.ON_SITE:
            return
        then(DAY, 3 * DAY, self._commission(op, engineers[0], first=True))
        if op.install_final == IS.COMMISSIONED:
            return
        if op.rejected_acceptance or op.install_final == IS.REWORK:
            then(HOUR, 2 * DAY, self._acceptance(op, engineers[0], "rejected"))
            if op.install_final == IS.REWORK:
                return
            then(3 * DAY, 7 * DAY, self._commission(op, engineers[0], first=False))
        result = "remarks" if rng.random() < 0.35 else "accepted"
        then(HOUR, 2 * DAY, self._acceptance(op, engineers[0], result))

    def _fit_order(self, op: OrderPlan, times: list[dt.datetime], steps: list[Callable[[], None]]):
        """Keep the order's history in the past: steps that would run after "now" are squeezed, in
        order, into the time left (the promised date stays: it is what makes an order late)."""
        limit = self.now - dt.timedelta(minutes=1)
        if times[-1] > limit:
            start = op.start if op.source else times[0]  # the conversion, or the entry
            scale = (limit - start) / (times[-1] - start)
            times = [start + (t - start) * scale for t in times]
        return list(zip(times, steps, strict=True))

    def _order_enter(self, op: OrderPlan):
        """ORD-1: an order entered directly (a purchase order by e-mail or fax)."""
        contact = op.customer.contacts.first()
        reference = f"PO-{self.rng.randint(2024000, 2026999)}"
        needs = compose_needs(self.rng, op.line)

        def step():
            op.order = orders.order_create(
                actor=op.owner, customer=op.customer, promised_date=op.promised, installation_required=op.install,
                site_address=op.customer.address if op.install else "",
                site_contact=f"{contact.name} {contact.phone}" if op.install and contact else "",
                customer_reference=reference, needs=needs, received_at=timezone.now(),
                lines=[{"product": p, "quantity": q, "unit_price": price} for p, q, price in op.lines],
            )
        return step

    def _order_complete(self, op: OrderPlan):
        """A converted order gets what the inquiry did not say: quantities, prices, date, site."""
        quantities = [self._quantity(p) for p in self.products]  # by catalogue position
        prices = {p.pk: self._price(p, op.price_issue or op.waiver) for p in self.products}
        contact_name = f"{self.rng.choice(SURNAMES)}{self.rng.choice(GIVEN)} {self._mobile()}"

        def step():
            order = op.get()
            lines = [{"product": line.product, "quantity": quantities[self.products.index(line.product)],
                      "unit_price": prices[line.product_id]} for line in order.lines.select_related("product")]
            data = {"promised_date": op.promised, "installation_required": op.install,
                    "customer_reference": f"PO-{order.pk:05d}"}
            if op.install:
                data |= {"site_address": op.customer.address, "site_contact": contact_name}
            orders.order_update(order=order, actor=op.owner, data=data, lines=lines,
                                comment="按客户采购订单补充数量、价格和交期。")
        return step

    def _findings(self, op: OrderPlan, *, fails=(), waive: bool = False, partial: bool = False):
        """ORD-1: the reviewer's checklist; a price outside the range is waived with a reason."""
        waiver_note = self.rng.choice(WAIVER_NOTES)
        waive_date = waive and self.rng.random() < 0.3

        def step():
            order = op.get()
            items = ["customer", "items", "prices", "delivery_date"] + (["installation"] if order.installation_required
                                                                         else [])
            if partial:
                items = items[:2]
            findings = {item: ("pass", "") for item in items}
            for item in fails:
                findings[item] = ("fail", RETURN_NOTES[item])
            if waive and "prices" in findings:
                findings["prices"] = ("waived", waiver_note)
            if waive_date:
                findings["delivery_date"] = ("waived", DELIVERY_WAIVER)
            orders.review_record_findings(order=order, actor=op.owner, findings=findings)
        return step

    def _order_return(self, op: OrderPlan, fails: list[str]):
        problems = "\n".join(f"{n}. {RETURN_NOTES[item]}" for n, item in enumerate(fails, start=1))

        def step():
            orders.order_return(order=op.get(), actor=_reviewer(op), problems=problems)
        return step

    def _order_amend(self, op: OrderPlan, fails: list[str]):
        """The customer's amended order: the failed items corrected."""
        price_factor = round(self.rng.uniform(0.94, 1.0), 3)

        def step():
            order = op.get()
            data = {}
            if "delivery_date" in fails:
                op.promised = self._working_day(op.promised + dt.timedelta(weeks=2))
                data["promised_date"] = op.promised
            if "installation" in fails:
                data["site_contact"] = (order.site_contact or "") + "（现场具备 380V 电源和吊装条件）"
            if "customer" in fails:
                data["customer_reference"] = (order.customer_reference + " 补充开票信息").strip()
            lines = None
            if "prices" in fails:
                lines = [{"product": line.product, "quantity": line.quantity,
                          "unit_price": (line.product.list_price * Decimal(str(price_factor))).quantize(Decimal(1))}
                         for line in order.lines.select_related("product")]
            orders.order_update(order=order, actor=op.owner, data=data, lines=lines, comment="客户修改后的订单。")
        return step

    def _order_fire(self, op: OrderPlan, action: str, comment: str):
        def step():
            order = op.get()
            # Four-eyes (ORG-1): the review is decided by someone other than who entered the order.
            actor = _reviewer(op) if action == "approve" else op.owner
            {"approve": orders.order_approve, "resubmit": orders.order_resubmit,
             "start_production": orders.order_start_production}[action](order=order, actor=actor, comment=comment)
        return step

    def _order_cancel(self, op: OrderPlan):
        comment = self.rng.choice(ORDER_CANCELS)

        def step():
            order = op.get()
            manager = department_managers(department=order.department).order_by("pk").first()
            orders.order_cancel(order=order, actor=manager, comment=comment)
        return step

    def _progress(self, op: OrderPlan, text: str, *, after_part: bool = False):
        channel = self.rng.choice([Channel.PHONE, Channel.PHONE, Channel.EMAIL, Channel.CHAT])

        def step():
            order = op.get()
            if after_part and not (order.status == OS.DELIVERING and order.deliveries.filter(
                    status=Delivery.Status.DELIVERED).exists()):
                return  # nothing was split into a first part after all
            orders.progress_note_add(order=order, actor=op.owner, kind=ContactEntry.Kind.UPDATE, channel=channel,
                                     text=text, occurred_at=timezone.now())
        return step

    def _production_step(self, op: OrderPlan, stage: str):
        note = self.rng.choice(PRODUCTION_NOTES[stage]).format(n=self.rng.randint(2, 6))
        reporter = self.rng.choice([self.users["sun.hao"], self.users["sun.hao"], self.users["ma.jun"]])

        def step():
            order = op.get()
            if order.status in (OS.IN_PRODUCTION, OS.DELIVERING):
                orders.production_step_add(order=order, actor=reporter, stage=stage, note=note,
                                           occurred_at=timezone.now())
        return step

    def _question(self, op: OrderPlan, text: str):
        channel = self.rng.choice([Channel.PHONE, Channel.EMAIL])

        def step():
            orders.progress_note_add(order=op.get(), actor=op.owner, kind=ContactEntry.Kind.QUESTION, channel=channel,
                                     text=text, occurred_at=timezone.now())
        return step

    def _answer(self, op: OrderPlan, answer: str):
        def step():
            note = op.get().progress_notes.filter(kind=ContactEntry.Kind.QUESTION, answered_at__isnull=True).first()
            orders.progress_question_answer(note=note, actor=op.owner, answer=answer)
        return step

    def _ship(self, op: OrderPlan, part: str):
        """ORD-2: a shipment of about half of every line ("part"), or of all that is left ("rest")."""
        carrier = f"{self.rng.choice(CARRIERS)}{self.rng.randint(10000000, 99999999)}"

        def step():
            order = op.get()
            committed = dict(DeliveryLine.objects.filter(order_line__order=order).exclude(
                delivery__status=Delivery.Status.REJECTED).values_list("order_line").annotate(total=Sum("quantity")))
            lines = list(order.lines.all())
            quantities = {}
            for n, line in enumerate(lines):
                left = line.quantity - committed.get(line.pk, 0)
                if part == "part":
                    half = (line.quantity / 2).quantize(Decimal(1), rounding=ROUND_DOWN)
                    left = half if half else (left if n == 0 and len(lines) > 1 else 0)
                if left > 0:
                    quantities[line.pk] = left
            if part == "part" and not quantities:  # one line of one piece: nothing to split
                return
            delivery = orders.delivery_ship(order=order, actor=op.owner, quantities=quantities, carrier=carrier,
                                            shipped_at=timezone.now())
            op.deliveries.append(delivery.pk)
        return step

    def _confirm(self, op: OrderPlan, which: int):
        note = self.rng.choice(QUALITY_NOTES)

        def step():
            if not op.deliveries:
                return
            delivery = Delivery.objects.get(pk=op.deliveries[which])
            if delivery.status == Delivery.Status.SHIPPED:
                orders.delivery_confirm(delivery=delivery, actor=op.owner, quality_note=note)
        return step

    def _reject_delivery(self, op: OrderPlan):
        reason = self.rng.choice(DELIVERY_REJECTIONS)

        def step():
            orders.delivery_reject(delivery=Delivery.objects.get(pk=op.deliveries[-1]), actor=op.owner, comment=reason)
        return step

    def _schedule_installation(self, op: OrderPlan, engineers: list[User], lead_days: int):
        def step():
            day = op.install_day or timezone.localdate() + dt.timedelta(days=lead_days)
            orders.installation_schedule(order=op.get(), actor=op.owner, engineers=engineers, scheduled_for=day,
                                         comment="已与客户确认安装日期。")
        return step

    def _installation_start(self, op: OrderPlan, engineer: User):
        def step():
            orders.installation_start(installation=Installation.objects.get(order=op.get()), actor=engineer,
                                      comment="工程师到达现场。")
        return step

    def _commission(self, op: OrderPlan, engineer: User, *, first: bool):
        items, measured = COMMISSIONING.get(op.line, COMMISSIONING["数控机床"])
        site_work = self.rng.choice(SITE_WORK) if first else "按客户意见整改后重新调试。"

        def step():
            orders.installation_commission(
                installation=Installation.objects.get(order=op.get()), actor=engineer, site_work=site_work,
                checklist=[{"item": item, "ok": True} for item in items],
                measurements=[{"name": n, "value": v, "unit": u} for n, v, u in measured],
                notes="" if first else "整改项已复测合格。")
        return step

    def _acceptance(self, op: OrderPlan, engineer: User, result: str):
        remarks = {"rejected": self.rng.choice(ACCEPTANCE_REJECTIONS), "remarks": self.rng.choice(ACCEPTANCE_REMARKS),
                   "accepted": ""}[result]
        feedback = self.rng.choice(ACCEPTANCE_FEEDBACK)
        contact = op.customer.contacts.first()

        def step():
            orders.acceptance_record(installation=Installation.objects.get(order=op.get()), actor=engineer,
                                     result=result, remarks=remarks, feedback=feedback,
                                     signatory=contact.name if contact else "")
        return step


def _convert(plan: Plan) -> None:
    # PRE-4: what the receiver saves on the pre-filled conversion form; the amendment that follows
    # (``_order_complete``) brings the quantities, prices and date of the customer's purchase order.
    draft = order_draft_from_inquiry(plan.inquiry)
    plan.order = order_create_from_inquiry(
        inquiry=plan.inquiry, actor=plan.receiver, lines=draft["lines"], customer_reference=f"PO-{plan.inquiry.number}",
        promised_date=timezone.localdate() + dt.timedelta(days=60), installation_required=False,
        site_contact=draft["site_contact"], needs=draft["needs"])


def build(ctx: DemoContext) -> None:
    ctx.outputs["presales.convert"] = _convert
    plans = OrderDemo(ctx).plan_orders(ctx.outputs["presales"])
    ctx.outputs["orders"] = plans
    for op in plans:
        # After the inquiries' steps at the same moment: a conversion comes before its order's steps.
        ctx.add_steps(ORDER_PLAN_BASE + op.index, op.steps)
    # ORD-2: late risk is the orders' delivery clock, flagged by the SLA sweep (qsm.sla.demo runs it).
