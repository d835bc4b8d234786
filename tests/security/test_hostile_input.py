"""SEC-1: hostile values sent to every page form and every API operation that takes the field type.

The page forms are read from the rendered pages (every ``<form method=post>`` of the record pages
and the create pages), the API operations from the OpenAPI schema; each text, date, date-time and
number field gets each hostile value of its type. A refused value is a field error (a page that
re-renders, or a 400), never a 500 and never stored; afterwards every record page, list page,
API list and export still answers.
"""
from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser

import pytest

from tests.security.conftest import assert_everything_reads

LONG = "长" * 6000
PAGE_HOSTILE = {
    "text": ["a\x01b", LONG],
    "date": ["0001-01-01", "2101-01-01"],
    "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59"],
    "number": ["²", "1e999"],
}
# sent to every field of a form at once (one request per form): refused by Django's own checks
PAGE_HOSTILE_ALL_AT_ONCE = {"text": "a\x00b", "date": "²", "datetime-local": "²", "number": "NaN"}
API_HOSTILE = {
    "string": ["a\x00b", "a\x01b", "\ud800", LONG],
    "date": ["0001-01-01", "2101-01-01", "²"],
    "date-time": ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "2999-01-01T00:00:00+08:00"],
    "integer": ["²", "1e999", 99999999999999999999999, -1],
    "number": ["²", "1e999", "NaN", "Infinity"],
    "decimal": ["²", "1e999", "NaN", "Infinity"],
    "boolean": ["²"],
    "enum": ["a\x00", "\ud800", "²"],
}
REFUSED = {400, 403, 404, 409, 415}


# --- page forms, read from the pages -------------------------------------------------------------


class _Forms(HTMLParser):
    """Every POST form of a page: its action and its fields with the values the page shows."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": [], "data": {}}
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["data"].setdefault(name, a.get("value", "on"))
                elif kind == "radio":
                    self._form["data"].setdefault(name, a.get("value", ""))
            elif kind == "file":
                pass
            else:
                self._form["data"][name] = a.get("value", "")
                if kind in ("text", "tel", "email", "search"):
                    self._form["fields"].append((name, "text"))
                elif kind in PAGE_HOSTILE:
                    self._form["fields"].append((name, kind))
        elif tag == "textarea":
            self._textarea = name
            self._form["data"][name] = ""
            self._form["fields"].append((name, "text"))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and ("selected" in a or self._select not in self._form["data"]):
            self._form["data"][self._select] = a.get("value", "")

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["data"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def _page_forms(client, url) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _Forms()
    parser.feed(response.content.decode())
    forms = [f for f in parser.forms if f["fields"] and "/language/" not in f["action"]
             and "logout" not in f["action"]]
    for form in forms:
        form["action"] = form["action"] or url
    return forms


def _page_targets(world):
    staff, sales = world.staff_user, world.sales_user
    return [
        (staff, "/presales/new/"), (staff, world.inquiry.get_absolute_url()),
        (staff, world.discussed.get_absolute_url()),
        (sales, "/orders/new/"), (sales, world.order_review.get_absolute_url()),
        (sales, world.order_production.get_absolute_url()), (sales, world.order_delivering.get_absolute_url()),
        (sales, world.order_installing.get_absolute_url()), (sales, "/customers/new/"),
    ]


@pytest.mark.spec("SEC-1")
def test_every_page_form_refuses_hostile_values_without_a_server_error(world):
    # given every POST form of the pages people enter data on
    sent = 0
    fields_seen = set()
    for user, url in _page_targets(world):
        client = world.page_client(user)
        for form in _page_forms(client, url):
            response = client.post(form["action"], {**form["data"], **{
                name: PAGE_HOSTILE_ALL_AT_ONCE[kind] for name, kind in form["fields"]}})
            sent += 1
            assert response.status_code < 500 and response.status_code != 302, form["action"]
            for name, kind in form["fields"]:
                fields_seen.add((form["action"].split("?")[0], name, kind))
                for value in PAGE_HOSTILE[kind]:
                    # when one field holds a hostile value of its type
                    response = client.post(form["action"], {**form["data"], name: value})
                    sent += 1
                    # then it is a field error on the page: never a 500, never saved (a redirect)
                    assert response.status_code < 500, (form["action"], name, value[:20])
                    assert response.status_code != 302, (form["action"], name, value[:20])
    # the sweep reached the fields that broke before (issue 6 §9)
    kinds = {kind for _a, _n, kind in fields_seen}
    assert {"text", "date", "datetime-local", "number"} <= kinds
    names = {n for _a, n, _k in fields_seen}
    assert {"occurred_at", "meeting_at", "shipped_at", "subject", "summary", "body"} <= names, names
    assert sent > 150
    assert_everything_reads(world)


# --- API operations, read from the schema --------------------------------------------------------


def _schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema, node):
    while isinstance(node, dict) and "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    if isinstance(node, dict) and "allOf" in node and len(node["allOf"]) == 1:
        return _resolve(schema, node["allOf"][0])
    if isinstance(node, dict) and "oneOf" in node:
        options = [_resolve(schema, o) for o in node["oneOf"] if o.get("type") != "null"]
        return options[0] if options else node
    return node


def _kind(prop: dict) -> str | None:
    if "enum" in prop:
        return "enum"
    kind, fmt = prop.get("type"), prop.get("format")
    if kind == "string":
        return fmt if fmt in ("date", "date-time", "decimal") else "string" if fmt not in ("binary", "uri") else None
    return kind if kind in ("integer", "number", "boolean") else None


def _fields(schema, body) -> list[tuple[list[str], str]]:
    """(path into the body, kind) of every scalar field, one level into arrays and objects."""
    out = []
    for name, prop in _resolve(schema, body).get("properties", {}).items():
        prop = _resolve(schema, prop)
        if prop.get("readOnly"):
            continue
        if prop.get("type") == "array":
            item = _resolve(schema, prop.get("items", {}))
            if item.get("type") == "object" or "properties" in item:
                out += [([name, "[]", *path], kind) for path, kind in _fields(schema, item)]
            elif _kind(item):
                out.append(([name, "[]"], _kind(item)))
        elif prop.get("type") == "object" and "properties" not in prop:
            child = _resolve(schema, prop.get("additionalProperties", {})) or {}
            if _kind(child):
                out.append(([name, "{}"], _kind(child)))
        elif _kind(prop):
            out.append(([name], _kind(prop)))
    return out


def _body(path: list[str], value):
    head, *rest = path
    if head == "[]":
        return [_body(rest, value)] if rest else [value]
    if head == "{}":
        return {"1": value}
    return {head: _body(rest, value) if rest else value}


def _visit(world):
    """A planned follow-up visit of the sales user's order (VIS-1): every step's input is tried on it."""
    from tests.builders.aftersales import visit_build

    return visit_build(actor=world.sales_user, subject=world.order_production, owner=world.sales_user)


def _operations(world):
    """(client, method, url, body schema) for every API operation with a JSON body."""
    schema = _schema()
    ids = {
        "presales": {"{id}": world.discussed.pk, "{solution_id}": world.solution.pk, "{attachment_id}": 1},
        "orders/orders": {"{id}": world.order_production.pk, "{note_id}": world.progress_note.pk},
        "orders/deliveries": {"{id}": world.delivery.pk},
        "orders/installations": {"{id}": world.installation.pk},
        "org": {"{id}": world.customer.pk},
        "notifications": {}, "auth": {}, "me": {}, "inbox": {},
        "aftersales/visits": {"{id}": _visit(world).pk},
        # a complex after-sales case of the sales user, with a running plan of one step (AFS-2)
        "aftersales/cases": _complex_case_ids(world.sales_user, world.customer),
        # the module's other records: an id nobody has (refused with a 404 is refused all the same)
        "aftersales": {},
        # a complaint the sales user received (CMP-1); its plans, measures and preventive measures by
        # an id nobody has, like after-sales' other records
        "complaints/complaints": {"{id}": _complaint(world.sales_user, world.customer).pk},
        "complaints": {},
        # quality control (QC-1/2/3/5): by an id nobody has; tests/assessment/test_hostile_input.py sends the
        # hostile values to real records as the quality department
        "quality": {},
    }
    staff, sales = world.api_client(world.staff_user), world.api_client(world.sales_user)
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body is None:
                continue
            prefix = next(p for p in ids if path.startswith(f"/api/{p}"))
            url = path
            for placeholder, pk in ids[prefix].items():
                url = url.replace(placeholder, str(pk))
            if prefix in ("aftersales", "complaints", "complaints/complaints", "quality"):
                url = re.sub(r"{[^}]+}", "999999", url)
            assert "{" not in url, url
            client = staff if prefix in ("presales", "notifications", "me", "inbox") else sales
            yield client, method, url, schema, body


def _complaint(actor, customer):
    from complaints.services.intake import complaint_create

    return complaint_create(actor=actor, customer=customer, channel="phone", severity="general",
                            subject="设备异响投诉", description="客户投诉新设备主轴异响")


def _complex_case_ids(actor, customer) -> dict:
    import datetime as dt

    from django.utils import timezone

    from aftersales.models import Case
    from aftersales.services import plans
    from tests.builders.aftersales import case_build

    case = case_build(actor=actor, state=Case.Status.SPECIAL, complex=True, customer=customer)
    plan = plans.plan_create(case=case, actor=actor, title="专项方案", content="更换主轴")
    step = plans.plan_step_add(plan=plan, actor=actor, description="拆检", owner=actor,
                               due_date=timezone.localdate() + dt.timedelta(days=2))
    plans.plan_start(plan=plan, actor=actor)
    return {"{id}": case.pk, "{step_id}": step.pk, "{attachment_id}": 1}


@pytest.mark.spec("SEC-1")
def test_every_api_operation_refuses_hostile_values_with_a_400(world):
    sent = 0
    operations = 0
    kinds = set()
    for client, method, url, schema, body in _operations(world):
        operations += 1
        for path, kind in _fields(schema, body):
            kinds.add(kind)
            for value in API_HOSTILE[kind]:
                data = _body(path, value)
                raw = json.dumps(data, ensure_ascii=True)  # a lone surrogate travels as \ud800
                response = getattr(client, method)(url, raw, content_type="application/json")
                sent += 1
                label = (method, url, ".".join(path), repr(value)[:24])
                # never a 500, never accepted; the error body is JSON that renders
                assert response.status_code in REFUSED, (*label, response.status_code)
                json.loads(response.content)
    assert operations >= 30
    assert {"string", "date", "date-time", "integer", "decimal", "enum"} <= kinds
    assert sent > 400
    assert_everything_reads(world)


# --- query parameters and cursors ----------------------------------------------------------------


QUERY_HOSTILE = ["a\x00b", "²", "1e999", "0001-01-01", "x" * 3000]


def _list_targets(world):
    from orders.filters import DeliveryFilter, InstallationFilter, OrderFilter
    from presales.filters import InquiryFilter

    staff, sales = world.staff_user, world.sales_user
    return [
        (staff, "/presales/", InquiryFilter), (staff, "/presales/export/", InquiryFilter),
        (staff, "/api/presales/inquiries/", InquiryFilter), (staff, "/api/presales/inquiries/export/", InquiryFilter),
        (sales, "/orders/", OrderFilter), (sales, "/api/orders/orders/", OrderFilter),
        (sales, "/orders/deliveries/", DeliveryFilter), (sales, "/api/orders/deliveries/", DeliveryFilter),
        (sales, "/orders/installations/", InstallationFilter),
        (sales, "/api/orders/installations/", InstallationFilter),
    ]


@pytest.mark.spec("SEC-1")
def test_hostile_query_parameters_are_never_a_server_error(world):
    sent = 0
    for user, url, filterset in _list_targets(world):
        client = world.page_client(user)
        for name in [*filterset.base_filters, "per_page", "page_size", "fmt"]:
            for value in QUERY_HOSTILE:
                response = client.get(url, {name: value})
                sent += 1
                assert response.status_code in (200, 400), (url, name, value[:20], response.status_code)
    # the pages that take an id or a search term outside a filter form
    client = world.page_client(world.sales_user)
    for url, name in [("/presales/new/", "customer"), ("/orders/new/", "customer"),
                      ("/customers/", "q"), ("/customers/lookup/", "q"), ("/customers/new/", "name"),
                      ("/api/org/customers/lookup/", "q"), ("/api/org/customers/lookup/", "limit"),
                      ("/api/org/customers/", "q"), ("/api/org/products/", "q")]:
        for value in QUERY_HOSTILE:
            response = client.get(url, {name: value})
            sent += 1
            assert response.status_code in (200, 400), (url, name, value[:20], response.status_code)
    assert sent > 300


def _page_cursor(values) -> str:
    return base64.urlsafe_b64encode(values.encode()).decode().rstrip("=")


def _api_cursor(position: str) -> str:
    from urllib.parse import urlencode

    return base64.b64encode(urlencode({"p": position}).encode("ascii")).decode("ascii")


PAGE_CURSORS = [
    "a\x00b", "not-a-cursor!", _page_cursor("[1e999, 1]"), _page_cursor('["2026-01-01T00:00:00+00:00", 1e999]'),
    _page_cursor('["2026-01-01T00:00:00+00:00", "2026-01-01"]'), _page_cursor("[1, 2]"),
    _page_cursor('["2026-01-01T00:00:00+00:00", 99999999999999999999999]'),
    _page_cursor('["\\u0000", 1]'), _page_cursor('["2026-01-01T00:00:00+00:00", Infinity]'),
    _page_cursor("[" * 5000), _page_cursor('["2026-01-01T00:00:00+00:00"]'),
]
API_CURSORS = ["a\x00b", "²", "!!!", _api_cursor("a\x00b"), base64.b64encode(b"o=1e999").decode(),
               base64.b64encode(b"r=x").decode()]
# a position that is no value of the list's ordering field (a time, an id)
API_TYPED_CURSORS = [_api_cursor("1e999"), _api_cursor("2026-13-45"), _api_cursor("99999999999999999999999")]


@pytest.mark.spec("SEC-1")
@pytest.mark.parametrize("param", ["after", "before"])
def test_a_forged_page_cursor_is_a_400(world, param):
    for user, url in [(world.staff_user, "/presales/"), (world.sales_user, "/orders/"),
                      (world.sales_user, "/orders/deliveries/"), (world.sales_user, "/orders/installations/"),
                      (world.sales_user, "/customers/"), (world.staff_user, "/notifications/")]:
        client = world.page_client(user)
        for cursor in PAGE_CURSORS:
            response = client.get(url, {param: cursor})
            assert response.status_code == 400, (url, cursor[:30], response.status_code)


@pytest.mark.spec("SEC-1")
def test_a_forged_api_cursor_is_a_400(world):
    for user, url in [(world.staff_user, "/api/presales/inquiries/"), (world.sales_user, "/api/orders/orders/"),
                      (world.sales_user, "/api/orders/deliveries/"), (world.sales_user, "/api/orders/installations/"),
                      (world.sales_user, "/api/org/customers/"), (world.sales_user, "/api/org/products/"),
                      (world.staff_user, "/api/notifications/")]:
        client = world.api_client(user)
        typed = API_TYPED_CURSORS if "/org/" not in url else []  # names and codes are any text
        for cursor in API_CURSORS + typed:
            response = client.get(url, {"cursor": cursor})
            assert response.status_code == 400, (url, cursor[:30], response.status_code)
            assert "cursor" in response.json()


@pytest.mark.spec("SEC-1")
def test_real_cursors_still_page_after_the_checks(world, staff_user):
    from tests.builders.inquiries import new_inquiry

    for n in range(3):
        new_inquiry(actor=staff_user, subject=f"翻页 {n}")
    client = world.api_client(staff_user)
    first = client.get("/api/presales/inquiries/", {"page_size": 2}).json()
    second = client.get(first["next"])
    assert second.status_code == 200 and second.json()["results"]
    page = world.page_client(staff_user).get("/presales/", {"per_page": "²"})
    assert page.status_code == 200


# --- bodies --------------------------------------------------------------------------------------


@pytest.mark.spec("SEC-1")
@pytest.mark.parametrize("raw", [
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 50 + "1" + "}" * 50,
    '{"summary": NaN}',
    '{"summary": "ok"',
    "\xff\xfe",
])
def test_a_hostile_json_body_is_a_400(world, raw):
    client = world.api_client(world.staff_user)
    url = f"/api/presales/inquiries/{world.discussed.pk}/communications/"
    response = client.post(url, raw.encode("latin-1") if raw == "\xff\xfe" else raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.spec("SEC-1")
def test_an_oversized_json_body_is_a_400(world, settings):
    settings.API_JSON_MAX_BYTES = 1_000
    client = world.api_client(world.staff_user)
    url = f"/api/presales/inquiries/{world.discussed.pk}/communications/"
    body = {"channel": "phone", "direction": "out", "summary": "x" * 2_000}
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert "1000" in response.json()["detail"]
    # the same body under the limit is a communication
    settings.API_JSON_MAX_BYTES = 10_000
    assert client.post(url, json.dumps(body), content_type="application/json").status_code == 201


@pytest.mark.spec("SEC-1")
def test_a_lone_surrogate_echoed_in_an_error_still_renders(world):
    client = world.api_client(world.staff_user)
    url = f"/api/presales/inquiries/{world.discussed.pk}/communications/"
    response = client.post(url, '{"channel": "\\ud800", "direction": "\\udfff", "summary": "ok"}',
                           content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) >= {"channel", "direction"}
    assert re.search(rb"\\ud800", response.content)
