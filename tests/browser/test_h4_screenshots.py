"""The screenshot set (issue 7): every page in Chinese at desktop (1366 px) and phone (390 px) width,
as the people who use it see it, saved for a person to look at.

Demo-like people (a service staff member, a sales manager, a production engineer, a quality officer,
an administrator) and records in the states people meet (inquiries new, answered with a very long
question, in discussion, handed over; orders in review, returned, in production, being delivered,
being installed, accepted). For each page and width: HTTP 200, no horizontal overflow, no English
left in the navigation, headings, table headers, labels and buttons, no console error and no
content security policy violation.

Screenshots go to ``$QSM_SCREENSHOT_DIR`` (default: test-artifacts/screenshots/h4-set/), one file
per page and width; the path is printed.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse

from qsm.org.models import Role
from tests.browser.conftest import CHROMIUM, PASSWORD, SHOTS
from tests.browser.test_h4_everyday import ConsoleErrors
from tests.builders.inquiries import inquiry_in, new_inquiry
from tests.builders.orders import order_in, priced_product
from tests.factories import CustomerFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}

# English words a Chinese page must not show in its chrome (product codes like VMC or SCARA are
# upper case and allowed; so are the export format and the language menu).
ENGLISH_WORD = re.compile(r"\b[A-Z]?[a-z]{3,}\b")
ALLOWED_WORDS = {"Excel", "English"}  # the language menu names each language in itself
CHROME = ("nav.navbar a, nav.navbar button, h1, h2, th, label, button, .card-header, .nav-tabs .nav-link, "
          ".dropdown-item, .breadcrumb, .badge, .btn")

_PAGE_CHECK = r"""(chrome) => {
  const texts = [...document.querySelectorAll(chrome)].map(el => el.innerText || el.value || "").filter(Boolean);
  // a squeezed table: a visible header or cell so narrow that its words wrap a character or two a line
  const squeezed = [...document.querySelectorAll("th, td")].filter(el => {
    const box = el.getBoundingClientRect(), text = (el.innerText || "").trim();
    const style = getComputedStyle(el);
    return box.width > 0 && text.length >= 3 && !/^[\d.,\s¥—-]+$/.test(text) && style.display === "table-cell"
      && box.height > 3.5 * parseFloat(style.lineHeight || "20") && box.width < 4.5 * parseFloat(style.fontSize);
  }).map(el => (el.closest("table").id || el.closest("[id]")?.id || "?") + ": " + el.innerText.trim().slice(0, 20));
  return {scrollWidth: document.scrollingElement.scrollWidth, innerWidth: innerWidth, texts: texts,
          squeezed: squeezed, title: document.title};
}"""


def _shot_dir() -> Path:
    path = Path(os.environ.get("QSM_SCREENSHOT_DIR") or SHOTS / "h4-set")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


class Visitor:
    """One person's browser at one width: visits pages, saves each one, checks it."""

    def __init__(self, browser, live_server, width: str, username: str | None, shots: Path, problems: list[str]):
        self.context = browser.new_context(viewport=WIDTHS[width], locale="zh-CN")
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.errors = ConsoleErrors(self.page)
        self.width, self.username, self.shots, self.problems = width, username or "anonymous", shots, problems
        self.base = live_server.url
        if username:
            self.page.goto(self.base + reverse("login"))
            self.page.fill("input[name=username]", username)
            self.page.fill("input[name=password]", PASSWORD)
            self.page.click("#login-button")
            self.page.wait_for_url(self.base + reverse("inbox"))

    def visit(self, name: str, path: str, *, chrome: bool = True) -> None:
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        where = f"{self.username} {self.width} {name} ({path})"
        if response is None or response.status != 200:
            self.problems.append(f"{where}: HTTP {response and response.status}")
        seen = self.page.evaluate(_PAGE_CHECK, CHROME)
        self.page.screenshot(path=str(self.shots / f"{self.width}-{self.username}-{_slug(name)}.png"), full_page=True)
        if seen["scrollWidth"] > seen["innerWidth"]:
            self.problems.append(f"{where}: wider than the screen ({seen['scrollWidth']} > {seen['innerWidth']} px)")
        if seen["squeezed"]:
            self.problems.append(f"{where}: squeezed table cells: {seen['squeezed'][:5]}")
        if chrome:
            english = sorted({w for text in seen["texts"] for w in ENGLISH_WORD.findall(text)} - ALLOWED_WORDS)
            if english:
                self.problems.append(f"{where}: English words in the page's labels: {english}")
        if self.errors.seen:
            self.problems.append(f"{where}: console errors: {self.errors.seen}")
            self.errors.seen.clear()

    def close(self) -> None:
        self.context.close()


@pytest.mark.spec("SEC-2")
def test_screenshot_set_of_every_page(browser, live_server, csp_violations, business_department, sales_department,
                                      production_department, quality_department):
    # given the people of a small company and records in the states they meet
    staff = UserFactory(username="zhang.wei", display_name="张伟", email="", department=business_department,
                        roles=[Role.STAFF])
    manager = UserFactory(username="liu.yang", display_name="刘洋", email="", department=sales_department,
                          roles=[Role.MANAGER])
    sales = UserFactory(username="wang.fang", display_name="王芳", email="", department=sales_department,
                        roles=[Role.STAFF])
    engineer = UserFactory(username="sun.hao", display_name="孙浩", email="", department=production_department,
                           roles=[Role.STAFF])
    UserFactory(username="chen.jing", display_name="陈静", email="", department=quality_department,
                roles=[Role.QUALITY_OFFICER])
    UserFactory(username="admin", display_name="系统管理员", email="", department=None, roles=[Role.ADMINISTRATOR],
                is_staff=True, is_superuser=True)
    jiangnan = CustomerFactory(name="江南精密制造有限公司", phone="0512-88886666")
    xihu = CustomerFactory(name="杭州西子智能装备有限公司", phone="0571-85211189")
    fresh = new_inquiry(actor=staff, customer=jiangnan, subject="立式加工中心 VMC850 数控系统选型")
    long_question = ("客户描述了产线现状、节拍要求、工件规格和现场条件，希望给出完整的自动化改造方案。\n" * 420)[:19_500]
    answered = inquiry_in("answered", actor=staff, customer=xihu, subject="产线自动化改造咨询", question=long_question)
    discussed = inquiry_in("discussion", actor=staff, customer=jiangnan, subject="SCARA 机器人 QS-500 上下料",
                           invited=[sales_department], solution=("双机器人上下料方案", "两台 QS-500，配视觉定位。"))
    handed = inquiry_in("handed_over", actor=staff, customer=xihu, subject="卧式加工中心 HMC630 报价",
                        hand_over_to=sales_department)
    orders = {
        state: order_in(state, actor=manager, entered_by=sales, engineer=engineer, customer=customer,
                        product=priced_product(code, price), installation=installation, quantity="2")
        for state, customer, code, price, installation in [
            ("review", jiangnan, "VMC-850", "663350.00", True),
            ("returned", xihu, "HMC-630", "1280000.00", False),
            ("in_production", jiangnan, "RB-QS500", "98000.00", False),
            ("delivering", xihu, "CK-6150", "235000.00", False),
            ("installing", jiangnan, "GMC-2016", "1326700.00", True),
            ("accepted", xihu, "AL-LOAD", "648000.00", True),
        ]
    }
    shots = _shot_dir()
    print(f"\nscreenshots: {shots}")
    problems: list[str] = []

    for width in WIDTHS:
        # the login page, before anyone signs in
        visitor = Visitor(browser, live_server, width, None, shots, problems)
        visitor.visit("login", reverse("login"))
        visitor.close()

        # the service staff member: her work, inquiries, customers
        visitor = Visitor(browser, live_server, width, "zhang.wei", shots, problems)
        for name, path in [
            ("my work", reverse("inbox")),
            ("notifications", reverse("notifications")),
            ("inquiries", reverse("presales:inquiry-list")),
            ("new inquiry", reverse("presales:inquiry-create")),
            ("inquiry new", fresh.get_absolute_url()),
            ("inquiry answered long question", answered.get_absolute_url()),
            ("inquiry discussion", discussed.get_absolute_url()),
            ("customers", reverse("org:customer-list")),
            ("new customer", reverse("org:customer-create")),
            ("customer", jiangnan.get_absolute_url()),
        ]:
            visitor.visit(name, path)
        visitor.close()

        # the sales manager: orders in every state, deliveries, installations, the hand-over received
        visitor = Visitor(browser, live_server, width, "liu.yang", shots, problems)
        for name, path in [
            ("my work", reverse("inbox")),
            ("notifications", reverse("notifications")),
            ("orders", reverse("orders:order-list")),
            ("new order", reverse("orders:order-create")),
            *[(f"order {state}", order.get_absolute_url()) for state, order in orders.items()],
            ("deliveries", reverse("orders:delivery-list")),
            ("installations", reverse("orders:installation-list")),
            ("inquiry handed over", handed.get_absolute_url()),
            ("customer", xihu.get_absolute_url()),
        ]:
            visitor.visit(name, path)
        visitor.close()

        # the engineer and the quality officer: their own views of the same lists
        for username in ("sun.hao", "chen.jing"):
            visitor = Visitor(browser, live_server, width, username, shots, problems)
            for name, path in [("my work", reverse("inbox")), ("orders", reverse("orders:order-list")),
                               ("installations", reverse("orders:installation-list")),
                               ("inquiries", reverse("presales:inquiry-list"))]:
                visitor.visit(name, path)
            visitor.close()

        # the administrator: the API docs from the user menu (the Swagger UI is English by design)
        visitor = Visitor(browser, live_server, width, "admin", shots, problems)
        visitor.visit("my work", reverse("inbox"))
        visitor.visit("api docs", reverse("api-docs"), chrome=False)
        visitor.page.wait_for_selector("#swagger-ui .opblock-tag")
        visitor.page.screenshot(path=str(shots / f"{width}-admin-api-docs.png"), full_page=False)
        visitor.close()

    # then every page answered, fits the screen, speaks Chinese and ran under the policy
    assert problems == [], "\n".join(problems)
    csp_violations.assert_none()
    assert len(list(shots.glob("*.png"))) >= 2 * 35  # one per page and width
