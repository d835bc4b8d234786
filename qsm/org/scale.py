"""PERF-1, organisation at scale (``manage.py seed_scale``): departments, users with their roles,
customers with contacts, and the product catalogue. Declared on OrgConfig (``scale_data``).

At scale 1: 50 departments (the quality department, production, technical service and 47 business
departments, the first of which, 华东销售部, is the biggest), 2,000 users (each department's
manager, the quality department's officers, production's installation engineers, staff), 200,000
customers named like 苏州恒力机械有限公司 (unique: the name is a bijection of the row number) with a
primary contact each, and 200 products. Every user's password is the command's ``--password``.
"""
from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import connection

from qsm.scale import ScaleContext, Seeder, int_array, lit, pick, rnd, text_array

from .demo import PRODUCTS
from .models import Role

REGIONS = ["华东", "华南", "华北", "华中", "西南", "西北", "东北", "江苏", "浙江", "山东", "广东", "福建", "四川",
           "湖北", "湖南", "河南", "河北", "安徽", "辽宁", "陕西", "上海", "北京", "天津", "重庆"]
FUNCTIONS = ["销售部", "客户服务部", "大客户部", "技术支持部"]
SUPPORT = [("quality", "质量管理部", "quality", False), ("production", "生产部", "other", True),
           ("tech", "技术服务部", "other", False)]

CITIES = ["苏州", "无锡", "常州", "南京", "杭州", "宁波", "温州", "嘉兴", "绍兴", "台州", "上海", "合肥", "青岛", "济南",
          "烟台", "天津", "北京", "石家庄", "太原", "沈阳", "大连", "长春", "哈尔滨", "郑州", "武汉", "长沙", "南昌",
          "福州", "厦门", "广州", "深圳", "东莞", "佛山", "成都", "重庆", "西安", "兰州", "昆明", "贵阳", "南通"]
BRAND_FIRST = list("恒华新东金长泰瑞永宏鑫海大中天明正圣德宝")
BRAND_SECOND = list("力通达兴盛源丰昌科信安利隆发创远泰凯美诚")
INDUSTRIES = ["机械", "精密机械", "自动化设备", "模具", "电子", "汽车零部件", "重工", "液压", "轴承", "电机", "阀门",
              "五金", "机床", "智能装备", "数控设备", "光电", "新能源", "医疗器械", "家电", "铸造", "注塑", "纺织机械",
              "工程机械", "船舶配件", "风电装备", "仪器仪表", "环保设备", "包装机械", "食品机械", "塑胶"]
SUFFIXES = ["有限公司", "股份有限公司"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建国",
         "海燕", "志强", "晓东", "丽华", "文博", "雪梅", "建华", "春燕", "明辉", "永刚", "婷婷", "俊杰", "玉兰", "德明",
         "宏伟", "小平", "子涵", "浩然", "欣怡", "宇轩", "佳怡", "梓萱"]
TITLES = ["采购经理", "设备部经理", "技术总监", "生产厂长", "总经理", "工艺工程师", "采购专员", "设备主管"]
ROADS = ["工业大道", "科技路", "创业路", "长江路", "东方路", "宏业路", "新华路", "发展大道", "人民路", "滨江大道"]
ZONES = ["经济技术开发区", "高新区", "工业园区", "", "新区"]
LINES = [("数控机床", "加工中心"), ("数控机床", "数控车床"), ("自动化产线", "自动化单元"), ("工业机器人", "工业机器人"),
         ("维保服务", "维保服务包"), ("技术服务", "改造服务")]

# A bijection of the customer's row number onto (city, brand, industry, suffix): unique names.
NAME_SPACE = len(CITIES) * len(BRAND_FIRST) * len(BRAND_SECOND) * len(INDUSTRIES) * len(SUFFIXES)
NAME_STRIDE = 7919  # prime, coprime with NAME_SPACE: (g * stride) mod space visits every name once


def _departments(ctx: ScaleContext) -> list[tuple[str, str, str, bool]]:
    total = ctx.count(50, minimum=5)
    business = [(f"biz{n + 1:02d}", REGIONS[n % len(REGIONS)] + FUNCTIONS[n // len(REGIONS) % len(FUNCTIONS)]
                 + ("" if n < len(REGIONS) * len(FUNCTIONS) else str(n // (len(REGIONS) * len(FUNCTIONS)) + 1)),
                 "business", False)
                for n in range(total - len(SUPPORT))]
    return SUPPORT + business


def _members(ctx: ScaleContext, departments) -> list[tuple[str, str, str, list[str]]]:
    """(username, display name, department code, roles) for every user but the administrator."""
    total = ctx.count(2000, minimum=24)
    business = [d for d in departments if d[2] == "business"]
    quality_n = max(3, round(total * 0.012))
    production_n = max(3, round(total * 0.04))
    tech_n = max(2, round(total * 0.015))
    rest = max(2 * len(business), total - quality_n - production_n - tech_n)
    # The first business department is the biggest (three shares), the others one share each.
    shares = [3] + [1] * (len(business) - 1)
    sizes = {d[0]: max(2, rest * s // sum(shares)) for d, s in zip(business, shares, strict=True)}
    sizes.update({"quality": quality_n, "production": production_n, "tech": tech_n})
    dispatcher = "dispatcher" if "dispatcher" in Role.values else None
    people = []
    k = 0
    for code, _name, kind, _production in departments:
        for n in range(1, sizes[code] + 1):
            k += 1
            name = SURNAMES[k * 7 % len(SURNAMES)] + GIVEN[k * 13 % len(GIVEN)]
            if n == 1:
                roles = [Role.MANAGER]  # the department's manager (ORG-1: a member with the role)
            elif kind == "quality":
                roles = [Role.QUALITY_OFFICER]
            elif code == "production":
                roles = [Role.STAFF, Role.INSTALLATION_ENGINEER]
            elif dispatcher and n in (2, 3) and kind == "business":
                roles = [Role.STAFF, dispatcher]
            else:
                roles = [Role.STAFF]
            people.append((f"{code}.{n:03d}", name, code, [str(r) for r in roles]))
    return people


def seed(ctx: ScaleContext) -> None:
    departments = _departments(ctx)
    with ctx.step("departments") as rows:
        first = ctx.next_id("org_department")
        values = ",".join(f"({first + i}, {lit(name)}, {lit(code)}, {lit(kind)}, {production}, true)"
                          for i, (code, name, kind, production) in enumerate(departments))
        rows.append(ctx.execute(f"INSERT INTO org_department (id, name, code, kind, is_production, is_active) VALUES {values}"))
    dept_ids = dict(ctx.rows("SELECT code, id FROM org_department"))

    people = _members(ctx, departments)
    with ctx.step("users and roles") as rows:
        password = make_password(ctx.password)  # one hash for every user (Argon2 is slow on purpose)
        start = f"{lit(ctx.start.isoformat())}::timestamptz"
        first = ctx.next_id("org_user")
        ctx.execute(
            "INSERT INTO org_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, "
            "is_active, date_joined, department_id, display_name, phone, language) VALUES "
            "(%s, %s, true, 'scale.admin', '', '', 'scale.admin@qsm-scale.example.com', true, true, %s, NULL, "
            "'系统管理员', '', 'zh-hans')", [first, password, ctx.start])
        ctx.execute("DROP TABLE IF EXISTS scale_people; CREATE TEMP TABLE scale_people (n int, username text, display text, dept text, roles text[]) "
                    "ON COMMIT DROP")
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO scale_people VALUES (%s, %s, %s, %s, %s)",
                               [(i + 1, u, d, c, r) for i, (u, d, c, r) in enumerate(people)])
        rows.append(1 + ctx.execute(f"""
            INSERT INTO org_user (id, password, is_superuser, username, first_name, last_name, email, is_staff,
                                  is_active, date_joined, department_id, display_name, phone, language)
            SELECT {first} + p.n, {lit(password)}, false, p.username, substr(p.display, 2), substr(p.display, 1, 1),
                   p.username || '@qsm-scale.example.com', false, true, {start}, d.id, p.display,
                   '13' || lpad((p.n * 7919 % 1000000000)::text, 9, '0'), 'zh-hans'
            FROM scale_people p JOIN org_department d ON d.code = p.dept ORDER BY p.n"""))
        ctx.execute("""
            INSERT INTO org_user_groups (user_id, group_id)
            SELECT %s + p.n, g.id FROM scale_people p CROSS JOIN LATERAL unnest(p.roles) r(name)
            JOIN auth_group g ON g.name = r.name""", [first])
        ctx.execute("INSERT INTO org_user_groups (user_id, group_id) SELECT %s, id FROM auth_group WHERE name = 'administrator'",
                    [first])

    with ctx.step("products") as rows:
        first = ctx.next_id("org_product")
        n = ctx.count(200, minimum=len(PRODUCTS))
        values = ",".join(
            f"({first + i}, {lit(code)}, {lit(name)}, {lit(kind)}, {lit(line)}, {price}, {code not in ('SV-REPAIR', 'SV-TRAIN')}, true)"
            for i, (code, name, kind, line, price) in enumerate(PRODUCTS))
        rows.append(ctx.execute("INSERT INTO org_product (id, code, name, kind, product_line, list_price, whole_units, "
                                f"is_active) VALUES {values}"))
        lines = text_array(f"{line}|{word}" for line, word in LINES)
        rows.append(ctx.execute(f"""
            INSERT INTO org_product (id, code, name, kind, product_line, list_price, whole_units, is_active)
            SELECT {first} + g - 1, 'P' || lpad(g::text, 5, '0'),
                   split_part(x.lw, '|', 2) || ' ' || chr((65 + g % 26)::int) || (100 + g * 37 % 900)::text,
                   CASE WHEN split_part(x.lw, '|', 1) LIKE '%%服务' THEN 'service' ELSE 'product' END,
                   split_part(x.lw, '|', 1), (5000 + floor({rnd('g', 1)} * 400) * 1000)::numeric(12, 2), true,
                   {rnd('g', 2)} > 0.03
            FROM generate_series({len(PRODUCTS) + 1}::bigint, {n}) g
            CROSS JOIN LATERAL (SELECT {pick(lines, 'g', 3)} AS lw) x"""))

    n_customers = ctx.count(200_000, minimum=30)
    with ctx.step("customers") as rows:
        first = ctx.next_id("org_customer")
        span = (ctx.now - ctx.start).total_seconds()
        clerks = int_array(r[0] for r in ctx.rows(
            "SELECT u.id FROM org_user u JOIN org_department d ON d.id = u.department_id WHERE d.kind = 'business'"))
        c, b1, b2, ind = len(CITIES), len(BRAND_FIRST), len(BRAND_SECOND), len(INDUSTRIES)
        rows.append(ctx.execute(f"""
            INSERT INTO org_customer (id, name, name_key, credit_code, kind, phone, email, address, notes,
                                      created_by_id, created_at)
            SELECT {first} + g - 1, x.name, x.name, '', 'company', x.area || '-' || (5 + g % 4)::text
                       || lpad((g * 104729 % 10000000)::text, 7, '0'),
                   'info' || g || '@customer.example.com',
                   x.city || '市' || {pick(ZONES, 'g', 11)} || {pick(ROADS, 'g', 12)} || (1 + g % 999)::text || '号',
                   '', ({clerks})[1 + floor({rnd('g', 13)} * cardinality({clerks}))::int],
                   {lit(ctx.start.isoformat())}::timestamptz + (g - 0.5) * {span / n_customers} * interval '1 second'
            FROM generate_series(1::bigint, {n_customers}) g
            CROSS JOIN LATERAL (SELECT ((g - 1)::bigint * {NAME_STRIDE}) % {NAME_SPACE} AS i, (g - 1) / {NAME_SPACE} AS lap) k
            CROSS JOIN LATERAL (SELECT {text_array(CITIES)}[1 + k.i % {c}] AS city,
                                       '0' || (510 + k.i % {c})::text AS area) y
            CROSS JOIN LATERAL (SELECT y.city, y.area, y.city || {text_array(BRAND_FIRST)}[1 + k.i / {c} % {b1}]
                   || {text_array(BRAND_SECOND)}[1 + k.i / {c * b1} % {b2}]
                   || {text_array(INDUSTRIES)}[1 + k.i / {c * b1 * b2} % {ind}]
                   || CASE WHEN k.lap > 0 THEN '第' || (k.lap + 1)::text || '分公司' ELSE '' END
                   || {text_array(SUFFIXES)}[1 + k.i / {c * b1 * b2 * ind}] AS name) x"""))
    with ctx.step("customer contacts") as rows:
        first = ctx.next_id("org_contact")
        rows.append(ctx.execute(f"""
            INSERT INTO org_contact (id, customer_id, name, title, phone, email, is_primary)
            SELECT {first} + (c.id - {ctx.scalar('SELECT MIN(id) FROM org_customer')}) * 2 + s, c.id,
                   {pick(SURNAMES, 'c.id * 2 + s', 21)} || {pick(GIVEN, 'c.id * 2 + s', 22)}, {pick(TITLES, 'c.id * 2 + s', 23)},
                   '1' || {pick(list('3589'), 'c.id * 2 + s', 24)} || lpad(((hashint8extended(c.id * 2 + s, 25) & 1073741823) % 1000000000)::text, 9, '0'),
                   CASE WHEN s = 0 THEN 'buyer' || c.id || '@customer.example.com' ELSE '' END, s = 0
            FROM org_customer c CROSS JOIN generate_series(0, 1) s
            WHERE s = 0 OR {rnd('c.id', 26)} < 0.3"""))
    ctx.shared["dept_ids"] = dept_ids


def report(ctx: ScaleContext) -> list[str]:
    biggest = ctx.scalar("SELECT name FROM org_department WHERE code = 'biz01'")
    return [f"Logins (password {ctx.password!r} unless --password said otherwise): scale.admin (administrator), "
            f"quality.001 (quality manager), quality.002 (quality officer), biz01.001 (manager of {biggest}), "
            "biz01.002 (its first staff member: the busiest owner at scale 1), production.002 (installation engineer)."]


seeder = Seeder(
    module="org",
    report=report,
    tables=("org_department", "org_user", "org_user_groups", "org_product", "org_customer", "org_contact"),
    seed=seed,
)
