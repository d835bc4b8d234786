"""The in-sale journey through the services (ORD-1..4)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from orders import services
from orders.models import Order
from qsm.errors import TransitionNotAllowed, ValidationError
from tests.builders.orders import pass_all
from tests.factories import ProductFactory, UserFactory


@pytest.fixture
def priced_product(db):
    return ProductFactory(code="CNC-200", name="数控机床 CNC-200", list_price=Decimal("100000.00"))


@pytest.mark.spec("ORD-1", "ORD-2", "ORD-3", "ORD-4")
def test_order_from_review_to_acceptance(sales_user, sales_department, customer, priced_product):
    engineer = UserFactory(username="engineer", department=sales_department, roles=["staff", "installation_engineer"])  # a sales engineer who installs
    # four-eyes (ORG-1): a colleague decides the review of the order sales_user entered
    reviewer = UserFactory(username="reviewer", department=sales_department, roles=["staff"])
    # given an order with installation, one line priced outside the range
    order = services.order_create(
        actor=sales_user, customer=customer, promised_date=timezone.localdate() + dt.timedelta(days=30),
        installation_required=True, site_address="苏州工业园区星湖街 1 号",
        lines=[{"product": priced_product, "quantity": "3", "unit_price": "80000"}])
    assert order.status == Order.Status.REVIEW and order.due_at is not None
    # when the reviewer returns it with two problems
    pass_all(order, sales_user, prices=("fail", "单价低于允许范围"), delivery_date=("fail", "交期不可行"))
    with pytest.raises(ValidationError):
        services.order_approve(order=order, actor=reviewer)
    services.order_return(order=order, actor=reviewer, problems="1. 单价过低\n2. 交期需延后")
    assert order.status == Order.Status.RETURNED
    # and the amended order comes back for a second round
    services.order_update(order=order, actor=sales_user, data={"promised_date": timezone.localdate() + dt.timedelta(days=45)},
                          lines=[{"product": priced_product, "quantity": "3", "unit_price": "85000"}])
    services.order_resubmit(order=order, actor=sales_user, comment="客户已修改")
    # a price still outside the range cannot simply "pass"
    pass_all(order, sales_user)
    with pytest.raises(ValidationError) as err:
        services.order_approve(order=order, actor=reviewer)
    assert "prices" in err.value.error_dict
    pass_all(order, sales_user, prices=("waived", "年度框架协议价"))
    services.order_approve(order=order, actor=reviewer)
    assert [r.outcome for r in order.review_rounds.order_by("number")] == ["returned", "approved"]
    # production and two partial deliveries
    services.order_start_production(order=order, actor=sales_user)
    line = order.lines.get()
    with pytest.raises(ValidationError):
        services.delivery_ship(order=order, actor=sales_user, quantities={line.pk: "4"})  # over-delivery
    first = services.delivery_ship(order=order, actor=sales_user, quantities={line.pk: "2"}, carrier="顺丰")
    services.delivery_confirm(delivery=first, actor=sales_user, quality_note="外观、数量无误")
    second = services.delivery_ship(order=order, actor=sales_user, quantities={line.pk: "1"})
    services.progress_note_add(order=order, actor=sales_user, kind="update", channel="phone", text="第二批已发货")
    services.delivery_confirm(delivery=second, actor=sales_user, quality_note="数量无误")
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED and order.follow_up_due_at is None  # installation still to come
    # installation, commissioning, one rejection, then acceptance with remarks
    installation = services.installation_schedule(order=order, actor=sales_user,
                                                  scheduled_for=timezone.localdate(), engineers=[engineer])
    with pytest.raises(TransitionNotAllowed):
        services.acceptance_record(installation=installation, actor=engineer, result="accepted")
    services.installation_start(installation=installation, actor=engineer)
    checklist = [{"item": "空载运行 2 小时", "ok": True}, {"item": "定位精度", "ok": True}]
    services.installation_commission(installation=installation, actor=engineer, site_work="安装调平、接电",
                                     checklist=checklist, measurements=[{"name": "定位精度", "value": "0.008", "unit": "mm"}])
    services.acceptance_record(installation=installation, actor=engineer, result="rejected", remarks="噪音偏大")
    installation.refresh_from_db()
    assert installation.status == "rework"
    services.installation_commission(installation=installation, actor=engineer, site_work="更换轴承",
                                     checklist=checklist)
    services.acceptance_record(installation=installation, actor=engineer, result="remarks", remarks="需补充培训",
                               feedback="整体满意", signatory="陈工")
    order.refresh_from_db()
    # then the order is accepted and a follow-up visit is due (ORD-4)
    assert order.status == Order.Status.ACCEPTED
    assert order.follow_up_due_at is not None and order.follow_up_reason == "accepted" and order.visit_due
    assert [r.result for r in installation.acceptance_rounds.order_by("number")] == ["rejected", "remarks"]
