"""SEC-2: a strict content security policy, and pages that need nothing looser.

Every HTML page carries a CSP whose script-src allows no inline code and no eval; no template and
no rendered page holds an inline script, an on*= handler, a javascript: URL, an htmx hx-on handler
or an inline style (the policy allows none of them: they would be blocked, or the policy would
have to be weakened for them). The browser side (no violation is reported while people work) is
tests/browser/test_csp_pages.py.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from qsm.org.models import Role
from tests.builders.inquiries import new_inquiry
from tests.builders.orders import new_order, order_in, priced_product
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"]
# Data blocks (json_script) are not run by the browser: CSP does not apply to them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
UNSAFE_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'", "*", "data:", "blob:",
                  "http:", "https:"}


def parse_policy(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0].lower()] = tokens[1:]
    return directives


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP forbids in a page: inline scripts, handlers, inline styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script: str | None = None  # "" while inside a script that must be empty
        self._script_body: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> inline event handler")
            elif name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"<{tag} {name}=...> htmx inline handler")
            elif name == "style":
                self.problems.append(f"<{tag} style={value!r}> inline style")
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}> javascript: URL")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            attributes = dict(attrs)
            if (attributes.get("type") or "").lower() in DATA_SCRIPT_TYPES:
                return
            self._script = tag
            self._script_body = []
            if not attributes.get("src"):
                self.problems.append("<script> without src (inline script)")

    def handle_data(self, data):
        if self._script is not None:
            self._script_body.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            if "".join(self._script_body).strip():
                self.problems.append(f"<script> with a body: {''.join(self._script_body).strip()[:60]!r}")
            self._script = None


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


# --- the templates -------------------------------------------------------------------------------

_TEMPLATE_PATTERNS = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I),
     "inline <script>"),
    (re.compile(r"<script\b[^>]*>\s*[^<\s]", re.I), "<script> with a body"),
    (re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S), "on*= handler"),
    (re.compile(r"\s(?:data-)?hx-on[:\-]", re.I), "hx-on handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I | re.S), "style= attribute"),
    (re.compile(r"<style\b", re.I), "<style> element"),
]


def _without_comments(text: str) -> str:
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", text, flags=re.S)
    return re.sub(r"{#.*?#}", "", text)


@pytest.mark.spec("SEC-2")
def test_no_template_carries_inline_code_or_inline_style():
    templates = [path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html")]
    assert len(templates) > 30  # the scan sees the project's templates

    problems = []
    for path in templates:
        text = _without_comments(path.read_text(encoding="utf-8"))
        for pattern, what in _TEMPLATE_PATTERNS:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {what}")

    assert problems == []


@pytest.mark.spec("SEC-2")
def test_the_scan_finds_each_kind_of_inline_code():
    """The checker itself: each forbidden construct is reported, what CSP allows is not."""
    page = """<html><head><style>p{}</style><script src="/static/js/qsm.js"></script>
      <script type="application/json" id="data">{"a": 1}</script><script>alert(1)</script></head>
      <body><a href="javascript:alert(1)">x</a><button onclick="go()">y</button>
      <div hx-on:click="go()" style="color: red"></div></body></html>"""

    problems = inline_code(page)

    assert any("<style> element" in p for p in problems)
    assert any("inline script" in p for p in problems) and any("with a body" in p for p in problems)
    assert any("javascript: URL" in p for p in problems)
    assert any("onclick" in p for p in problems)
    assert any("hx-on" in p for p in problems)
    assert any("inline style" in p for p in problems)
    assert len(problems) == 7
    assert inline_code('<script src="/x.js"></script><script type="application/json">{}</script>') == []


# --- the pages -----------------------------------------------------------------------------------

@pytest.fixture
def pages(business_department, sales_department, production_department, customer):
    """The main pages, each with the user who works on it: (name, client, url, extra headers)."""
    staff = UserFactory(username="staff", department=business_department, roles=[Role.STAFF])
    sales = UserFactory(username="sales", department=sales_department, roles=[Role.STAFF])
    sales_manager = UserFactory(username="sales_manager", department=sales_department, roles=[Role.MANAGER])
    engineer = UserFactory(username="engineer", department=production_department, roles=[Role.STAFF])
    admin = UserFactory(username="admin_user", department=None, roles=[Role.ADMINISTRATOR], is_staff=True,
                        is_superuser=True)

    inquiry = new_inquiry(actor=staff, customer=customer)
    in_review = new_order(actor=sales, customer=customer, product=priced_product("VMC-1"))
    delivering = order_in("delivering", actor=sales_manager, entered_by=sales, customer=customer,
                          product=priced_product("VMC-2"), quantity="3")
    installing = order_in("installing", actor=sales_manager, entered_by=sales, engineer=engineer, customer=customer,
                          product=priced_product("VMC-3"), installation=True)

    def client_for(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    as_staff, as_sales, as_admin = client_for(staff), client_for(sales_manager), client_for(admin)
    htmx = {"HTTP_HX_REQUEST": "true"}
    return [
        ("login", Client(), reverse("login"), {}),
        ("my work", as_staff, reverse("inbox"), {}),
        ("notifications", as_staff, reverse("notifications"), {}),
        ("inquiry list", as_staff, reverse("presales:inquiry-list"), {}),
        ("inquiry intake", as_staff, reverse("presales:inquiry-create"), {}),
        ("inquiry detail", as_staff, reverse("presales:inquiry-detail", args=[inquiry.pk]), {}),
        ("inquiry detail (htmx)", as_staff, reverse("presales:inquiry-detail", args=[inquiry.pk]), htmx),
        ("customer lookup (htmx)", as_staff, reverse("org:customer-lookup") + "?q=%E5%8D%8E", htmx),
        ("customer list", as_staff, reverse("org:customer-list"), {}),
        ("customer page", as_staff, reverse("org:customer-detail", args=[customer.pk]), {}),
        ("new customer", as_staff, reverse("org:customer-create"), {}),
        ("order list", as_sales, reverse("orders:order-list"), {}),
        ("new order", as_sales, reverse("orders:order-create"), {}),
        ("order in review (checklist)", as_sales, reverse("orders:order-detail", args=[in_review.pk]), {}),
        ("order delivering (shipment)", as_sales, reverse("orders:order-detail", args=[delivering.pk]), {}),
        ("order installing (installation)", as_sales, reverse("orders:order-detail", args=[installing.pk]), {}),
        ("order detail (htmx)", as_sales, reverse("orders:order-detail", args=[installing.pk]), htmx),
        ("delivery list", as_sales, reverse("orders:delivery-list"), {}),
        ("installation list", as_sales, reverse("orders:installation-list"), {}),
        ("not found", as_staff, reverse("presales:inquiry-detail", args=[10**9]), {}),
        ("admin index", as_admin, reverse("admin:index"), {}),
        ("admin order list", as_admin, reverse("admin:orders_order_changelist"), {}),
        ("admin order", as_admin, reverse("admin:orders_order_change", args=[installing.pk]), {}),
        ("admin user", as_admin, reverse("admin:org_user_change", args=[staff.pk]), {}),
        ("API docs", as_staff, reverse("api-docs"), {}),
    ]


def _get(client, url, headers):
    response = client.get(url, **headers)
    assert response.status_code in (200, 404), (url, response.status_code)
    return response


@pytest.mark.spec("SEC-2")
def test_every_html_page_sends_a_strict_policy(pages):
    seen = 0
    for name, client, url, headers in pages:
        response = _get(client, url, headers)
        assert response["Content-Type"].startswith("text/html"), name
        policy = parse_policy(response.get("Content-Security-Policy", ""))
        assert policy, f"{name}: no Content-Security-Policy header"
        assert policy["script-src"] == ["'self'"], (name, policy["script-src"])
        assert not UNSAFE_SOURCES & set(policy["script-src"] + policy["default-src"]), name
        assert "'unsafe-inline'" not in policy["style-src"], name
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
        assert policy["connect-src"] == ["'self'"] and policy["img-src"] == ["'self'", "data:"]
        seen += 1
    assert seen == len(pages) >= 25


@pytest.mark.spec("SEC-2")
def test_rendered_pages_hold_no_inline_code(pages):
    problems = []
    for name, client, url, headers in pages:
        html = _get(client, url, headers).content.decode()
        problems += [f"{name}: {problem}" for problem in inline_code(html)]
    assert problems == []


@pytest.mark.spec("SEC-2")
def test_stored_markup_is_shown_as_text_not_run(business_department, customer):
    # given an inquiry whose subject and question carry a script and a handler
    staff = UserFactory(username="staff", department=business_department, roles=[Role.STAFF])
    inquiry = new_inquiry(actor=staff, customer=customer, subject='<script>alert(1)</script>',
                           question='<img src=x onerror="alert(2)">')
    client = Client()
    client.force_login(staff)

    # when its page is rendered
    html = client.get(reverse("presales:inquiry-detail", args=[inquiry.pk])).content.decode()

    # then it is text on the page, and nothing in the page is inline code
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert inline_code(html) == []


@pytest.mark.spec("SEC-2")
def test_the_api_docs_load_their_init_script_from_a_url_of_their_own(client, staff_user):
    client.force_login(staff_user)
    page = client.get(reverse("api-docs")).content.decode()
    script_urls = re.findall(r'<script src="([^"]+)"', page)
    init = [url for url in script_urls if "script=" in url]
    assert len(init) == 1, script_urls

    response = client.get(init[0].replace("&amp;", "&"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in response.content.decode()
    assert "swagger.css" in page and "<style" not in page


@pytest.mark.spec("SEC-2")
def test_no_view_loosens_or_skips_the_policy():
    """The policy is one setting for every response: no view is exempt or adds an unsafe source."""
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
    policy = settings.CONTENT_SECURITY_POLICY
    assert not policy.get("EXCLUDE_URL_PREFIXES")
    assert not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)  # enforced, not only reported
    for directive in ("script-src", "style-src", "default-src"):
        assert not UNSAFE_SOURCES & set(policy["DIRECTIVES"][directive]), directive

    root = Path(settings.BASE_DIR)
    sources = [path for app in ("qsm", "presales", "orders", "aftersales", "complaints", "assessment")
               for path in (root / app).rglob("*.py")]
    assert len(sources) > 50
    loosened = [str(path.relative_to(root)) for path in sources
                if re.search(r"\bcsp_(exempt|update|replace)\b|from csp\.decorators import", path.read_text())]
    assert loosened == []
