"""The lifecycle tables of ORD-1..3 through the API, every (state, action, role) (STYLE.md, WF-1).

Each case brings a fresh record to the state through the real services, calls the endpoint as
the role and expects: allowed -> 2xx and the record moved; wrong state -> 409; missing role ->
403; a record the role cannot see -> 404. In every refused case nothing changed: statuses,
timeline events, notifications, review rounds and findings, deliveries and delivered quantities,
the installation and its acceptance rounds, progress notes, attachments.

Who may do what (orders/rules.py, orders/selectors.py):
- staff / manager of the order's department work the order, its deliveries and its installation;
  only the manager cancels;
- the engineer named on the installation sees the order from then on, works the installation and
  attaches files, but does not work the order or its deliveries;
- the quality officer sees everything and works nothing (403);
- another department's staff and production staff not named on the installation see nothing (404).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from orders.models import Order
from tests.api import test_orders_support as support
from tests.api.test_orders_support import (
    DELIVERY_STATES,
    INSTALLATION_STATES,
    ORDER_STATES,
    delivery_url,
    installation_url,
    order_url,
    snapshot,
)

world = support.world
fast_passwords = support.fast_passwords

ROLES = ("staff", "manager", "engineer", "quality", "outsider", "production")
WORKERS = ("staff", "manager")


@dataclass(frozen=True)
class Act:
    name: str
    path: str  # the endpoint under the record ("" for the record itself)
    sources: tuple[str, ...]  # the states it is allowed in
    roles: tuple[str, ...]  # the roles allowed to do it
    payload: Callable  # (world, record) -> request data
    moved: Callable  # (before, after, response data) -> True when the record moved as it should
    method: str = "post"
    code: int = 200
    ready_for: str = ""  # what the review must have recorded for the guard to pass
    multipart: bool = False


def _line(order: Order) -> int:
    return order.lines.get().pk


def _last_round(snap: dict):
    return snap["rounds"][-1]


ORDER_ACTIONS = [
    Act("findings", "findings", ("review",), WORKERS,
        lambda w, o: {"items": [{"item": "customer", "result": "fail", "note": "联系人电话缺失"}]},
        lambda b, a, r: ("customer", "fail", "联系人电话缺失") in a["findings"] and a["order"][0] == "review"),
    # ORD-1: the round's outcome is kept with the order's new state
    # four-eyes (ORG-1): "staff" entered the order, so only another worker decides its review
    Act("approve", "approve", ("review",), ("manager",), lambda w, o: {"comment": "审核通过"},
        lambda b, a, r: a["order"][0] == "approved" and a["rounds"] == [(1, "approved")], ready_for="approve"),
    Act("return", "return", ("review",), ("manager",), lambda w, o: {"problems": "1. 交期需延后"},
        lambda b, a, r: a["order"][0] == "returned" and a["rounds"] == [(1, "returned")], ready_for="return"),
    Act("resubmit", "resubmit", ("returned",), WORKERS, lambda w, o: {"comment": "客户已修改"},
        lambda b, a, r: a["order"][0] == "review" and a["rounds"] == [(1, "returned"), (2, "open")]),
    Act("start-production", "start-production", ("approved",), WORKERS, lambda w, o: {},
        lambda b, a, r: a["order"][0] == "in_production"),
    Act("ship", "ship", ("approved", "in_production", "delivering"), WORKERS,
        lambda w, o: {"quantities": [{"order_line": _line(o), "quantity": "1"}], "carrier": "德邦"},
        lambda b, a, r: a["order"][0] == "delivering" and len(a["deliveries"]) == len(b["deliveries"]) + 1
        and a["deliveries"][-1][1] == "shipped", code=201),
    Act("schedule-installation", "schedule-installation", ("delivered",), WORKERS,
        lambda w, o: {"scheduled_for": timezone.localdate().isoformat(), "engineers": [w.engineer.pk]},
        lambda b, a, r: a["order"][0] == "installing" and [s for s, _c in a["installation"]] == ["scheduled"]),
    Act("cancel", "cancel", ("review", "returned", "approved", "in_production"), ("manager",),
        lambda w, o: {"comment": "客户撤单"}, lambda b, a, r: a["order"][0] == "cancelled"),
    Act("edit", "", ("review", "returned"), WORKERS, lambda w, o: {"customer_reference": "PO-2026-7"},
        lambda b, a, r: a["order"][2] == "PO-2026-7" and a["order"][0] == b["order"][0], method="patch"),
    # Not transitions, but writes whose role rules hold in every state (but a cancelled order's log is closed)
    Act("progress", "progress", tuple(s for s in ORDER_STATES if s != "cancelled"), WORKERS,
        lambda w, o: {"kind": "update", "channel": "phone", "text": "已告知客户进度"},
        lambda b, a, r: len(a["progress"]) == len(b["progress"]) + 1, code=201),
    Act("attach", "attachments", tuple(ORDER_STATES), (*WORKERS, "engineer"),
        lambda w, o: {"file": SimpleUploadedFile("验收单.pdf", b"%PDF-1.4 signed"), "description": "签字验收单"},
        lambda b, a, r: a["attachments"] == b["attachments"] + 1, code=201, multipart=True),
]

DELIVERY_ACTIONS = [
    Act("confirm", "confirm", ("shipped",), WORKERS, lambda w, d: {"quality_note": "外观、数量无误"},
        lambda b, a, r: a["deliveries"] == [(1, "delivered")] and a["lines"][0][3] == 1),
    Act("reject", "reject", ("shipped",), WORKERS, lambda w, d: {"comment": "包装破损"},
        lambda b, a, r: a["deliveries"] == [(1, "rejected")] and a["lines"][0][3] == 0),
]

_COMMISSION = {**support.COMMISSIONING, "notes": "复测合格"}
INSTALLATION_ACTIONS = [
    Act("start", "start", ("scheduled",), (*WORKERS, "engineer"), lambda w, i: {},
        lambda b, a, r: a["installation"][0][0] == "on_site"),
    Act("commission", "commission", ("on_site", "rework"), (*WORKERS, "engineer"), lambda w, i: _COMMISSION,
        lambda b, a, r: a["installation"][0][0] == "commissioned" and a["installation"][0][1] is not None),
    # ORD-3/ORD-4: accepted (with or without remarks) completes the order and makes a visit due
    Act("accept", "acceptance", ("commissioned",), (*WORKERS, "engineer"),
        lambda w, i: {"result": "accepted", "feedback": "满意", "signatory": "陈工"},
        lambda b, a, r: a["installation"][0][0] == "accepted" and a["order"][0] == "accepted"
        and a["order"][3] is not None and a["acceptance"][-1][1] == "accepted"),
    Act("accept-with-remarks", "acceptance", ("commissioned",), (*WORKERS, "engineer"),
        lambda w, i: {"result": "remarks", "remarks": "需补充培训"},
        lambda b, a, r: a["installation"][0][0] == "accepted" and a["order"][0] == "accepted"
        and a["acceptance"][-1][1] == "remarks"),
    Act("reject", "acceptance", ("commissioned",), (*WORKERS, "engineer"),
        lambda w, i: {"result": "rejected", "remarks": "噪音偏大"},
        lambda b, a, r: a["installation"][0][0] == "rework" and a["order"][0] == "installing"
        and len(a["acceptance"]) == len(b["acceptance"]) + 1),
]


def _visible(kind: str, role: str, state: str) -> bool:
    if role in ("staff", "manager", "quality"):
        return True
    if role == "engineer":
        # named on the installation: sees it, and its order once it exists; never the deliveries
        return kind == "installation" or (kind == "order" and state in ("installing", "accepted"))
    return False


def expected(kind: str, act: Act, state: str, role: str) -> int:
    if not _visible(kind, role, state):
        return 404
    if role not in act.roles:
        return 403
    if state not in act.sources:
        return 409
    return act.code


def _cases(states: list[str], actions: list[Act]):
    return [pytest.param(state, act, id=f"{act.name}@{state}") for act in actions for state in states]


def _call(api, world, act: Act, url: str, record, role: str):
    client = api(world.user(role))
    data = act.payload(world, record)
    return getattr(client, act.method)(url, data, format="multipart" if act.multipart else "json")


def run_table_row(api, world, kind: str, act: Act, state: str, build: Callable, url: Callable) -> dict[str, int]:
    """Every role tries ``act`` on a record in ``state``; returns {role: status code}.

    The refused roles all try the same record, one after the other: each refusal is checked
    against the snapshot taken before the first, so nothing may change at all. Each allowed role
    then gets a record of its own (the first one reuses the untouched record).
    """
    record = build()
    before = snapshot(record_order(record))
    codes, allowed = {}, []
    for role in ROLES:
        code = expected(kind, act, state, role)
        if code < 400:
            allowed.append(role)
            continue
        r = _call(api, world, act, url(record, act.path), record, role)
        codes[role] = r.status_code
        assert r.status_code == code, (role, r.status_code, getattr(r, "data", None))
        assert snapshot(record_order(record)) == before, f"{role}: a refused call changed something"
        if code == 409:
            assert r.data["code"] == "transition_not_allowed" and r.data["detail"], role
        if code == 403:
            assert r.data["code"] == "permission_denied", role
    for n, role in enumerate(allowed):
        if n:
            record = build()
            before = snapshot(record_order(record))
        r = _call(api, world, act, url(record, act.path), record, role)
        codes[role] = r.status_code
        assert r.status_code == act.code, (role, r.status_code, getattr(r, "data", None))
        after = snapshot(record_order(record))
        assert act.moved(before, after, r.data), (role, before, after)
    return codes


def record_order(record) -> Order:
    return record if isinstance(record, Order) else record.order


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.spec("API-1", "WF-1", "ORG-1", "ORD-1", "ORD-2", "ORD-3")
@pytest.mark.parametrize(("state", "act"), _cases(ORDER_STATES, ORDER_ACTIONS))
def test_order_lifecycle_table(api, world, media, state, act):
    codes = run_table_row(api, world, "order", act, state, lambda: world.order_in(state, ready_for=act.ready_for),
                          order_url)
    assert set(codes) == set(ROLES)


@pytest.mark.spec("API-1", "WF-1", "ORG-1", "ORD-2")
@pytest.mark.parametrize(("state", "act"), _cases(DELIVERY_STATES, DELIVERY_ACTIONS))
def test_delivery_lifecycle_table(api, world, state, act):
    codes = run_table_row(api, world, "delivery", act, state, lambda: world.delivery_in(state), delivery_url)
    assert set(codes) == set(ROLES)
    # a shipment is confirmed or rejected by the order's department only; nobody else even sees it
    assert {role for role, code in codes.items() if code == 404} == {"engineer", "outsider", "production"}


@pytest.mark.spec("API-1", "WF-1", "ORG-1", "ORD-3", "ORD-4")
@pytest.mark.parametrize(("state", "act"), _cases(INSTALLATION_STATES, INSTALLATION_ACTIONS))
def test_installation_lifecycle_table(api, world, state, act):
    codes = run_table_row(api, world, "installation", act, state, lambda: world.installation_in(state),
                          installation_url)
    assert set(codes) == set(ROLES)
    # the named engineer works the installation like the department does
    assert codes["engineer"] == codes["staff"]
