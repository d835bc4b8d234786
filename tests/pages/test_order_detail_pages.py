"""The order record page and its forms (ORD-1..4, WF-1..3), the new order form, and the record
page's query count.

Refusals are tested as the pages show them: form errors re-render with 200, an illegal transition
re-renders with its reason and HTTP 409, a missing permission is 403, and in every case a snapshot
of the order's rows taken before the request is unchanged after it.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from orders import services
from orders.models import (
    AcceptanceRound,
    CommissioningRound,
    Delivery,
    DeliveryLine,
    Installation,
    Order,
    OrderLine,
    ReviewFinding,
    ReviewRound,
)
from qsm.contacts.models import ContactEntry
from qsm.org.models import Role
from qsm.workflow.models import Attachment, Event
from tests.builders.orders import S, new_order, order_in, pass_all, reviewer_for
from tests.factories import ProductFactory, UserFactory
from tests.pages.test_order_pages import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def priced(db):
    """A product with a list price: the allowed unit price is 90 000 – 110 000 (±10 %)."""
    return ProductFactory(code="CNC-200", name="数控机床 CNC-200", list_price=Decimal("100000.00"))


@pytest.fixture
def order(sales_user, customer, priced):
    return new_order(actor=sales_user, customer=customer, lines=[(priced, 3, 100000)])


@pytest.fixture
def approved_order(order, sales_user):
    return order_in(S.APPROVED, order=order, actor=sales_user)


@pytest.fixture
def reviewer(sales_department):
    """A colleague of the owner: four-eyes (ORG-1) leaves the review decision to someone else."""
    return UserFactory(username="reviewer", display_name="复核人", department=sales_department, roles=[Role.STAFF])


@pytest.fixture
def engineer(production_department):
    return UserFactory(username="engineer", display_name="赵工程师", department=production_department,
                       roles=[Role.STAFF])


@pytest.fixture
def delivered_installation_order(sales_user, customer, priced):
    """Approved, delivered in full, installation still to schedule."""
    order = new_order(actor=sales_user, customer=customer, lines=[(priced, 2, 100000)], installation=True)
    return order_in(S.DELIVERED, order=order, actor=sales_user, carrier="顺丰")


def url(name, order, *args):
    return reverse(f"orders:{name}", args=[order.pk, *args])


def snapshot(order) -> dict:
    """Every row the order's forms could touch: a refused request must leave all of it as it was."""
    o = Order.objects.get(pk=order.pk)
    return {
        "order": [getattr(o, f) for f in ("status", "promised_date", "customer_reference", "site_address", "updated_at",
                                          "approved_at", "delivered_at", "accepted_at", "follow_up_due_at",
                                          "cancel_reason")],
        "lines": list(OrderLine.objects.filter(order=o).order_by("id").values_list(
            "id", "product_id", "quantity", "unit_price", "delivered_quantity")),
        "rounds": list(ReviewRound.objects.filter(order=o).order_by("id").values_list("id", "outcome", "problems")),
        "findings": list(ReviewFinding.objects.filter(round__order=o).order_by("id").values_list(
            "id", "item", "result", "note")),
        "deliveries": list(Delivery.objects.filter(order=o).order_by("id").values_list("id", "status", "quality_note")),
        "delivery_lines": DeliveryLine.objects.filter(delivery__order=o).count(),
        "installation": list(Installation.objects.filter(order=o).values_list("status", "scheduled_for",
                                                                              "commissioned_at")),
        "commissioning": list(CommissioningRound.objects.filter(installation__order=o).order_by("id").values_list(
            "id", "number", "site_work", "checklist")),
        "engineers": list(Installation.engineers.through.objects.filter(installation__order=o).order_by("id")
                          .values_list("user_id", flat=True)),
        "acceptance": AcceptanceRound.objects.filter(installation__order=o).count(),
        "notes": list(o.progress_notes.order_by("id").values_list("id", "summary", "answer")),
        "events": Event.objects.count(),
        "attachments": Attachment.objects.count(),
    }


def html_of(response) -> str:
    return response.content.decode()


def error_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _label(choice) -> str:
    with translation.override("zh-hans"):  # the users of these tests read Chinese
        return str(choice.label)


# --- a new order (ORD-1) ---------------------------------------------------------------------------


def _line_data(rows, total=None):
    data = {"lines-TOTAL_FORMS": str(total or max(len(rows), 3)), "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000"}
    for n, (product, quantity, price) in enumerate(rows):
        data[f"lines-{n}-product"] = str(product.pk) if product else ""
        data[f"lines-{n}-quantity"] = quantity
        data[f"lines-{n}-unit_price"] = price
    return data


@pytest.mark.spec("ORD-1")
def test_new_order_form_saves_the_order_with_its_lines_and_opens_the_review(login, sales_user, customer, priced,
                                                                            product):
    client = login(sales_user)
    form = client.get(reverse("orders:order-create"))
    assert form.status_code == 200
    assert 'id="customer-search"' in html_of(form) and reverse("org:customer-lookup") in html_of(form)
    assert 'name="lines-0-product"' in html_of(form) and "<template>" in html_of(form)  # rows can be added

    response = client.post(reverse("orders:order-create"), {
        "customer": customer.pk, "customer_reference": "PO-2024-118", "promised_date": "2030-06-30",
        "installation_required": "on", "site_address": "苏州工业园区星湖街 1 号", "site_contact": "陈工 13800000000",
        "needs": "需要现场安装调试", **_line_data([(priced, "2", "98000"), (product, "1", "500"), (None, "", "")]),
    })

    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert order.status == "review" and order.owner == sales_user and order.customer == customer
    assert order.customer_reference == "PO-2024-118" and order.promised_date == dt.date(2030, 6, 30)
    assert order.installation_required and order.site_contact == "陈工 13800000000"
    assert [(line.product, line.quantity, line.unit_price) for line in order.lines.all()] == [
        (priced, Decimal("2.00"), Decimal("98000.00")), (product, Decimal("1.00"), Decimal("500.00"))]
    assert order.review_rounds.get().outcome == "open" and order.due_at is not None


@pytest.mark.spec("ORD-1")
def test_a_line_without_a_price_or_with_a_fraction_of_a_machine_is_a_field_error(login, sales_user, customer,
                                                                                 priced):
    # issue 7: a line without a price was accepted and left out of the total; 1.5 machines were accepted
    client = login(sales_user)
    priced.whole_units = True
    priced.save()
    no_price = client.post(reverse("orders:order-create"), {
        "customer": customer.pk, "customer_reference": "PO-1", **_line_data([(priced, "1", ""), (None, "", "")])})
    fraction = client.post(reverse("orders:order-create"), {
        "customer": customer.pk, "customer_reference": "PO-1", **_line_data([(priced, "1.5", "98000"), (None, "", "")])})

    assert not Order.objects.exists()
    assert no_price.context["formset"].forms[0].errors["unit_price"]
    message = fraction.context["formset"].forms[0].errors["quantity"][0]
    assert "整数" in message or "whole" in message


@pytest.mark.spec("ORD-1")
@pytest.mark.parametrize(("change", "field"), [
    ({"customer": ""}, "customer"),
    ({"lines": []}, None),  # no line at all: the service's message above the form
    ({"site_address": ""}, "site_address"),
    ({"lines": [("priced", "", "1")]}, "quantity"),  # a row without its quantity
    ({"lines": [("priced", "-2", "1")]}, "quantity"),
    ({"lines": [(None, "2", "1")]}, "product"),
])
def test_new_order_bad_input_is_a_form_error_and_saves_nothing(login, sales_user, customer, priced, change, field):
    data = {"customer": str(customer.pk), "promised_date": "2030-06-30", "installation_required": "on",
            "site_address": "苏州", **_line_data([(priced, "2", "98000")])}
    if "lines" in change:
        rows = [(priced if p == "priced" else p, q, price) for p, q, price in change.pop("lines")]
        data = {k: v for k, v in data.items() if not k.startswith("lines-")} | _line_data(rows)
    data.update(change)
    events = Event.objects.count()

    response = login(sales_user).post(reverse("orders:order-create"), data)

    assert response.status_code == 200
    assert not Order.objects.exists() and not OrderLine.objects.exists() and Event.objects.count() == events
    form, formset = response.context["form"], response.context["formset"]
    if field in ("quantity", "product"):
        assert formset.forms[0].errors[field]
    elif field:
        assert form.errors[field]
    else:
        assert form.non_field_errors()
    assert "invalid-feedback" in html_of(response) or "alert-danger" in html_of(response)


def test_more_rows_without_javascript_keeps_what_was_typed(login, sales_user, customer, priced):
    response = login(sales_user).post(reverse("orders:order-create"), {
        "customer": customer.pk, "_more_rows": "1", **_line_data([(priced, "2", "98000")])})

    assert response.status_code == 200 and not Order.objects.exists()
    formset = response.context["formset"]
    assert len(formset.forms) == 6 and formset.forms[0]["quantity"].value() == "2"
    assert response.context["form"].picked_customer == customer  # the picked customer stays picked


# --- ORD-1 review: findings, approve, return, amend, resubmit ----------------------------------------


@pytest.fixture
def underpriced(sales_user, customer, priced):
    """An order with installation whose unit price (80 000) is below the allowed 90 000 – 110 000."""
    return new_order(actor=sales_user, customer=customer, lines=[(priced, 3, 80000)], installation=True)


@pytest.mark.spec("ORD-1")
def test_page_in_review_shows_the_checklist_with_the_installation_item_only_when_needed(login, sales_user, order,
                                                                                       underpriced, reviewer):
    client = login(sales_user)

    plain = html_of(client.get(order.get_absolute_url()))
    with_installation = client.get(underpriced.get_absolute_url())

    assert 'id="checklist-form"' in plain and 'data-item="prices"' in plain
    assert 'name="result_installation"' not in plain
    assert 'name="result_installation"' in html_of(with_installation)
    # four-eyes (ORG-1): the owner who entered it gets no approve/return buttons, a colleague does
    assert 'data-action="approve"' not in plain and 'data-action="return"' not in plain
    assert 'id="four-eyes-notice"' in plain
    as_reviewer = html_of(login(reviewer).get(order.get_absolute_url()))
    assert 'data-action="approve"' in as_reviewer and 'data-action="return"' in as_reviewer
    assert 'id="four-eyes-notice"' not in as_reviewer
    # the out-of-range price is marked on the line
    assert "price-out-of-range" in html_of(with_installation) and "price-out-of-range" not in plain
    assert "due-left" in plain  # the review SLA at a glance


@pytest.mark.spec("ORD-1", "WF-2")
def test_reviewer_records_findings_through_the_checklist(login, sales_user, underpriced):
    response = login(sales_user).post(url("review-findings", underpriced), {
        "result_customer": "pass", "result_items": "pass", "result_prices": "fail", "note_prices": "单价低于允许范围",
        "result_delivery_date": "waived", "note_delivery_date": "客户同意分批交货"})

    assert response.status_code == 302 and response["Location"].endswith("#review")
    findings = {f.item: (f.result, f.note) for f in ReviewFinding.objects.all()}
    assert findings == {"customer": ("pass", ""), "items": ("pass", ""), "prices": ("fail", "单价低于允许范围"),
                        "delivery_date": ("waived", "客户同意分批交货")}
    page = login(sales_user).get(underpriced.get_absolute_url())
    assert "单价低于允许范围" in html_of(page)
    assert page.context["checklist_form"]["result_prices"].value() == "fail"  # prefilled for the next save


@pytest.mark.spec("ORD-1")
def test_a_failed_item_without_a_note_is_a_form_error_and_saves_nothing(login, sales_user, underpriced):
    before = snapshot(underpriced)

    response = login(sales_user).post(url("review-findings", underpriced), {"result_prices": "fail",
                                                                             "result_customer": "pass"})

    assert response.status_code == 400
    assert response.context["checklist_form"].errors["result_prices"]
    assert snapshot(underpriced) == before


@pytest.mark.spec("ORD-1", "WF-1")
def test_approving_a_price_outside_the_range_without_a_waiver_is_refused(login, sales_user, underpriced, reviewer):
    # given every item passed, the out-of-range price included
    pass_all(underpriced, sales_user)
    before = snapshot(underpriced)

    # when the reviewer presses "approve"
    response = login(reviewer).post(url("order-approve", underpriced))

    # then the page says why, next to the price item, and nothing changed
    assert response.status_code == 400
    assert "prices" in response.context["checklist_form"].approval_errors
    assert response.context["checklist_form"].approval_errors["prices"][0] in error_messages(response)
    assert 'class="col-12 text-danger small review-error"' in html_of(response)
    assert snapshot(underpriced) == before
    assert Order.objects.get(pk=underpriced.pk).status == "review"


@pytest.mark.spec("ORD-1")
def test_approving_with_unchecked_items_names_them(login, reviewer, order):
    before = snapshot(order)

    response = login(reviewer).post(url("order-approve", order))

    assert response.status_code == 400
    assert set(response.context["checklist_form"].approval_errors) == {"customer", "items", "prices", "delivery_date"}
    assert snapshot(order) == before


@pytest.mark.spec("ORD-1", "WF-2")
def test_a_waived_price_with_a_reason_can_be_approved(login, sales_user, underpriced, reviewer):
    pass_all(underpriced, sales_user, prices=("waived", "年度框架协议价"))

    response = login(reviewer).post(url("order-approve", underpriced))

    assert response.status_code == 302
    underpriced.refresh_from_db()
    assert underpriced.status == "approved" and underpriced.review_rounds.get().outcome == "approved"
    page = login(sales_user).get(underpriced.get_absolute_url())
    assert 'id="checklist-form"' not in html_of(page) and "年度框架协议价" in html_of(page)
    assert 'data-action="start_production"' in html_of(page) and 'id="ship-form"' in html_of(page)


@pytest.mark.spec("ORD-1", "WF-1")
def test_returning_needs_a_failed_item_and_the_problems(login, sales_user, underpriced, reviewer):
    before = snapshot(underpriced)
    client = login(reviewer)

    nothing_failed = client.post(url("order-return", underpriced), {"problems": "1. 单价过低"})
    pass_all(underpriced, sales_user, prices=("fail", "单价过低"))
    before = snapshot(underpriced)
    no_problems = client.post(url("order-return", underpriced), {"problems": "  "})

    # one review form (issue 7): the refusal is shown on the checklist form, which kept what was typed
    assert nothing_failed.status_code == 400 and nothing_failed.context["checklist_form"].non_field_errors()
    assert no_problems.status_code == 400 and no_problems.context["checklist_form"].errors["problems"]
    assert snapshot(underpriced) == before


@pytest.mark.spec("ORD-1", "WF-2")
def test_return_amend_resubmit_and_every_round_is_shown(login, sales_user, underpriced, reviewer):
    client = login(sales_user)
    # given two failed items
    pass_all(underpriced, sales_user, prices=("fail", "单价过低"), delivery_date=("fail", "交期不可行"))

    # when the reviewer (not the owner: four-eyes) returns it with two problems
    returned = login(reviewer).post(url("order-return", underpriced), {"problems": "1. 单价低于允许范围\n2. 交期需延后两周"})
    page = client.get(underpriced.get_absolute_url())

    # then the page shows the problems and offers the amendment form and "resubmit"
    assert returned.status_code == 302
    assert Order.objects.get(pk=underpriced.pk).status == "returned"
    assert 'id="returned-notice"' in html_of(page) and "交期需延后两周" in html_of(page)
    assert 'id="amend-form"' in html_of(page) and 'data-action="resubmit"' in html_of(page)
    formset = page.context["line_formset"]
    assert formset.forms[0]["unit_price"].value() == "80000"  # the current lines, prefilled as typed

    # when the customer's amendment is entered and the order resubmitted
    line = underpriced.lines.get()
    amended = client.post(url("order-amend", underpriced), {
        "customer_reference": "PO-R2", "promised_date": (today() + dt.timedelta(days=60)).isoformat(),
        "installation_required": "on", "site_address": underpriced.site_address, "site_contact": "陈工",
        "needs": "", "comment": "客户邮件确认", "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000", "lines-0-product": str(line.product_id),
        "lines-0-quantity": "3", "lines-0-unit_price": "95000", "lines-1-product": "", "lines-1-quantity": "",
        "lines-1-unit_price": ""})
    resubmitted = client.post(url("order-fire", underpriced), {"action": "resubmit", "comment": "客户已修改"})

    # then a second round opens; both rounds are on the page, and the edit is on the timeline
    assert amended.status_code == 302 and resubmitted.status_code == 302
    underpriced.refresh_from_db()
    assert underpriced.status == "review" and underpriced.customer_reference == "PO-R2"
    assert underpriced.lines.get().unit_price == Decimal("95000.00")
    page = client.get(underpriced.get_absolute_url())
    assert [r.outcome for r in page.context["rounds"]] == ["returned", "open"]
    assert 'data-round="1"' in html_of(page) and 'data-round="2"' in html_of(page)
    kinds = [e.kind for e in page.context["timeline"]]
    assert "edit" in kinds and "客户邮件确认" in html_of(page)


@pytest.mark.spec("ORD-1", "WF-1")
def test_amending_an_approved_order_is_refused_with_409(login, sales_user, approved_order):
    line = approved_order.lines.get()
    before = snapshot(approved_order)

    response = login(sales_user).post(url("order-amend", approved_order), {
        "customer_reference": "改", "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1", "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000", "lines-0-product": str(line.product_id), "lines-0-quantity": "9",
        "lines-0-unit_price": "100000"})

    assert response.status_code == 409
    assert error_messages(response)
    assert snapshot(approved_order) == before


@pytest.mark.spec("ORD-1")
def test_amendment_errors_land_on_the_line_rows(login, sales_user, order):
    pass_all(order, sales_user, items=("fail", "数量待确认"))
    services.order_return(order=order, actor=reviewer_for(order), problems="数量待确认")
    before = snapshot(order)

    response = login(sales_user).post(url("order-amend", order), {
        "installation_required": "on", "site_address": "", "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000", "lines-0-product": str(order.lines.get().product_id),
        "lines-0-quantity": "2", "lines-0-unit_price": "100000"})

    assert response.status_code == 400
    assert response.context["amend_form"].errors["site_address"]  # installation needs a site address
    assert snapshot(order) == before


# --- transitions from the action bar, cancel (WF-1) --------------------------------------------------


@pytest.mark.spec("WF-1", "ORG-1")
def test_only_a_manager_cancels_and_only_with_a_reason(login, sales_user, sales_manager, approved_order):
    staff_page = login(sales_user).get(approved_order.get_absolute_url())
    before = snapshot(approved_order)

    by_staff = login(sales_user).post(url("order-fire", approved_order), {"action": "cancel", "comment": "客户撤单"})
    no_reason = login(sales_manager).post(url("order-fire", approved_order), {"action": "cancel", "comment": " "})

    assert 'data-action="cancel"' not in html_of(staff_page)
    assert by_staff.status_code == 403
    assert no_reason.status_code == 400 and no_reason.context["transition_form"].errors["comment"]
    assert snapshot(approved_order) == before
    manager_page = login(sales_manager).get(approved_order.get_absolute_url())
    assert 'data-action="cancel"' in html_of(manager_page)

    done = login(sales_manager).post(url("order-fire", approved_order), {"action": "cancel", "comment": "客户撤单"})

    assert done.status_code == 302
    approved_order.refresh_from_db()
    assert approved_order.status == "cancelled" and approved_order.cancel_reason == "客户撤单"
    assert "客户撤单" in html_of(login(sales_manager).get(approved_order.get_absolute_url()))


@pytest.mark.spec("WF-1")
def test_an_action_not_possible_in_this_state_is_409_and_changes_nothing(login, sales_user, order):
    before = snapshot(order)

    response = login(sales_user).post(url("order-fire", order), {"action": "start_production"})
    unknown = login(sales_user).post(url("order-fire", order), {"action": "approve_everything"})

    assert response.status_code == 409 and unknown.status_code == 409
    assert any(_label(Order.Status.REVIEW) in m for m in error_messages(response))  # "… the record is “review”"
    assert snapshot(order) == before


# --- ORD-2 production, deliveries, progress log -----------------------------------------------------


@pytest.mark.spec("ORD-2")
def test_production_then_two_partial_deliveries(login, sales_user, approved_order):
    client = login(sales_user)
    line = approved_order.lines.get()

    started = client.post(url("order-fire", approved_order), {"action": "start_production"})
    first = client.post(url("delivery-ship", approved_order), {f"qty_{line.pk}": "2", "carrier": "顺丰 SF1001"})
    delivery = Delivery.objects.get()
    confirmed = client.post(url("delivery-confirm", approved_order, delivery.pk), {"quality_note": "外观、数量无误"})
    page = client.get(approved_order.get_absolute_url())

    assert started.status_code == first.status_code == confirmed.status_code == 302
    assert 'id="delivery-1"' in html_of(page) and "顺丰 SF1001" in html_of(page) and "外观、数量无误" in html_of(page)
    line.refresh_from_db()
    assert line.delivered_quantity == 2 and Order.objects.get(pk=approved_order.pk).status == "delivering"
    assert page.context["ship_form"].rows[0]["line"].left_to_ship == 1  # what is left is offered

    second = client.post(url("delivery-ship", approved_order), {f"qty_{line.pk}": "1"})
    client.post(url("delivery-confirm", approved_order, Delivery.objects.get(number=2).pk), {"quality_note": "无误"})

    assert second.status_code == 302
    approved_order.refresh_from_db()
    assert approved_order.status == "delivered" and approved_order.visit_due  # no installation: ORD-4 on delivery
    page = client.get(approved_order.get_absolute_url())
    assert 'id="visit-due-badge"' in html_of(page) and "ship_form" not in page.context
    # the deliveries' own events (shipped, confirmed) are on the order's timeline
    assert len({e.subject for e in page.context["timeline"] if e.subject}) == 2


@pytest.mark.spec("ORD-2", "WF-1")
def test_over_delivery_is_a_form_error_and_ships_nothing(login, sales_user, approved_order):
    line = approved_order.lines.get()
    before = snapshot(approved_order)

    response = login(sales_user).post(url("delivery-ship", approved_order), {f"qty_{line.pk}": "4"})

    assert response.status_code == 400
    errors = response.context["ship_form"].errors[f"qty_{line.pk}"]
    assert "3" in errors[0] and "4" in errors[0]  # "only 3 left to deliver, not 4"
    assert snapshot(approved_order) == before


@pytest.mark.spec("ORD-2", "WF-1")
def test_shipping_nothing_is_a_form_error(login, sales_user, approved_order):
    before = snapshot(approved_order)

    response = login(sales_user).post(url("delivery-ship", approved_order), {"carrier": "顺丰"})

    assert response.status_code == 400 and response.context["ship_form"].non_field_errors()
    assert snapshot(approved_order) == before


@pytest.mark.spec("ORD-2", "WF-1")
def test_a_delivery_before_approval_is_refused_with_409(login, sales_user, order):
    line = order.lines.get()
    before = snapshot(order)

    page = login(sales_user).get(order.get_absolute_url())
    response = login(sales_user).post(url("delivery-ship", order), {f"qty_{line.pk}": "1"})

    assert 'id="ship-form"' not in html_of(page)
    assert response.status_code == 409
    assert any(_label(Order.Status.REVIEW) in m for m in error_messages(response))
    assert snapshot(order) == before


@pytest.mark.spec("ORD-2")
def test_a_rejected_shipment_needs_a_reason_and_does_not_count(login, sales_user, approved_order):
    client = login(sales_user)
    line = approved_order.lines.get()
    client.post(url("delivery-ship", approved_order), {f"qty_{line.pk}": "3"})
    delivery = Delivery.objects.get()
    before = snapshot(approved_order)

    no_reason = client.post(url("delivery-reject", approved_order, delivery.pk), {"comment": ""})
    assert no_reason.status_code == 400 and no_reason.context["reject_form"].errors["comment"]
    assert 'open' in html_of(no_reason).split(f'action="{url("delivery-reject", approved_order, delivery.pk)}"')[0][-400:]
    assert snapshot(approved_order) == before

    rejected = client.post(url("delivery-reject", approved_order, delivery.pk), {"comment": "包装破损，设备有划痕"})

    assert rejected.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "rejected" and delivery.quality_note == "包装破损，设备有划痕"
    page = client.get(approved_order.get_absolute_url())
    assert page.context["ship_form"].rows[0]["line"].left_to_ship == 3  # ship again


@pytest.mark.spec("ORD-2")
def test_a_delivery_of_another_order_is_404(login, sales_user, approved_order, customer, priced):
    other = new_order(actor=sales_user, customer=customer, lines=[(priced, 1, 100000)])
    order_in(S.APPROVED, order=other, actor=sales_user)
    delivery = services.delivery_ship(order=other, actor=sales_user, quantities={other.lines.get().pk: 1})

    response = login(sales_user).post(url("delivery-confirm", approved_order, delivery.pk), {"quality_note": "x"})

    assert response.status_code == 404
    delivery.refresh_from_db()
    assert delivery.status == "shipped"


@pytest.mark.spec("ORD-2")
def test_progress_updates_and_customer_questions_are_logged_and_answered(login, sales_user, approved_order):
    client = login(sales_user)
    when = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=2)

    update = client.post(url("progress-add", approved_order), {
        "kind": "update", "channel": "phone", "text": "已告知客户：设备下周发货", "occurred_at": when.strftime("%Y-%m-%dT%H:%M")})
    question = client.post(url("progress-add", approved_order), {
        "kind": "question", "channel": "email", "text": "能否提前送达？"})
    note = ContactEntry.objects.get(order__isnull=False, kind="question")
    empty_answer = client.post(url("progress-answer", approved_order, note.pk), {"answer": " "})
    answered = client.post(url("progress-answer", approved_order, note.pk), {"answer": "可以，提前三天"})

    assert update.status_code == question.status_code == answered.status_code == 302
    assert empty_answer.status_code == 400 and empty_answer.context["answer_form"].errors["answer"]
    logged = ContactEntry.objects.get(order__isnull=False, kind="update")
    assert logged.recorded_by == sales_user and logged.channel == "phone" and logged.occurred_at == when
    note.refresh_from_db()
    assert note.answer == "可以，提前三天" and note.answered_by == sales_user
    html = html_of(client.get(approved_order.get_absolute_url()))
    assert "设备下周发货" in html and "能否提前送达？" in html and "可以，提前三天" in html
    assert "answer-form" not in html  # nothing left to answer


@pytest.mark.spec("ORD-2")
def test_an_empty_progress_note_is_a_form_error(login, sales_user, approved_order):
    before = snapshot(approved_order)

    response = login(sales_user).post(url("progress-add", approved_order), {"kind": "update", "channel": "phone",
                                                                            "text": ""})

    assert response.status_code == 400 and response.context["progress_form"].errors["text"]
    assert snapshot(approved_order) == before


@pytest.mark.spec("ORD-2")
def test_a_late_order_is_marked_on_its_page(login, sales_user, approved_order):
    Order.objects.filter(pk=approved_order.pk).update(promised_date=today() - dt.timedelta(days=1))

    html = html_of(login(sales_user).get(approved_order.get_absolute_url()))

    assert 'id="late-badge"' in html and "text-danger fw-semibold" in html


# --- ORD-3 installation, commissioning, acceptance; ORD-4 ---------------------------------------------


@pytest.fixture
def scheduled(delivered_installation_order, sales_user, engineer):
    services.installation_schedule(order=delivered_installation_order, actor=sales_user,
                                   scheduled_for=today() + dt.timedelta(days=2), engineers=[engineer])
    return delivered_installation_order


@pytest.mark.spec("ORD-3")
def test_schedule_the_installation_with_named_engineers(login, sales_user, delivered_installation_order, engineer):
    client = login(sales_user)
    page = client.get(delivered_installation_order.get_absolute_url())
    before = snapshot(delivered_installation_order)

    nobody = client.post(url("installation-schedule", delivered_installation_order), {
        "scheduled_for": (today() + dt.timedelta(days=2)).isoformat()})
    assert nobody.status_code == 400 and nobody.context["schedule_form"].errors["engineers"]
    assert snapshot(delivered_installation_order) == before

    done = client.post(url("installation-schedule", delivered_installation_order), {
        "scheduled_for": (today() + dt.timedelta(days=2)).isoformat(), "engineers": [engineer.pk]})

    assert 'id="schedule-form"' in html_of(page)
    assert done.status_code == 302
    installation = Installation.objects.get()
    assert list(installation.engineers.all()) == [engineer] and installation.status == "scheduled"
    html = html_of(client.get(delivered_installation_order.get_absolute_url()))
    assert "赵工程师" in html and 'id="installation-status"' in html


@pytest.mark.spec("ORD-3", "WF-1")
def test_acceptance_without_commissioning_is_refused_with_409(login, engineer, scheduled):
    before = snapshot(scheduled)

    response = login(engineer).post(url("acceptance-record", scheduled), {"result": "accepted", "signatory": "陈工"})

    assert response.status_code == 409
    assert error_messages(response)
    assert snapshot(scheduled) == before
    assert 'id="acceptance-form"' not in html_of(login(engineer).get(scheduled.get_absolute_url()))


@pytest.mark.spec("ORD-3", "ORD-4", "WF-1", "ORG-1")
def test_engineer_starts_commissions_customer_rejects_once_then_accepts_with_remarks(login, engineer, sales_user,
                                                                                   scheduled):
    client = login(engineer)  # a named engineer of another department works the installation

    # start, then a commissioning with a failed test is refused
    assert client.post(url("installation-start", scheduled)).status_code == 302
    before = snapshot(scheduled)
    failed = client.post(url("installation-commission", scheduled), {
        "site_work": "安装调平、接电", "check_item_0": "空载运行 2 小时", "check_ok_0": "on", "check_item_1": "定位精度"})
    assert failed.status_code == 400 and failed.context["commission_form"].non_field_errors()
    assert snapshot(scheduled) == before

    # commissioned with checklist and measurements
    done = client.post(url("installation-commission", scheduled), {
        "site_work": "安装调平、接电", "check_item_0": "空载运行 2 小时", "check_ok_0": "on",
        "check_item_1": "定位精度", "check_ok_1": "on", "m_name_0": "定位精度", "m_value_0": "0.008", "m_unit_0": "mm",
        "notes": "运行平稳"})
    assert done.status_code == 302
    installation = Installation.objects.get()
    assert installation.status == "commissioned"
    first = installation.latest_commissioning
    assert first.number == 1 and first.recorded_by == engineer
    assert first.checklist == [{"item": "空载运行 2 小时", "ok": True}, {"item": "定位精度", "ok": True}]
    assert first.measurements == [{"name": "定位精度", "value": "0.008", "unit": "mm"}]

    # a rejection needs the reasons, then sends it to rework
    no_reason = client.post(url("acceptance-record", scheduled), {"result": "rejected"})
    assert no_reason.status_code == 400 and no_reason.context["acceptance_form"].errors["remarks"]
    rejected = client.post(url("acceptance-record", scheduled), {"result": "rejected", "remarks": "噪音偏大",
                                                                 "signatory": "陈工"})
    assert rejected.status_code == 302
    installation.refresh_from_db()
    assert installation.status == "rework"
    page = client.get(scheduled.get_absolute_url())
    # the rework is a new round: its form starts empty, the first round stays shown as it was
    form = page.context["commission_form"]
    assert not any(form[f"check_item_{i}"].value() for i in range(form.check_count))
    assert not form["site_work"].value()
    assert [c.number for c in page.context["commissioning_rounds"]] == [1]

    # commissioned again, accepted with remarks and the customer's feedback
    client.post(url("installation-commission", scheduled), {
        "site_work": "更换轴承", "check_item_0": "噪音测试", "check_ok_0": "on"})
    accepted = client.post(url("acceptance-record", scheduled), {
        "result": "remarks", "remarks": "需补充操作培训", "feedback": "整体满意", "signatory": "陈工"})

    assert accepted.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.status == "accepted" and scheduled.visit_due and scheduled.follow_up_reason == "accepted"
    page = login(sales_user).get(scheduled.get_absolute_url())
    html = html_of(page)
    assert [a.result for a in page.context["acceptance_rounds"]] == ["rejected", "remarks"]
    # ORD-3: both commissioning rounds are kept and shown, the first one as it was recorded
    rounds = page.context["commissioning_rounds"]
    assert [(c.number, c.site_work, [x["item"] for x in c.checklist]) for c in rounds] == [
        (1, "安装调平、接电", ["空载运行 2 小时", "定位精度"]), (2, "更换轴承", ["噪音测试"])]
    assert 'id="commissioning-1"' in html and 'id="commissioning-2"' in html
    assert "噪音偏大" in html and "需补充操作培训" in html and "整体满意" in html
    assert 'id="visit-due-badge"' in html and 'id="visit-due"' in html
    installation_events = [e for e in page.context["timeline"] if e.subject and e.kind == "transition"]
    assert len(installation_events) == 6  # start, commission, reject, commission, accept ... and no delivery's


@pytest.mark.spec("ORD-3", "ORG-1")
def test_an_engineer_may_not_review_or_ship(login, engineer, scheduled, order):
    client = login(engineer)

    assert client.get(order.get_absolute_url()).status_code == 404  # not named on this one
    page = client.get(scheduled.get_absolute_url())
    assert page.status_code == 200 and 'data-action="cancel"' not in html_of(page)
    assert client.post(url("progress-add", scheduled), {"kind": "update", "channel": "phone",
                                                         "text": "x"}).status_code == 403


@pytest.mark.spec("ORD-3")
def test_printable_acceptance_form_link(login, sales_user, scheduled):
    html = html_of(login(sales_user).get(scheduled.get_absolute_url()))
    try:
        pdf_url = reverse("orders:acceptance-pdf", args=[scheduled.pk])
    except NoReverseMatch:
        pytest.skip("orders/pdf.py is not there yet")
    assert f'href="{pdf_url}"' in html


# --- WF-3 attachments, WF-2 timeline ------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.mark.spec("WF-3", "ORD-3")
def test_attach_a_signed_form_and_download_it(login, media, sales_user, engineer, scheduled,
                                              other_department_staff):
    upload = SimpleUploadedFile("验收单.pdf", b"%PDF-1.4 signed acceptance form", content_type="application/pdf")

    response = login(engineer).post(url("order-attach", scheduled), {"file": upload, "description": "客户签字验收单"})

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    html = html_of(login(sales_user).get(scheduled.get_absolute_url()))
    assert "验收单.pdf" in html and "客户签字验收单" in html
    download = login(sales_user).get(url("order-attachment", scheduled, attachment.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert login(other_department_staff).get(url("order-attachment", scheduled, attachment.pk)).status_code == 404


@pytest.mark.spec("WF-3")
def test_a_refused_file_type_is_a_form_error(login, media, sales_user, order):
    before = snapshot(order)

    response = login(sales_user).post(url("order-attach", order), {
        "file": SimpleUploadedFile("run.exe", b"MZ...", content_type="application/octet-stream")})

    assert response.status_code == 400 and response.context["attachment_form"].errors["file"]
    assert snapshot(order) == before


@pytest.mark.spec("WF-2")
def test_timeline_holds_the_order_its_deliveries_and_its_installation(login, sales_user, engineer, scheduled):
    services.installation_start(installation=Installation.objects.get(), actor=engineer, comment="到达现场")

    timeline = login(sales_user).get(scheduled.get_absolute_url()).context["timeline"]

    kinds = [(bool(e.subject), e.kind) for e in timeline]
    assert kinds[0] == (False, "created")
    assert any(e.subject and e.to_label for e in timeline if e.kind == "transition")
    assert "到达现场" in [e.comment for e in timeline]
    assert [e.at for e in timeline] == sorted(e.at for e in timeline)


# --- the record page's query count -------------------------------------------------------------------


def _delivering(user, customer, *, lines: int, rounds: int, deliveries: int, notes: int) -> Order:
    products = [ProductFactory(list_price=Decimal("100.00")) for _ in range(lines)]
    order = new_order(actor=user, customer=customer, lines=[(p, 10, 100) for p in products], installation=True)
    for n in range(rounds - 1):
        pass_all(order, user, items=("fail", f"第 {n + 1} 轮：数量待确认"))
        services.order_return(order=order, actor=reviewer_for(order), problems=f"第 {n + 1} 轮问题")
        services.order_resubmit(order=order, actor=user)
    order_in(S.APPROVED, order=order, actor=user)
    order_lines = list(order.lines.all())
    for n in range(deliveries):
        delivery = services.delivery_ship(order=order, actor=user, quantities={line.pk: 1 for line in order_lines},
                                          carrier=f"SF{n}")
        if n % 2 == 0:
            services.delivery_confirm(delivery=delivery, actor=user, quality_note="良好")
    for n in range(notes):
        kind = "question" if n % 2 else "update"
        services.progress_note_add(order=order, actor=user, kind=kind, channel="phone", text=f"第 {n} 条")
    return order


def _page_queries(client, order) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(order.get_absolute_url())
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.spec("ORD-1", "ORD-2", "WF-2")
def test_record_page_query_count_does_not_grow_with_lines_rounds_and_deliveries(login, sales_user, customer,
                                                                                django_assert_num_queries):
    # given a small order (2 lines, 1 review round, 1 delivery) and a big one (10 lines, 4 rounds, 4 deliveries)
    small = _delivering(sales_user, customer, lines=2, rounds=1, deliveries=1, notes=1)
    big = _delivering(sales_user, customer, lines=10, rounds=4, deliveries=4, notes=6)
    client = login(sales_user)
    client.get(small.get_absolute_url())  # warm the session and content-type caches
    small_queries = _page_queries(client, small)
    big_page = client.get(big.get_absolute_url())
    assert len(big_page.context["lines"]) == 10 and len(big_page.context["rounds"]) == 4
    assert len(big_page.context["deliveries"]) == 4 and len(big_page.context["timeline"]) > 15

    # then the big page costs exactly as many queries
    with django_assert_num_queries(small_queries):
        client.get(big.get_absolute_url())
    print(f"order page (delivering): {small_queries} queries with 2 lines/1 round/1 delivery "
          f"and with 10 lines/4 rounds/4 deliveries")


def _accepted(user, engineer, customer, *, lines: int, rejections: int) -> Order:
    products = [ProductFactory() for _ in range(lines)]
    order = new_order(actor=user, customer=customer, lines=[(p, 2, None) for p in products], installation=True)
    order_in(S.DELIVERED, order=order, actor=user, carrier="顺丰")
    installation = services.installation_schedule(order=order, actor=user, scheduled_for=today(), engineers=[engineer])
    services.installation_start(installation=installation, actor=engineer)
    checklist = [{"item": "空载运行", "ok": True}]
    for n in range(rejections + 1):
        services.installation_commission(installation=installation, actor=engineer, site_work="安装", checklist=checklist,
                                         measurements=[{"name": "噪音", "value": str(60 + n), "unit": "dB"}])
        result = "rejected" if n < rejections else "remarks"
        services.acceptance_record(installation=installation, actor=engineer, result=result, remarks=f"第 {n + 1} 次",
                                   signatory="陈工")
    order.refresh_from_db()
    return order


@pytest.mark.spec("ORD-3", "ORD-4")
def test_record_page_query_count_does_not_grow_with_acceptance_rounds(login, sales_user, engineer, customer,
                                                                      django_assert_num_queries):
    small = _accepted(sales_user, engineer, customer, lines=1, rejections=0)
    big = _accepted(sales_user, engineer, customer, lines=6, rejections=3)
    client = login(sales_user)
    client.get(small.get_absolute_url())
    small_queries = _page_queries(client, small)

    with django_assert_num_queries(small_queries):
        response = client.get(big.get_absolute_url())
    assert len(response.context["acceptance_rounds"]) == 4 and big.visit_due
    print(f"order page (accepted): {small_queries} queries with 1 and with 4 acceptance rounds")


@pytest.mark.spec("ORD-2")
def test_the_order_page_shows_progress_through_the_shared_contact_log(login, sales_user, approved_order):
    from orders.services import progress_note_add

    question = progress_note_add(order=approved_order, actor=sales_user, kind="question", channel="chat",
                                 text="调试需要几天？")
    response = login(sales_user).get(approved_order.get_absolute_url())

    assert "qsm/_contact_log.html" in [t.name for t in response.templates]
    html = html_of(response)
    assert f'id="contact-{question.pk}"' in html and 'data-kind="question"' in html and "调试需要几天？" in html
    assert f'action="{url("progress-answer", approved_order, question.pk)}"' in html
    assert 'id="progress-form"' in html and 'name="text"' in html and 'name="kind"' in html


# --- ORD-1: the review is one form (issue 7) -------------------------------------------------------


def _review_post(**fields) -> dict:
    return {key: value for key, value in fields.items()}


@pytest.mark.spec("ORD-1")
def test_return_with_three_failed_items_typed_in_the_same_press(login, underpriced, reviewer):
    # given nothing saved on the checklist yet
    # when the reviewer marks three items failed with notes and presses "return" at once
    response = login(reviewer).post(url("review-findings", underpriced), _review_post(
        decision="return", result_customer="pass", result_items="fail", note_items="数量与合同不符",
        result_prices="fail", note_prices="单价低于允许范围", result_delivery_date="fail", note_delivery_date="交期不可行",
        result_installation="pass", problems="1. 数量\n2. 单价\n3. 交期"))

    # then the order is returned and the three notes are on the returned round
    assert response.status_code == 302
    underpriced.refresh_from_db()
    assert underpriced.status == "returned"
    round_ = underpriced.review_rounds.get()
    assert round_.outcome == "returned" and round_.problems.startswith("1. 数量")
    assert {f.item: (f.result, f.note) for f in round_.findings.all() if f.result == "fail"} == {
        "items": ("fail", "数量与合同不符"), "prices": ("fail", "单价低于允许范围"),
        "delivery_date": ("fail", "交期不可行")}


@pytest.mark.spec("ORD-1")
def test_a_refused_decision_keeps_everything_typed_and_saves_nothing(login, underpriced, reviewer):
    before = snapshot(underpriced)

    # when the reviewer fails two items with notes and presses "return" without listing the problems
    response = login(reviewer).post(url("review-findings", underpriced), _review_post(
        decision="return", result_prices="fail", note_prices="单价低于允许范围", result_items="fail",
        note_items="数量与合同不符", problems=""))

    # then the page says what is missing, the form still holds what was typed, and nothing was saved
    assert response.status_code == 400
    form = response.context["checklist_form"]
    assert form.errors["problems"]
    assert form["result_prices"].value() == "fail" and form["note_items"].value() == "数量与合同不符"
    html = html_of(response)
    assert 'value="单价低于允许范围"' in html and 'value="数量与合同不符"' in html
    assert snapshot(underpriced) == before and not ReviewFinding.objects.exists()


@pytest.mark.spec("ORD-1")
def test_approve_saves_the_checklist_pressed_with_it(login, underpriced, reviewer):
    response = login(reviewer).post(url("review-findings", underpriced), _review_post(
        decision="approve", result_customer="pass", result_items="pass", result_prices="waived",
        note_prices="年度框架协议价", result_delivery_date="pass", result_installation="pass"))

    assert response.status_code == 302
    underpriced.refresh_from_db()
    assert underpriced.status == "approved"
    assert underpriced.review_rounds.get().findings.get(item="prices").note == "年度框架协议价"


@pytest.mark.spec("ORD-1")
def test_a_note_without_a_result_is_a_form_error_not_dropped(login, underpriced, reviewer):
    response = login(reviewer).post(url("review-findings", underpriced), _review_post(
        decision="save", result_customer="pass", note_items="数量待确认"))

    assert response.status_code == 400
    assert response.context["checklist_form"].errors["result_items"]
    assert not ReviewFinding.objects.exists()


@pytest.mark.spec("ORD-2")
def test_a_receipt_is_confirmed_only_with_what_was_inspected(login, sales_user, approved_order):
    # issue 7: 已签收，质检合格 with an empty quality note was accepted
    client = login(sales_user)
    line = approved_order.lines.get()
    client.post(url("delivery-ship", approved_order), {f"qty_{line.pk}": "1"})
    delivery = Delivery.objects.get()

    refused = client.post(url("delivery-confirm", approved_order, delivery.pk), {"quality_note": "  "})

    assert refused.status_code == 400
    assert refused.context["confirm_form"].errors["quality_note"]
    assert 'class="invalid-feedback d-block"' in html_of(refused)
    delivery.refresh_from_db()
    line.refresh_from_db()
    assert delivery.status == "shipped" and line.delivered_quantity == 0
    confirmed = client.post(url("delivery-confirm", approved_order, delivery.pk), {"quality_note": "数量清点、外观无损"})
    assert confirmed.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.quality_note == "数量清点、外观无损"
