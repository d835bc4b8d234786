"""DATA-1: load a realistic demo data set into an empty database.

Departments, users of every role (one documented password), customers, products and a year of
pre-sales inquiries in every state, with discussions, tailored solutions, communication logs and
hand-overs; and orders in every state, some converted from those inquiries and some entered
directly, with review rounds (returned and amended, waivers), production, partial and rejected
deliveries, progress updates and answered questions, installations in every state (some
rejected at acceptance, then accepted), late orders flagged by the late-risk sweep, and
follow-up visits due. Every record is written through the domain services, each step at its own
moment of the past year (time-machine moves the clock), so numbers, timelines, deadlines,
reminders and notifications are what real use would have produced.

It lives in ``assessment``, the right-most app, because it may import every module (DESIGN.md).

    manage.py load_demo_data [--if-empty] [--seed N] [--small]
"""
from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from orders import services as orders
from orders.models import Delivery, DeliveryLine, Installation, Order, ProgressNote, ReviewRound
from orders.services import order_create_from_inquiry, orders_flag_late_risk
from presales import services as presales
from presales.models import Channel, Communication, Inquiry, Priority
from qsm.notify import services as notify_services
from qsm.notify.models import Notification
from qsm.org.models import Contact, Customer, Department, Product, Role, User
from qsm.org.selectors import department_managers
from qsm.org.services import customer_create
from qsm.sla.calendar import default_calendar, load_cn_public_holidays
from qsm.sla.models import Deadline
from qsm.sla.services import deadlines_sweep
from qsm.workflow.models import Event

DEMO_PASSWORD = "qsm-demo-2026"
SITE = "http://127.0.0.1:8000/"
LOGINS_FILE = Path(settings.BASE_DIR) / "docs" / "demo-logins.txt"
SHANGHAI = ZoneInfo("Asia/Shanghai")
S = Inquiry.Status

# --- organisation ------------------------------------------------------------------------------

DEPARTMENTS = [
    # code, name, kind
    ("quality", "质量管理部", Department.Kind.QUALITY),
    ("service", "客户服务部", Department.Kind.BUSINESS),
    ("sales", "销售部", Department.Kind.BUSINESS),
    ("production", "生产部", Department.Kind.OTHER),
]

USERS = [
    # username, display name, department code, roles, heads the department
    ("admin", "系统管理员", None, [Role.ADMINISTRATOR], False),
    ("zhao.lei", "赵磊", "quality", [Role.MANAGER], True),
    ("chen.jing", "陈静", "quality", [Role.QUALITY_OFFICER], False),
    ("huang.li", "黄丽", "quality", [Role.QUALITY_OFFICER], False),
    ("li.na", "李娜", "service", [Role.MANAGER], True),
    ("zhang.wei", "张伟", "service", [Role.STAFF], False),
    ("zhou.min", "周敏", "service", [Role.STAFF], False),
    ("liu.yang", "刘洋", "sales", [Role.MANAGER], True),
    ("wang.fang", "王芳", "sales", [Role.STAFF], False),
    ("wu.qiang", "吴强", "sales", [Role.STAFF], False),
    ("ma.jun", "马军", "production", [Role.MANAGER], True),
    ("sun.hao", "孙浩", "production", [Role.STAFF], False),
]

ROLE_TITLES = {
    Role.ADMINISTRATOR: "administrator (Django admin too)",
    Role.MANAGER: "manager",
    Role.QUALITY_OFFICER: "quality officer",
    Role.STAFF: "staff",
}


def logins_text() -> str:
    """What docs/demo-logins.txt says; a test keeps the file equal to this."""
    names = dict((code, name) for code, name, _kind in DEPARTMENTS)
    lines = [
        f"URL:      {SITE}   (Django admin: {SITE}admin/)",
        f"Password: {DEMO_PASSWORD}   (the same for every demo user)",
        "",
        f"{'username':<11} {'role':<33} {'password':<14} department / name",
    ]
    for username, display, dept, roles, heads in USERS:
        role = ", ".join(ROLE_TITLES[r] for r in roles)
        if heads and dept == "quality":
            role = "quality manager"
        elif heads:
            role = "department manager"
        where = names.get(dept, "-")
        lines.append(f"{username:<11} {role:<33} {DEMO_PASSWORD:<14} {where} / {display}")
    return "\n".join(lines) + "\n"


# --- customers and products ----------------------------------------------------------------------

CUSTOMERS = [
    # name, city, area code, e-mail domain stem
    ("华东精密机械有限公司", "上海", "021", "hdjm"),
    ("苏州恒力自动化设备有限公司", "苏州", "0512", "szhl"),
    ("宁波东海模具制造有限公司", "宁波", "0574", "nbdh"),
    ("无锡新科电子科技有限公司", "无锡", "0510", "wxxk"),
    ("杭州西子智能装备有限公司", "杭州", "0571", "hzxz"),
    ("南京金陵重工股份有限公司", "南京", "025", "njjl"),
    ("常州华瑞汽车零部件有限公司", "常州", "0519", "czhr"),
    ("青岛海川船舶配件有限公司", "青岛", "0532", "qdhc"),
    ("天津滨海精工机械有限公司", "天津", "022", "tjbh"),
    ("大连远东轴承有限公司", "大连", "0411", "dlyd"),
    ("沈阳北方机床附件有限公司", "沈阳", "024", "sybf"),
    ("武汉长江光电设备有限公司", "武汉", "027", "whcj"),
    ("长沙湘江工程机械有限公司", "长沙", "0731", "csxj"),
    ("郑州中原液压件有限公司", "郑州", "0371", "zzzy"),
    ("合肥江淮精密铸造有限公司", "合肥", "0551", "hfjh"),
    ("成都天府航空零部件有限公司", "成都", "028", "cdtf"),
    ("重庆山城摩托车配件有限公司", "重庆", "023", "cqsc"),
    ("西安秦川智能制造有限公司", "西安", "029", "xaqc"),
    ("广州珠江家电制造有限公司", "广州", "020", "gzzj"),
    ("深圳鹏程电子有限公司", "深圳", "0755", "szpc"),
    ("东莞华南五金制品有限公司", "东莞", "0769", "dghn"),
    ("佛山顺德精密注塑有限公司", "佛山", "0757", "fssd"),
    ("厦门鹭岛医疗器械有限公司", "厦门", "0592", "xmld"),
    ("福州闽江阀门有限公司", "福州", "0591", "fzmj"),
    ("济南泉城数控设备有限公司", "济南", "0531", "jnqc"),
    ("烟台渤海新能源科技有限公司", "烟台", "0535", "ytbh"),
    ("温州瓯江电器有限公司", "温州", "0577", "wzoj"),
    ("台州东方缝制设备有限公司", "台州", "0576", "tzdf"),
    ("昆山精诚模具有限公司", "昆山", "0512", "ksjc"),
    ("嘉兴南湖纺织机械有限公司", "嘉兴", "0573", "jxnh"),
    ("绍兴越州印染设备有限公司", "绍兴", "0575", "sxyz"),
    ("南通江海风电装备有限公司", "南通", "0513", "ntjh"),
    ("扬州维扬五金工具有限公司", "扬州", "0514", "yzwy"),
    ("徐州淮海工程机械配件有限公司", "徐州", "0516", "xzhh"),
    ("石家庄冀中汽车配件有限公司", "石家庄", "0311", "sjzjz"),
    ("太原晋阳铸锻有限公司", "太原", "0351", "tyjy"),
    ("南昌赣江电机有限公司", "南昌", "0791", "ncgj"),
    ("贵阳黔锋精密机械有限公司", "贵阳", "0851", "gyqf"),
    ("昆明滇池光学仪器有限公司", "昆明", "0871", "kmdc"),
    ("兰州金城石化设备有限公司", "兰州", "0931", "lzjc"),
]
ROADS = ["工业大道", "科技路", "创业路", "长江路", "东方路", "宏业路", "新华路", "发展大道"]
ZONES = ["经济技术开发区", "高新区", "工业园区", ""]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "海燕", "志强", "秀英", "晓东", "丽华", "国庆", "文博", "雪梅", "建华", "春燕", "明辉", "永刚",
         "婷婷", "俊杰", "玉兰", "德明", "凤英", "宏伟", "小平"]
TITLES = ["采购经理", "设备部经理", "技术总监", "生产厂长", "总经理", "工艺工程师", "采购专员"]

PRODUCTS = [
    # code, name, kind, product line, list price
    ("VMC-850", "立式加工中心 VMC850", "product", "数控机床", 385000),
    ("HMC-630", "卧式加工中心 HMC630", "product", "数控机床", 1260000),
    ("CK-6150", "数控车床 CK6150", "product", "数控机床", 168000),
    ("GMC-2016", "龙门加工中心 GMC2016", "product", "数控机床", 2350000),
    ("AL-WELD", "焊接自动化产线", "product", "自动化产线", 3800000),
    ("AL-ASSY", "柔性装配自动化产线", "product", "自动化产线", 5200000),
    ("AL-LOAD", "机床自动上下料单元", "product", "自动化产线", 680000),
    ("RB-QR6", "六轴工业机器人 QR-6", "product", "工业机器人", 158000),
    ("RB-QR20", "六轴工业机器人 QR-20", "product", "工业机器人", 236000),
    ("RB-QS500", "SCARA 机器人 QS-500", "product", "工业机器人", 89000),
    ("RB-VISION", "机器人视觉引导系统", "product", "工业机器人", 65000),
    ("SV-MAINT", "年度维保服务合同", "service", "维保服务", 48000),
    ("SV-REPAIR", "设备上门维修服务", "service", "维保服务", 3800),
    ("SV-RETROFIT", "旧机床数控化改造", "service", "技术服务", 260000),
    ("SV-TRAIN", "操作与编程培训", "service", "技术服务", 12000),
]
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
NEEDS = [
    "核心需求：{part}加工，年产量约{volume}件，要求精度稳定、交期可控；预算约{budget}万元。",
    "客户现有设备老化，产能不足，希望在{weeks}周内完成新设备投产；预算约{budget}万元。",
    "客户关注售后响应速度和操作培训，年产量约{volume}件，希望一次验收合格。",
]
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
SWEEP_EVERY = dt.timedelta(hours=4)  # the beat sweeps every minute; this is often enough for a plausible history

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
RISK_SWEEP_HOUR = 8  # the late-risk sweep runs hourly in production; once a morning is enough here
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
CARRIERS = ["德邦物流 DB", "顺丰速运 SF", "中铁快运 ZT", "自有车辆"]
QUALITY_NOTES = ["到货检验：数量、外观无误。", "开箱检验合格，随机资料齐全。", "到货检验合格。"]
DELIVERY_REJECTIONS = ["到货检验发现外观划伤、防护罩变形，退回返修。", "到货数量与装箱单不符，整批退回。"]
ACCEPTANCE_REJECTIONS = ["主轴运转噪音偏大，要求更换轴承后重新调试。", "试切样件尺寸超差，需重新调整后再验收。",
                         "安全防护门联锁失效，整改后再验收。"]
ACCEPTANCE_REMARKS = ["操作培训需再安排一次。", "随机资料缺少中文电气图，请补寄。"]
ACCEPTANCE_FEEDBACK = ["安装人员工作认真，现场整洁。", "调试周期比预期长，希望改进。", "对设备精度满意。",
                       "响应及时，问题处理得当。"]
ORDER_CANCELS = ["客户项目延期，撤销订单。", "客户预算调整，取消采购。", "重复录入，作废。"]


# --- the schedule ----------------------------------------------------------------------------------

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
    order: Order | None = None  # the order it was converted into
    steps: list[tuple[dt.datetime, Callable[[], None]]] = field(default_factory=list)


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


class Clock:
    """Places a plan's steps one after another, inside office hours unless told otherwise."""

    def __init__(self, rng: random.Random, start: dt.datetime) -> None:
        self.rng = rng
        self.t = start
        self.times: list[dt.datetime] = []

    def office(self, t: dt.datetime) -> dt.datetime:
        local = t.astimezone(SHANGHAI)
        if local.hour < 9:
            local = local.replace(hour=9, minute=self.rng.randrange(60))
        elif local.hour >= 18:
            local = (local + dt.timedelta(days=1)).replace(hour=9, minute=self.rng.randrange(60))
        while local.isoweekday() > 5:
            local += dt.timedelta(days=1)
        return local

    def next(self, lo_minutes: float = 0, hi_minutes: float = 0, office: bool = True) -> dt.datetime:
        t = self.t + dt.timedelta(minutes=self.rng.uniform(lo_minutes, hi_minutes))
        if office:
            t = self.office(t)
        t = max(t, self.t + dt.timedelta(minutes=1))
        self.t = t
        self.times.append(t)
        return t


HOUR, DAY = 60, 24 * 60


class DemoLoader:
    def __init__(self, *, seed: int, small: bool) -> None:
        self.rng = random.Random(seed)
        self.small = small
        self.now = timezone.now().replace(microsecond=0)
        self.year_ago = self.now - dt.timedelta(days=365)

    # -- organisation --------------------------------------------------------------------------
    def load_org(self) -> None:
        for role in Role.values:
            Group.objects.get_or_create(name=role)
        groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
        self.departments = {
            code: Department.objects.create(code=code, name=name, kind=kind) for code, name, kind in DEPARTMENTS
        }
        taken = sorted(User.objects.filter(username__in=[u[0] for u in USERS]).values_list("username", flat=True))
        if taken:
            raise CommandError(f"Demo users already exist: {', '.join(taken)}. Load demo data into an empty database.")
        # Argon2 is slow on purpose: hash the shared demo password once for every user.
        password = make_password(DEMO_PASSWORD)
        self.users: dict[str, User] = {}
        for username, display, dept, roles, _heads in USERS:
            is_admin = Role.ADMINISTRATOR in roles
            person = not is_admin  # Chinese names: family name first
            user = User.objects.create(
                username=username, display_name=display, first_name=display[1:] if person else "",
                last_name=display[0] if person else "",
                email=f"{username}@qsm-demo.example.com", department=self.departments.get(dept), language="zh-hans",
                password=password, is_staff=is_admin, is_superuser=is_admin,
            )
            user.groups.add(*(groups[r] for r in roles))
            self.users[username] = user  # a head is a member with the manager role (ORG-1)
        # The calendar migration loads this year and next; the demo year starts in the last one.
        year = timezone.localdate().year
        load_cn_public_holidays(default_calendar(), [year - 1, year])

    # -- customers and products ----------------------------------------------------------------
    def load_catalogue(self) -> None:
        rng = self.rng
        self.products = [
            Product.objects.create(code=code, name=name, kind=kind, product_line=line, list_price=price)
            for code, name, kind, line, price in PRODUCTS
        ]
        customers = CUSTOMERS[:12] if self.small else CUSTOMERS
        clerk = self.users["zhang.wei"]
        self.customers: list[Customer] = []
        with time_machine.travel(self.year_ago - dt.timedelta(days=30), tick=False):
            for name, city, area, stem in customers:
                contact_name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                customer = customer_create(
                    actor=clerk, name=name,
                    phone=f"{area}-{rng.randint(5, 8)}{rng.randint(1000000, 9999999)}",
                    email=f"{rng.choice(['sales', 'purchase', 'info'])}@{stem}.example.com",
                    address=f"{city}市{rng.choice(ZONES)}{rng.choice(ROADS)}{rng.randint(1, 999)}号",
                    contact_name=contact_name, contact_phone=self._mobile(),
                )
                Contact.objects.filter(customer=customer).update(title=rng.choice(TITLES),
                                                                 email=f"{stem}.buyer@{stem}.example.com")
                if rng.random() < 0.4:
                    Contact.objects.create(customer=customer, name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                                           title=rng.choice(TITLES), phone=self._mobile())
                self.customers.append(customer)

    def _mobile(self) -> str:
        return f"1{self.rng.choice('3589')}{self.rng.randint(0, 9)}{self.rng.randint(10000000, 99999999)}"

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
        return {
            "subject": fmt(subject), "question": fmt(question), "answer": fmt(answer),
            "needs": fmt(rng.choice(NEEDS)), "recommendation": fmt(rng.choice(RECOMMENDATIONS)),
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
        plan.steps = list(zip(self._fit(clock.times, last_at), steps, strict=True))

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
                direction=Communication.Direction.INBOUND if inbound else Communication.Direction.OUTBOUND,
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
        def step():
            plan.order = order_create_from_inquiry(inquiry=plan.inquiry, actor=plan.receiver)
        return step

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
        op.steps = self._fit_order(op, times, steps)
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
        if op.install_final == IS.SCHEDULED:  # the engineers go on site in the coming days
            op.install_day = timezone.localdate(self.now) + dt.timedelta(days=rng.randint(1, 7))
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
        needs = self.rng.choice(NEEDS).format(part=self.rng.choice(PARTS), volume=50000, weeks=8, budget=150)

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
                op.promised = op.promised + dt.timedelta(weeks=2)
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
            orders.progress_note_add(order=order, actor=op.owner, kind=ProgressNote.Kind.UPDATE, channel=channel,
                                     text=text, occurred_at=timezone.now())
        return step

    def _question(self, op: OrderPlan, text: str):
        channel = self.rng.choice([Channel.PHONE, Channel.EMAIL])

        def step():
            orders.progress_note_add(order=op.get(), actor=op.owner, kind=ProgressNote.Kind.QUESTION, channel=channel,
                                     text=text, occurred_at=timezone.now())
        return step

    def _answer(self, op: OrderPlan, answer: str):
        def step():
            note = ProgressNote.objects.filter(order=op.get(), kind=ProgressNote.Kind.QUESTION,
                                               answered_at__isnull=True).first()
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

    # -- running the year ------------------------------------------------------------------------
    def run_year(self, plans: list[Plan], order_plans: list[OrderPlan]) -> None:
        """Every step of every plan in time order, with the deadline and late-risk sweeps running as
        beat would."""
        queue: list[tuple[dt.datetime, int, int, Callable[[], None]]] = []
        for plan in plans:
            for n, (at, step) in enumerate(plan.steps):
                queue.append((at, plan.index, n, step))
        for op in order_plans:
            # After the inquiries' steps at the same moment: a conversion comes before its order's steps.
            for n, (at, step) in enumerate(op.steps):
                queue.append((at, ORDER_PLAN_BASE + op.index, n, step))
        first = min(q[0] for q in queue)
        sweeps = int((self.now - first) / SWEEP_EVERY) + 1
        for k in range(sweeps):
            at = first + k * SWEEP_EVERY
            queue.append((at, 1 << 30, k, lambda at=at: deadlines_sweep(now=at)))
        # ORD-2: the late-risk sweep, each morning.
        day = timezone.localtime(first).replace(hour=RISK_SWEEP_HOUR, minute=0, second=0)
        k = 0
        while day < self.now:
            queue.append((day, (1 << 30) + 1, k, orders_flag_late_risk))
            day += dt.timedelta(days=1)
            k += 1
        heapq.heapify(queue)
        while queue:
            at, _plan, _n, step = heapq.heappop(queue)
            with time_machine.travel(at, tick=False):
                step()
        deadlines_sweep(now=timezone.now())
        orders_flag_late_risk()

    def quiet_history(self) -> None:
        """Old news stays old: nothing from the demo year is e-mailed, and only the last week is unread."""
        Notification.objects.filter(email_wanted=True, emailed_at__isnull=True).update(emailed_at=F("created_at"))
        Notification.objects.filter(read_at__isnull=True, created_at__lt=self.now - dt.timedelta(days=7)).update(
            read_at=F("created_at") + dt.timedelta(hours=2)
        )


@contextlib.contextmanager
def emails_not_handed_to_broker() -> Iterator[None]:
    """Hold back the e-mail hand-off of the demo year's notifications.

    notify() hands each batch to Celery on commit; a year of history is hundreds of batches,
    and with the broker down each failed hand-off costs the caller about 0.6 s. The demo
    notifications are marked as already e-mailed before the load commits, so nothing is lost.
    """
    original = notify_services._enqueue_emails
    notify_services._enqueue_emails = lambda ids: None
    try:
        yield
    finally:
        notify_services._enqueue_emails = original


class Command(BaseCommand):
    help = "Load demo data (departments, users of every role, customers, a year of records) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing (and succeed) when the database already has departments.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--small", action="store_true",
                            help="Every state, fewer records (about 25 inquiries): for tests.")

    def handle(self, *args, if_empty: bool = False, seed: int = 2026, small: bool = False, **options):
        if Department.objects.exists():
            message = "The database already has data (departments exist); demo data is loaded only into an empty database."
            if if_empty:
                self.stdout.write(message + " Nothing loaded.")
                return
            raise CommandError(message)
        started = time.monotonic()
        loader = DemoLoader(seed=seed, small=small)
        with emails_not_handed_to_broker(), transaction.atomic():
            loader.load_org()
            loader.load_catalogue()
            plans = loader.plan_inquiries()
            order_plans = loader.plan_orders(plans)
            loader.run_year(plans, order_plans)
            loader.quiet_history()
        self._print_logins()
        self._report(time.monotonic() - started)

    def _print_logins(self) -> None:
        # docs/demo-logins.txt holds the same text (a test keeps them equal); `make run` prints it.
        self.stdout.write("Demo logins:\n" + logins_text())

    def _report(self, seconds: float) -> None:
        now = timezone.now()
        today = timezone.localdate()
        statuses = Counter(Inquiry.objects.values_list("status", flat=True))
        overdue = Inquiry.objects.filter(status__in=Inquiry.OPEN_STATES, due_at__lt=now).count()
        months = Inquiry.objects.dates("received_at", "month").count()
        counts = {
            "departments": Department.objects.count(),
            "users": User.objects.count(),
            "customers": Customer.objects.count(),
            "products": Product.objects.count(),
            "inquiries": sum(statuses.values()),
            "orders": Order.objects.count(),
            "deliveries": Delivery.objects.count(),
            "installations": Installation.objects.count(),
            "timeline events": Event.objects.count(),
            "deadlines": Deadline.objects.count(),
            "notifications": Notification.objects.count(),
        }
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {seconds:.1f} s: "
                                             + ", ".join(f"{v} {k}" for k, v in counts.items())))
        self.stdout.write("Inquiries by status: " + ", ".join(f"{s} {statuses.get(s, 0)}" for s in S.values)
                          + f"; {overdue} overdue; received over {months} months.")
        order_statuses = Counter(Order.objects.values_list("status", flat=True))
        late = Order.objects.filter(status__in=Order.UNDELIVERED_STATES, promised_date__lt=today).count()
        self.stdout.write(
            "Orders by status: " + ", ".join(f"{s} {order_statuses.get(s, 0)}" for s in OS.values)
            + f"; {Order.objects.filter(source_inquiry__isnull=False).count()} from inquiries; {late} late; "
            f"{Order.objects.filter(risk_flagged_at__isnull=False).count()} flagged at risk; "
            f"{ReviewRound.objects.filter(outcome=ReviewRound.Outcome.RETURNED).count()} review rounds returned; "
            f"{Order.objects.filter(follow_up_due_at__isnull=False).count()} follow-up visits due.")
        installations = Counter(Installation.objects.values_list("status", flat=True))
        deliveries = Counter(Delivery.objects.values_list("status", flat=True))
        self.stdout.write("Installations: " + ", ".join(f"{s} {installations.get(s, 0)}" for s in IS.values)
                          + "; deliveries: " + ", ".join(f"{s} {deliveries.get(s, 0)}" for s in Delivery.Status.values)
                          + ".")
