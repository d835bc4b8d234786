import pytest

from presales import services
from tests.builders.inquiries import new_inquiry
from tests.builders.orders import convert_inquiry


@pytest.mark.spec("PRE-1", "PRE-2", "PRE-3", "PRE-4")
def test_whole_journey_through_services(staff_user, sales_user, production_department, product, customer):
    # given an inquiry logged by phone and answered during the call
    inquiry = new_inquiry(actor=staff_user, customer=customer, answer="先介绍了型号", products=[product])
    assert inquiry.status == "answered"
    assert inquiry.responded_at is not None
    # when it is analysed, marked complex, discussed, solved and handed over
    inquiry = services.inquiry_analyse(inquiry=inquiry, actor=staff_user, needs_analysis="需要定制夹具",
                                       recommendation="CNC-100 + 夹具", recommended_products=[product])
    inquiry = services.inquiry_mark_complex(inquiry=inquiry, actor=staff_user)
    inquiry = services.inquiry_open_discussion(inquiry=inquiry, actor=staff_user, topic="夹具方案",
                                               departments=[production_department])
    solution = services.solution_add(inquiry=inquiry, actor=staff_user, title="定制方案", content="……",
                                     products=[product])
    assert solution.version == 1
    assert services.solution_add(inquiry=inquiry, actor=staff_user, title="定制方案", content="改").version == 2
    inquiry = services.inquiry_hand_over(inquiry=inquiry, actor=staff_user, department=sales_user.department)
    assert inquiry.status == "handed_over" and inquiry.due_at is not None
    inquiry = services.inquiry_acknowledge(inquiry=inquiry, actor=sales_user)
    order = convert_inquiry(inquiry, actor=sales_user)  # the pre-filled form, saved (issue 7)
    # then
    inquiry.refresh_from_db()
    assert inquiry.status == "converted"
    assert order.customer == customer and list(order.lines.values_list("product", flat=True)) == [product.pk]
