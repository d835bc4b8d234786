"""DATA-1, organisation: departments, users of every role (one documented password), customers
with contacts, and the product catalogue. Declared on OrgConfig (``demo_data``)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import time_machine
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import CommandError

from qsm.demo import DemoBuilder, DemoContext
from qsm.org.models import Contact, Customer, Department, Product, Role, User
from qsm.org.services import customer_create

DEMO_PASSWORD = "qsm-demo-2026"
SITE = "http://127.0.0.1:8000/"
LOGINS_FILE = Path(settings.BASE_DIR) / "docs" / "demo-logins.txt"

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
    ("sun.hao", "孙浩", "production", [Role.STAFF, Role.INSTALLATION_ENGINEER], False),
]

ROLE_TITLES = {
    Role.ADMINISTRATOR: "administrator (Django admin too)",
    Role.MANAGER: "manager",
    Role.QUALITY_OFFICER: "quality officer",
    Role.STAFF: "staff",
    Role.INSTALLATION_ENGINEER: "installation engineer",
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
    # code, name, kind, product line, list price (SV-REPAIR is billed by the hour, SV-TRAIN by the day:
    # the only ones an order may take a fraction of; everything else is counted in whole units)
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
FRACTIONAL_PRODUCTS = {"SV-REPAIR", "SV-TRAIN"}


class OrgDemo(DemoBuilder):
    # -- organisation --------------------------------------------------------------------------
    def load_org(self) -> None:
        for role in Role.values:
            Group.objects.get_or_create(name=role)
        groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
        self.departments = {
            # §3.2(2): the production department is declared by its flag, which the admin can move.
            code: Department.objects.create(code=code, name=name, kind=kind, is_production=code == "production")
            for code, name, kind in DEPARTMENTS
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

    # -- customers and products ----------------------------------------------------------------
    def load_catalogue(self) -> None:
        rng = self.rng
        self.products = [
            Product.objects.create(code=code, name=name, kind=kind, product_line=line, list_price=price,
                                   whole_units=code not in FRACTIONAL_PRODUCTS)
            for code, name, kind, line, price in PRODUCTS
        ]
        customers = CUSTOMERS[:12] if self.small else CUSTOMERS
        clerk = self.users["zhang.wei"]
        self.customers: list[Customer] = []
        # Entered by the clerk on a working day, in working hours (DATA-1).
        with time_machine.travel(self.ctx.next_working(self.year_ago - dt.timedelta(days=30)), tick=False):
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


def build(ctx: DemoContext) -> None:
    demo = OrgDemo(ctx)
    demo.load_org()
    demo.load_catalogue()
    ctx.departments.update(demo.departments)
    ctx.users.update(demo.users)
    ctx.customers.extend(demo.customers)
    ctx.products.extend(demo.products)
