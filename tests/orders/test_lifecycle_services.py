"""WF-1 table-driven for the in-sale lifecycles (ORD-1..3): every (state, action, role) of the order,
its review round, its deliveries and its installation either works or is refused with the right
error, and nothing changes when refused. Then the bad-input cases, at service level."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone, translation

from orders import services
from orders.models import AcceptanceRound, Delivery, Installation, Order, OrderLine, ReviewFinding, ReviewRound
from orders.workflows import DELIVERY_WORKFLOW, INSTALLATION_WORKFLOW, ORDER_WORKFLOW
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.notify.models import Notification
from qsm.workflow import engine
from qsm.workflow.models import Event
from tests.builders.orders import (
    CHECKLIST,
    WITH_REMARKS,
    installation_in,
    new_order,
    order_in,
    pass_all,
    priced_product,
)

S = Order.Status
D = Delivery.Status
I = Installation.Status  # noqa: E741

EXPECTED_ORDER_TABLE = {
    "approve": ({S.REVIEW}, S.APPROVED),
    "return": ({S.REVIEW}, S.RETURNED),
    "resubmit": ({S.RETURNED}, S.REVIEW),
    "start_production": ({S.APPROVED}, S.IN_PRODUCTION),
    "ship": ({S.APPROVED, S.IN_PRODUCTION, S.DELIVERING}, S.DELIVERING),
    "complete_delivery": ({S.DELIVERING}, S.DELIVERED),
    "schedule_installation": ({S.DELIVERED}, S.INSTALLING),
    "accept": ({S.INSTALLING}, S.ACCEPTED),
    "cancel": ({S.REVIEW, S.RETURNED, S.APPROVED, S.IN_PRODUCTION}, S.CANCELLED),
}
EXPECTED_DELIVERY_TABLE = {
    "confirm": ({D.SHIPPED}, D.DELIVERED),
    "reject": ({D.SHIPPED}, D.REJECTED),
}
EXPECTED_INSTALLATION_TABLE = {
    "start": ({I.SCHEDULED}, I.ON_SITE),
    "commission": ({I.ON_SITE, I.REWORK}, I.COMMISSIONED),
    "accept": ({I.COMMISSIONED}, I.ACCEPTED),
    "reject": ({I.COMMISSIONED}, I.REWORK),
}

# staff/manager: of the department that received the order; engineer: named on its installation
# (from the production department); outsider: staff of another business department.
ROLES = ["staff", "manager", "engineer", "administrator", "quality_officer", "outsider"]
WORKERS = {"staff", "manager", "administrator"}
WHO_ORDER = {action: WORKERS for action in EXPECTED_ORDER_TABLE} | {
    "cancel": {"manager", "administrator"},  # withdrawing an order is the manager's call
    "accept": WORKERS | {"engineer"},  # the customer's acceptance is recorded on site
    # four-eyes (ORG-1): "staff" entered every order of this table, so it may not decide the review
    "approve": WORKERS - {"staff"},
    "return": WORKERS - {"staff"},
}
WHO_DELIVERY = {action: WORKERS for action in EXPECTED_DELIVERY_TABLE}
WHO_INSTALLATION = {action: WORKERS | {"engineer"} for action in EXPECTED_INSTALLATION_TABLE}


@pytest.fixture
def people(sales_user, sales_manager, production_user, administrator, quality_officer, other_department_staff):
    # the engineer belongs to another department: only being named on the installation lets them act
    assert production_user.department_id != sales_user.department_id
    return {"staff": sales_user, "manager": sales_manager, "engineer": production_user,
            "administrator": administrator, "quality_officer": quality_officer, "outsider": other_department_staff}


@pytest.fixture
def product(db):
    return priced_product()


class _Undo(Exception):
    """Raised inside a savepoint to roll back an allowed transition after checking it."""


def _snapshot(order: Order) -> tuple:
    """Everything a refused action must leave as it was."""
    return (
        Order.objects.filter(pk=order.pk).values_list("status", flat=True).get(),
        Event.objects.count(),
        ReviewRound.objects.filter(order=order).count(),
        list(ReviewRound.objects.filter(order=order).order_by("number").values_list("outcome", flat=True)),
        list(Delivery.objects.filter(order=order).order_by("number").values_list("status", flat=True)),
        list(OrderLine.objects.filter(order=order).values_list("delivered_quantity", flat=True)),
        list(Installation.objects.filter(order=order).values_list("status", flat=True)),
        AcceptanceRound.objects.filter(installation__order=order).count(),
        Notification.objects.count(),
    )


def _attempt(call: Callable[[], object], read_state: Callable[[], str]):
    """Run ``call`` in a savepoint: returns the state it reached (then undone) or the exception."""
    try:
        with transaction.atomic():
            call()
            reached = read_state()
            raise _Undo(reached)
    except _Undo as undo:
        return undo.args[0]
    except (PermissionDenied, TransitionNotAllowed, ValidationError) as exc:
        return exc


def _check(outcome, *, allowed_role: bool, allowed_state: bool, target: str, label: str, before, after) -> None:
    if not allowed_role:
        assert isinstance(outcome, PermissionDenied), f"{label}: {outcome!r}"
    elif not allowed_state:
        assert isinstance(outcome, TransitionNotAllowed), f"{label}: {outcome!r}"
    else:
        assert outcome == target, f"{label}: {outcome!r}"
    assert after == before, f"{label}: something changed"


def test_declared_tables_are_the_ones_tested():
    def table(workflow):
        return {a: (set(t.sources), t.target) for a, t in workflow.by_action.items()}

    assert table(ORDER_WORKFLOW) == EXPECTED_ORDER_TABLE
    assert table(DELIVERY_WORKFLOW) == EXPECTED_DELIVERY_TABLE
    assert table(INSTALLATION_WORKFLOW) == EXPECTED_INSTALLATION_TABLE


# --- the order ------------------------------------------------------------------------------------

def _prepare(order: Order, action: str, staff) -> None:
    """What a user does before the action can succeed in its source state (not part of the test)."""
    if order.status == S.REVIEW and action == "approve":
        pass_all(order, staff)
    elif order.status == S.REVIEW and action == "return":
        pass_all(order, staff, prices=("fail", "单价低于允许范围"))
    elif order.status == S.DELIVERING and action == "complete_delivery":
        # the rest is shipped too: confirming both shipments completes the delivery
        services.delivery_ship(order=order, actor=staff, quantities={order.lines.get().pk: "1"})
    elif order.status == S.INSTALLING and action == "accept":
        installation_in(I.COMMISSIONED, installation=order.installation, actor=staff)


def _order_call(action: str, order: Order, actor, engineer) -> Callable[[], object]:
    """The service a user's click calls for ``action``.

    ship, complete_delivery and accept are fired by delivery_ship, delivery_confirm and
    acceptance_record; where the order has no shipment or commissioned installation for those to
    act on (any other state), the table itself is asked through the engine.
    """
    order = Order.objects.get(pk=order.pk)  # a fresh instance: fire() updates the caller's copy
    line = order.lines.get()
    if action == "approve":
        return lambda: services.order_approve(order=order, actor=actor)
    if action == "return":
        return lambda: services.order_return(order=order, actor=actor, problems="1. 单价过低")
    if action == "resubmit":
        return lambda: services.order_resubmit(order=order, actor=actor, comment="客户已修改")
    if action == "start_production":
        return lambda: services.order_start_production(order=order, actor=actor)
    if action == "ship":
        return lambda: services.delivery_ship(order=order, actor=actor, quantities={line.pk: "0.5"})
    if action == "complete_delivery":
        shipped = list(order.deliveries.filter(status=D.SHIPPED).order_by("number"))
        if not shipped:
            return lambda: engine.fire(order, "complete_delivery", actor=actor)

        def confirm_all():
            for delivery in shipped:
                services.delivery_confirm(delivery=delivery, actor=actor, quality_note="无误")
        return confirm_all
    if action == "schedule_installation":
        return lambda: services.installation_schedule(order=order, actor=actor, engineers=[engineer],
                                                      scheduled_for=timezone.localdate() + dt.timedelta(days=3))
    if action == "accept":
        installation = Installation.objects.filter(order=order, status=I.COMMISSIONED).first()
        if installation is None:
            return lambda: engine.fire(order, "accept", actor=actor)
        return lambda: services.acceptance_record(installation=installation, actor=actor, result="accepted",
                                                  signatory="陈工")
    assert action == "cancel", action
    return lambda: services.order_cancel(order=order, actor=actor, comment="客户撤单")


@pytest.mark.spec("WF-1", "ORG-1", "ORD-1", "ORD-2", "ORD-3")
@pytest.mark.parametrize("state", list(S.values))
@pytest.mark.parametrize("action", list(EXPECTED_ORDER_TABLE))
def test_order_every_state_action_role(state, action, people, customer, product):
    # given an order with installation in ``state``, its engineer named once it is being installed
    staff = people["staff"]
    order = order_in(state, actor=staff, engineer=people["engineer"], manager=people["manager"], customer=customer,
                     product=product, installation=True)
    assert order.status == state
    _prepare(order, action, staff)
    sources, target = EXPECTED_ORDER_TABLE[action]
    has_installation = Installation.objects.filter(order=order).exists()
    for role in ROLES:
        allowed_role = role in WHO_ORDER[action] and (role != "engineer" or has_installation)
        before = _snapshot(order)
        # when the role calls the service
        outcome = _attempt(_order_call(action, order, people[role], people["engineer"]),
                           lambda: Order.objects.get(pk=order.pk).status)
        # then it moved as the table says, or was refused with the right error and changed nothing
        after = _snapshot(order) if not isinstance(outcome, str) else before
        _check(outcome, allowed_role=allowed_role, allowed_state=state in sources, target=target,
               label=f"{state}/{action}/{role}", before=before, after=after)
        assert _snapshot(order) == before  # an allowed move was undone, a refusal left nothing


@pytest.mark.spec("WF-1", "WF-2", "ORD-1")
@pytest.mark.parametrize("action", ["approve", "return", "resubmit"])
def test_review_rounds_follow_the_order(action, people, customer, product):
    # given an order in review (or returned, for resubmit)
    staff = people["staff"]
    order = order_in(S.RETURNED if action == "resubmit" else S.REVIEW, actor=staff, customer=customer, product=product)
    _prepare(order, action, staff)

    # when the reviewer decides (or the amended order comes back)
    _order_call(action, order, people["manager"], None)()

    # then the round records the decision, who and when; each round is kept
    rounds = list(ReviewRound.objects.filter(order=order).order_by("number"))
    if action == "resubmit":
        assert [(r.number, r.outcome) for r in rounds] == [(1, "returned"), (2, "open")]
        assert not rounds[1].findings.exists()
    else:
        [only] = rounds
        assert only.outcome == {"approve": "approved", "return": "returned"}[action]
        assert only.reviewer == people["manager"] and only.decided_at is not None
        assert only.findings.count() == 4
        assert (only.problems == "1. 单价过低") is (action == "return")
    last = Event.objects.filter(object_id=order.pk, content_type__model="order").order_by("-id")[0]
    assert (last.action, last.actor) == (action, people["manager"])


@pytest.mark.spec("WF-1", "ORG-1", "ORD-1")
@pytest.mark.parametrize("state", list(S.values))
def test_review_findings_every_state_and_role(state, people, customer, product):
    # given an order in ``state``
    staff = people["staff"]
    order = order_in(state, actor=staff, engineer=people["engineer"], manager=people["manager"], customer=customer,
                     product=product, installation=True)
    for role in ROLES:
        before = _snapshot(order)
        findings_before = ReviewFinding.objects.filter(round__order=order).count()
        # when the role records a checklist result
        outcome = _attempt(lambda actor=people[role]: services.review_record_findings(
            order=order, actor=actor, findings={"customer": ("pass", "")}),
            lambda: ReviewFinding.objects.filter(round__order=order, round__outcome="open").count())
        # then only the receiving department (or an administrator) checks, only while in review
        if role not in WORKERS:
            assert isinstance(outcome, PermissionDenied), role
        elif state != S.REVIEW:
            assert isinstance(outcome, TransitionNotAllowed), role
        else:
            assert outcome == 1, role
        assert _snapshot(order) == before
        assert ReviewFinding.objects.filter(round__order=order).count() == findings_before


# --- deliveries -----------------------------------------------------------------------------------

def _delivery_in(state: str, order: Order, staff) -> Delivery:
    delivery = services.delivery_ship(order=order, actor=staff, quantities={order.lines.get().pk: "1"})
    if state == D.DELIVERED:
        services.delivery_confirm(delivery=delivery, actor=staff, quality_note="无误")
    elif state == D.REJECTED:
        services.delivery_reject(delivery=delivery, actor=staff, comment="外包装破损")
    return Delivery.objects.get(pk=delivery.pk)


@pytest.mark.spec("WF-1", "ORG-1", "ORD-2")
@pytest.mark.parametrize("state", list(D.values))
def test_delivery_every_state_action_role(state, people, customer, product):
    staff = people["staff"]
    order = order_in(S.IN_PRODUCTION, actor=staff, customer=customer, product=product)
    delivery = _delivery_in(state, order, staff)
    assert delivery.status == state
    for action, (sources, target) in EXPECTED_DELIVERY_TABLE.items():
        for role in ROLES:
            actor = people[role]
            fresh = Delivery.objects.get(pk=delivery.pk)
            before = _snapshot(order)
            if action == "confirm":
                def call(actor=actor, fresh=fresh):
                    services.delivery_confirm(delivery=fresh, actor=actor, quality_note="数量、外观无误")
            else:
                def call(actor=actor, fresh=fresh):
                    services.delivery_reject(delivery=fresh, actor=actor, comment="外包装破损")
            outcome = _attempt(call, lambda: Delivery.objects.get(pk=delivery.pk).status)
            after = _snapshot(order) if not isinstance(outcome, str) else before
            _check(outcome, allowed_role=role in WHO_DELIVERY[action], allowed_state=state in sources, target=target,
                   label=f"{state}/{action}/{role}", before=before, after=after)
            assert _snapshot(order) == before


# --- installations --------------------------------------------------------------------------------

def _installation_call(action: str, installation: Installation, actor) -> Callable[[], object]:
    installation = Installation.objects.get(pk=installation.pk)
    if action == "start":
        return lambda: services.installation_start(installation=installation, actor=actor)
    if action == "commission":
        return lambda: services.installation_commission(installation=installation, actor=actor,
                                                        site_work="更换轴承后重新调试", checklist=CHECKLIST)
    if action == "accept":
        return lambda: services.acceptance_record(installation=installation, actor=actor, result="remarks",
                                                  remarks="需补充培训", feedback="整体满意")
    assert action == "reject", action
    return lambda: services.acceptance_record(installation=installation, actor=actor, result="rejected",
                                              remarks="噪音偏大")


@pytest.mark.spec("WF-1", "ORG-1", "ORD-3")
@pytest.mark.parametrize("state", list(I.values))
def test_installation_every_state_action_role(state, people, customer, product):
    staff = people["staff"]
    order = order_in(S.INSTALLING, actor=staff, engineer=people["engineer"], customer=customer, product=product,
                     installation=True)
    installation = installation_in(state, installation=order.installation, actor=people["engineer"],
                                   acceptance=WITH_REMARKS)
    assert installation.status == state
    for action, (sources, target) in EXPECTED_INSTALLATION_TABLE.items():
        for role in ROLES:
            before = _snapshot(order)
            outcome = _attempt(_installation_call(action, installation, people[role]),
                               lambda: Installation.objects.get(pk=installation.pk).status)
            after = _snapshot(order) if not isinstance(outcome, str) else before
            _check(outcome, allowed_role=role in WHO_INSTALLATION[action], allowed_state=state in sources,
                   target=target, label=f"{state}/{action}/{role}", before=before, after=after)
            assert _snapshot(order) == before


@pytest.mark.spec("ORD-3", "ORD-4")
def test_acceptance_moves_the_order_and_a_rejection_does_not(people, customer, product):
    staff, engineer = people["staff"], people["engineer"]
    order = order_in(S.INSTALLING, actor=staff, engineer=engineer, customer=customer, product=product,
                     installation=True)
    installation = installation_in(I.REWORK, installation=order.installation, actor=engineer)
    order.refresh_from_db()
    assert (order.status, order.follow_up_due_at) == (S.INSTALLING, None)

    _installation_call("commission", installation, engineer)()
    _installation_call("accept", installation, engineer)()

    order.refresh_from_db()
    assert order.status == S.ACCEPTED and order.follow_up_reason == "accepted" and order.visit_due
    assert list(installation.acceptance_rounds.values_list("number", "result")) == [(1, "rejected"), (2, "remarks")]


# --- bad input: refused with a clear message, nothing changed (issue 3, "Done when") ---------------

@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.mark.spec("ORD-2", "WF-1")
def test_over_delivery_is_refused(english, people, customer, product):
    # given an approved order for 2, one of which is already shipped
    staff = people["staff"]
    order = order_in(S.IN_PRODUCTION, actor=staff, customer=customer, product=product, quantity="2")
    line = order.lines.get()
    services.delivery_ship(order=order, actor=staff, quantities={line.pk: "1"})
    before = _snapshot(order)

    # when 2 more are shipped
    with pytest.raises(ValidationError) as err:
        services.delivery_ship(order=order, actor=staff, quantities={line.pk: "2"})

    # then the line's error says how many are left, and nothing changed
    assert err.value.message_dict == {
        f"line.{line.pk}": [f"{product.name}: only 1 left to deliver, not 2."]}
    assert _snapshot(order) == before
    assert Delivery.objects.filter(order=order).count() == 1


@pytest.mark.spec("ORD-2", "WF-1")
@pytest.mark.parametrize("state", [S.REVIEW, S.RETURNED])
def test_delivery_before_approval_is_refused(english, people, customer, product, state):
    staff = people["staff"]
    order = order_in(state, actor=staff, customer=customer, product=product)
    line = order.lines.get()
    before = _snapshot(order)

    with pytest.raises(TransitionNotAllowed) as err:
        services.delivery_ship(order=order, actor=staff, quantities={line.pk: "1"})

    label = Order.Status(state).label
    assert err.value.message == f"Only an approved order can be shipped (the order is “{label}”)."
    assert _snapshot(order) == before
    assert not Delivery.objects.filter(order=order).exists()


@pytest.mark.spec("ORD-3", "WF-1")
@pytest.mark.parametrize("state", [I.SCHEDULED, I.ON_SITE, I.REWORK])
def test_acceptance_without_commissioning_is_refused(english, people, customer, product, state):
    # given an installation not (or no longer) commissioned
    staff, engineer = people["staff"], people["engineer"]
    order = order_in(S.INSTALLING, actor=staff, engineer=engineer, customer=customer, product=product,
                     installation=True)
    installation = installation_in(state, installation=order.installation, actor=engineer, acceptance=WITH_REMARKS)
    before = _snapshot(order)

    # when the customer's acceptance is recorded
    with pytest.raises(TransitionNotAllowed) as err:
        services.acceptance_record(installation=installation, actor=engineer, result="accepted")

    # then it is refused, naming the installation's state, and nothing changed
    assert err.value.message == f"“Customer accepts” is not possible: the record is “{I(state).label}”."
    assert _snapshot(order) == before
    assert Order.objects.get(pk=order.pk).follow_up_due_at is None


@pytest.mark.spec("ORD-3", "WF-1")
def test_commissioning_with_a_failed_test_or_no_record_is_refused(english, people, customer, product):
    staff, engineer = people["staff"], people["engineer"]
    order = order_in(S.INSTALLING, actor=staff, engineer=engineer, customer=customer, product=product,
                     installation=True)
    installation = installation_in(I.ON_SITE, installation=order.installation, actor=engineer)
    before = _snapshot(order)

    with pytest.raises(ValidationError) as failed:
        services.installation_commission(installation=installation, actor=engineer, site_work="安装调平",
                                         checklist=[{"item": "空载运行", "ok": True}, {"item": "急停测试", "ok": False}])
    with pytest.raises(ValidationError) as empty:
        services.installation_commission(installation=installation, actor=engineer, site_work="", checklist=[])

    assert failed.value.message_dict == {
        "checklist": ["Every commissioning test must pass before the customer is asked to accept."]}
    assert empty.value.message_dict == {"site_work": ["Describe the work done on site."],
                                        "checklist": ["Record the commissioning test checklist."]}
    assert _snapshot(order) == before
    assert not Installation.objects.get(pk=installation.pk).commissioning_rounds.exists()


@pytest.mark.spec("ORD-1", "WF-1")
def test_price_outside_the_range_without_a_waiver_is_refused(english, people, customer, settings):
    # given a product listed at 100 000 (±10 %) ordered at 85 000
    settings.ORDER_PRICE_TOLERANCE_PERCENT = 10
    staff = people["staff"]
    product = priced_product(code="CNC-200", price="100000.00")
    order = new_order(actor=staff, customer=customer, product=product, unit_price="85000")
    pass_all(order, staff)
    before = _snapshot(order)

    # when the reviewer approves with the price check simply "passed"
    with pytest.raises(ValidationError) as err:
        services.order_approve(order=order, actor=people["manager"])

    # then the price item is refused with the reason, and the order, its round and timeline are unchanged
    assert err.value.message_dict == {"prices": ["A price is outside the allowed range: waive the price check with a "
                                                 "reason."]}
    assert _snapshot(order) == before
    assert ReviewRound.objects.get(order=order).outcome == "open"

    # and a waiver without a reason is refused too
    with pytest.raises(ValidationError) as waiver:
        services.review_record_findings(order=order, actor=staff, findings={"prices": ("waived", " ")})
    assert waiver.value.message_dict == {"prices": ["Say why (a failed or waived item needs a note)."]}
    assert _snapshot(order) == before

    # when it is waived with a reason, then it is approved
    pass_all(order, staff, prices=("waived", "年度框架协议价"))
    services.order_approve(order=order, actor=people["manager"])
    assert Order.objects.get(pk=order.pk).status == S.APPROVED


@pytest.mark.spec("ORD-1")
def test_price_within_the_range_passes(people, customer):
    staff = people["staff"]
    product = priced_product(code="CNC-300", price="100000.00")
    order = new_order(actor=staff, customer=customer, product=product, unit_price=Decimal("110000.00"))
    pass_all(order, staff)

    services.order_approve(order=order, actor=people["manager"])

    assert Order.objects.get(pk=order.pk).status == S.APPROVED


@pytest.mark.spec("ORD-3")
def test_engineers_must_be_named_to_schedule(english, people, customer, product):
    staff = people["staff"]
    order = order_in(S.DELIVERED, actor=staff, customer=customer, product=product, installation=True)
    before = _snapshot(order)

    with pytest.raises(ValidationError) as err:
        services.installation_schedule(order=order, actor=staff, scheduled_for=None, engineers=[])

    assert err.value.message_dict == {"scheduled_for": ["Choose the installation date."],
                                      "engineers": ["Name at least one engineer."]}
    assert _snapshot(order) == before

