"""The inquiry record page and its forms: PRE-1..4, WF-2 timeline, WF-3 attachments, ORG-1 scope.

Refusals are tested as the pages show them: form errors re-render with 200 and change nothing, an
illegal transition re-renders with its reason and HTTP 409, a missing permission is 403, and
another department's inquiry is 404.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from presales import services
from presales.models import Inquiry, Solution
from qsm.contacts.models import ContactEntry
from qsm.workflow.models import Attachment, Event
from tests.builders.inquiries import new_inquiry

pytestmark = pytest.mark.django_db


def _url(name, inquiry, *args):
    return reverse(f"presales:{name}", args=[inquiry.pk, *args])


def _fire(client, inquiry, action, **data):
    return client.post(_url("inquiry-fire", inquiry), {"action": action, **data})


@pytest.fixture
def inquiry(staff_user, customer, product):
    return new_inquiry(actor=staff_user, customer=customer, subject="询问数控机床", question="需要报价",
                        products=[product], contact_name="王经理")


@pytest.fixture
def answered(staff_user, customer, product):
    return new_inquiry(actor=staff_user, customer=customer, subject="已答复的咨询", answer="已介绍型号",
                        products=[product])


# --- who may open the page (ORG-1) ---------------------------------------------------------------


@pytest.mark.spec("ORG-1", "PRE-1")
@pytest.mark.parametrize("who", ["staff_user", "colleague", "manager", "quality_officer", "administrator"])
def test_record_page_opens_for_the_department_quality_and_admin(login, request, inquiry, who):
    response = login(request.getfixturevalue(who)).get(inquiry.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert inquiry.number in html and "询问数控机床" in html and "需要报价" in html and "王经理" in html
    assert inquiry.customer.get_absolute_url() in html
    assert "due-left" in html  # the first-response deadline, at a glance


@pytest.mark.spec("ORG-1")
def test_another_departments_staff_gets_404_everywhere(login, other_department_staff, inquiry):
    client = login(other_department_staff)

    assert client.get(inquiry.get_absolute_url()).status_code == 404
    assert _fire(client, inquiry, "respond", answer="越权答复").status_code == 404
    assert client.post(_url("communication-add", inquiry), {"channel": "phone", "direction": "out",
                                                            "summary": "x"}).status_code == 404
    assert client.post(reverse("orders:order-from-inquiry", args=[inquiry.pk])).status_code == 404
    inquiry.refresh_from_db()
    assert inquiry.status == "new" and not inquiry.communications.exists()


@pytest.mark.spec("ORG-1")
def test_anonymous_is_sent_to_login(client, inquiry):
    response = client.get(inquiry.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert _fire(client, inquiry, "respond", answer="x").status_code == 302


@pytest.mark.spec("ORG-1", "WF-1")
def test_quality_officer_may_look_but_not_act(login, quality_officer, inquiry):
    client = login(quality_officer)

    html = client.get(inquiry.get_absolute_url()).content.decode()
    response = _fire(client, inquiry, "respond", answer="质量部不应答复")

    assert 'data-action="respond"' not in html  # no buttons for what they may not do
    assert response.status_code == 403
    assert "bi-shield-lock" in response.content.decode()  # our 403 page, inside the layout
    inquiry.refresh_from_db()
    assert inquiry.status == "new" and inquiry.answer == ""


def test_buttons_are_the_transitions_the_user_may_fire(login, staff_user, answered):
    html = login(staff_user).get(answered.get_absolute_url()).content.decode()

    for action in ("open_discussion", "hand_over", "close", "cancel"):
        assert f'data-action="{action}"' in html
    for action in ("respond", "acknowledge", "return", "reopen", "convert"):
        assert f'data-action="{action}"' not in html


# --- PRE-1 first response, transitions -----------------------------------------------------------


@pytest.mark.spec("PRE-1", "WF-1")
def test_first_response_through_the_page(login, staff_user, inquiry):
    client = login(staff_user)

    response = _fire(client, inquiry, "respond", answer="已介绍 CNC-100 的参数")

    assert response.status_code == 302 and response["Location"].startswith(inquiry.get_absolute_url())
    inquiry.refresh_from_db()
    assert inquiry.status == "answered" and inquiry.answer == "已介绍 CNC-100 的参数"
    html = client.get(inquiry.get_absolute_url()).content.decode()
    assert "已介绍 CNC-100 的参数" in html and "due-left" not in html


@pytest.mark.spec("PRE-1", "WF-1")
def test_empty_answer_is_a_form_error_and_changes_nothing(login, staff_user, inquiry):
    response = _fire(login(staff_user), inquiry, "respond", answer="  ")

    assert response.status_code == 400
    assert response.context["respond_form"].errors
    inquiry.refresh_from_db()
    assert inquiry.status == "new"


@pytest.mark.spec("WF-1")
def test_an_illegal_transition_is_refused_with_409_and_changes_nothing(login, staff_user, answered):
    # when the first response is recorded a second time (e.g. a double submit)
    response = _fire(login(staff_user), answered, "respond", answer="第二次答复")

    # then the page comes back with the reason and HTTP 409; the first answer stands
    assert response.status_code == 409
    assert "已答复" in response.content.decode()  # the reason names the current state
    answered.refresh_from_db()
    assert answered.answer == "已介绍型号"
    assert not Event.objects.filter(object_id=answered.pk, action="respond", comment="第二次答复").exists()


@pytest.mark.spec("WF-1")
def test_convert_cannot_be_fired_from_the_action_buttons(login, staff_user, answered):
    assert _fire(login(staff_user), answered, "convert").status_code == 409


@pytest.mark.spec("WF-1", "WF-2")
def test_withdraw_needs_a_reason(login, staff_user, inquiry):
    client = login(staff_user)

    refused = _fire(client, inquiry, "cancel", comment="")
    inquiry.refresh_from_db()
    assert refused.status_code == 400 and inquiry.status == "new"
    assert refused.context["transition_form"].errors["comment"]
    assert refused.context["failed_action"] == "cancel"
    assert "<details class=\"action-details\" open>" in refused.content.decode()

    done = _fire(client, inquiry, "cancel", comment="客户重复来电，已合并")
    inquiry.refresh_from_db()
    assert done.status_code == 302 and inquiry.status == "cancelled"
    assert "客户重复来电，已合并" in client.get(inquiry.get_absolute_url()).content.decode()  # on the timeline


def test_close_and_reopen(login, staff_user, answered):
    client = login(staff_user)

    _fire(client, answered, "close")
    answered.refresh_from_db()
    assert answered.status == "closed"
    _fire(client, answered, "reopen", comment="客户再次来电")
    answered.refresh_from_db()
    assert answered.status == "answered"


def test_htmx_posts_get_the_same_answers(login, staff_user, inquiry):
    client = login(staff_user)

    ok = client.post(_url("inquiry-fire", inquiry), {"action": "respond", "answer": "好的"}, HTTP_HX_REQUEST="true")
    again = client.post(_url("inquiry-fire", inquiry), {"action": "respond", "answer": "再答"}, HTTP_HX_REQUEST="true")

    assert ok.status_code == 302  # htmx follows it and swaps #inquiry-page from the page
    assert again.status_code == 409 and 'id="inquiry-page"' in again.content.decode()


# --- PRE-2 needs analysis, complex ---------------------------------------------------------------


@pytest.mark.spec("PRE-2", "WF-2")
def test_needs_analysis_is_saved_and_its_change_is_on_the_timeline(login, staff_user, answered, product):
    client = login(staff_user)

    response = client.post(_url("inquiry-analyse", answered), {
        "needs_analysis": "客户需要批量加工铝合金件", "recommendation": "CNC-100 配自动上下料",
        "recommended_products": [product.pk]})

    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.needs_analysis == "客户需要批量加工铝合金件"
    assert list(answered.recommended_products.all()) == [product]
    # a second edit shows old -> new on the timeline
    client.post(_url("inquiry-analyse", answered), {"needs_analysis": "客户需要五轴加工", "recommendation": ""})
    html = client.get(answered.get_absolute_url()).content.decode()
    assert "<del class=\"text-body-secondary\">客户需要批量加工铝合金件</del> → 客户需要五轴加工" in html


@pytest.mark.spec("PRE-2")
def test_needs_analysis_must_not_be_empty(login, staff_user, answered):
    response = login(staff_user).post(_url("inquiry-analyse", answered), {"needs_analysis": "", "recommendation": "x"})

    assert response.status_code == 400 and response.context["analyse_form"].errors["needs_analysis"]
    answered.refresh_from_db()
    assert answered.recommendation == ""


@pytest.mark.spec("PRE-2")
def test_needs_analysis_before_the_first_response_is_409(login, staff_user, inquiry):
    response = login(staff_user).post(_url("inquiry-analyse", inquiry), {"needs_analysis": "需求", "recommendation": ""})

    assert response.status_code == 409
    inquiry.refresh_from_db()
    assert inquiry.needs_analysis == ""


@pytest.mark.spec("PRE-2")
def test_mark_complex_toggles(login, staff_user, answered):
    client = login(staff_user)

    client.post(_url("inquiry-complex", answered), {"is_complex": "on"})
    answered.refresh_from_db()
    assert answered.is_complex
    assert 'id="complex-badge"' in client.get(answered.get_absolute_url()).content.decode()

    client.post(_url("inquiry-complex", answered), {})
    answered.refresh_from_db()
    assert not answered.is_complex


# --- PRE-3 discussion, notes, solutions ----------------------------------------------------------


@pytest.fixture
def in_discussion(staff_user, answered, production_department):
    services.inquiry_mark_complex(inquiry=answered, actor=staff_user)
    return services.inquiry_open_discussion(inquiry=answered, actor=staff_user, topic="定制夹具方案",
                                            departments=[production_department])


@pytest.mark.spec("PRE-3")
def test_open_discussion_needs_a_complex_inquiry_and_an_invitation(login, staff_user, answered,
                                                                   production_department, production_user):
    client = login(staff_user)

    not_complex = _fire(client, answered, "open_discussion", topic="方案", departments=[production_department.pk])
    assert not_complex.status_code == 400 and not_complex.context["discussion_form"].errors
    client.post(_url("inquiry-complex", answered), {"is_complex": "on"})
    nobody = _fire(client, answered, "open_discussion", topic="方案")
    assert nobody.context["discussion_form"].errors
    answered.refresh_from_db()
    assert answered.status == "answered"

    ok = _fire(client, answered, "open_discussion", topic="定制夹具方案", departments=[production_department.pk],
               users=[production_user.pk])

    assert ok.status_code == 302
    answered.refresh_from_db()
    assert answered.status == "discussion" and answered.discussion.topic == "定制夹具方案"
    html = client.get(answered.get_absolute_url()).content.decode()
    assert production_department.name in html and str(production_user) in html


@pytest.mark.spec("PRE-3", "ORG-1")
def test_an_invited_department_opens_the_inquiry_and_adds_notes(login, production_user, in_discussion):
    client = login(production_user)

    assert client.get(in_discussion.get_absolute_url()).status_code == 200
    response = client.post(_url("discussion-note-add", in_discussion), {"body": "夹具需要三周生产"})

    assert response.status_code == 302
    assert in_discussion.discussion.notes.get().body == "夹具需要三周生产"
    assert "夹具需要三周生产" in client.get(in_discussion.get_absolute_url()).content.decode()


@pytest.mark.spec("PRE-3", "WF-2")
def test_solutions_are_versioned_and_every_version_is_shown(login, staff_user, in_discussion, product):
    client = login(staff_user)

    client.post(_url("solution-add", in_discussion), {"title": "方案A", "content": "标准夹具", "products": [product.pk]})
    client.post(_url("solution-add", in_discussion), {"title": "方案A", "content": "改为液压夹具"})

    assert list(Solution.objects.order_by("version").values_list("version", "content")) == [
        (1, "标准夹具"), (2, "改为液压夹具")]
    html = client.get(in_discussion.get_absolute_url()).content.decode()
    assert 'data-version="1"' in html and 'data-version="2"' in html
    assert "标准夹具" in html and "改为液压夹具" in html


@pytest.mark.spec("PRE-3")
def test_a_solution_without_content_is_an_error(login, staff_user, in_discussion):
    response = login(staff_user).post(_url("solution-add", in_discussion), {"title": "方案", "content": ""})

    assert response.status_code == 400 and response.context["solution_form"].errors["content"]
    assert not Solution.objects.exists()


@pytest.mark.spec("PRE-3", "PRE-4")
def test_marking_a_solution_sent_logs_the_communication(login, staff_user, in_discussion):
    solution = services.solution_add(inquiry=in_discussion, actor=staff_user, title="方案A", content="内容")
    client = login(staff_user)

    response = client.post(_url("solution-sent", in_discussion, solution.pk), {"via": "email"})
    again = client.post(_url("solution-sent", in_discussion, solution.pk), {"via": "email"})

    solution.refresh_from_db()
    assert response.status_code == 302 and solution.sent_via == "email" and solution.sent_at
    assert again.status_code == 409
    assert ContactEntry.objects.filter(inquiry=in_discussion, direction="out").count() == 1


def test_marking_another_inquirys_solution_is_404(login, staff_user, in_discussion, answered, customer):
    solution = services.solution_add(inquiry=in_discussion, actor=staff_user, title="方案A", content="内容")
    other = new_inquiry(actor=staff_user, customer=customer)

    response = login(staff_user).post(_url("solution-sent", other, solution.pk), {"via": "email"})

    assert response.status_code == 404


# --- PRE-4 communication log, hand-over, acknowledge, convert --------------------------------------


@pytest.mark.spec("PRE-4")
def test_communication_log(login, staff_user, answered):
    client = login(staff_user)

    response = client.post(_url("communication-add", answered), {
        "channel": "phone", "direction": "in", "summary": "客户来电追问交期",
        "occurred_at": "2026-01-05T10:30"})
    bad = client.post(_url("communication-add", answered), {"channel": "phone", "direction": "in", "summary": ""})

    assert response.status_code == 302
    entry = answered.communications.get()
    assert entry.summary == "客户来电追问交期" and entry.direction == "in" and entry.recorded_by == staff_user
    assert bad.status_code == 400 and bad.context["communication_form"].errors["summary"]
    assert "客户来电追问交期" in client.get(answered.get_absolute_url()).content.decode()


@pytest.mark.spec("PRE-4", "WF-1")
def test_hand_over_acknowledge_and_convert_to_an_order(login, staff_user, sales_user, sales_department, answered,
                                                      product):
    staff = login(staff_user)
    sales = login(sales_user)

    # a hand-over without a department is a form error
    assert _fire(staff, answered, "hand_over", note="x").context["handover_form"].errors["department"]

    # when the service staff hands it over to the sales department
    response = _fire(staff, answered, "hand_over", department=sales_department.pk, note="客户下周要报价")
    answered.refresh_from_db()
    assert response.status_code == 302 and answered.status == "handed_over"
    assert answered.handover_department == sales_department and answered.handover_note == "客户下周要报价"

    # then the sales department sees it with an acknowledge button, and acknowledges
    html = sales.get(answered.get_absolute_url()).content.decode()
    assert 'data-action="acknowledge"' in html and 'data-action="convert"' not in html
    _fire(sales, answered, "acknowledge")
    answered.refresh_from_db()
    assert answered.status == "acknowledged" and answered.acknowledged_by == sales_user

    # the sending department may not convert it (403), the receiving one may
    assert 'data-action="convert"' not in staff.get(answered.get_absolute_url()).content.decode()
    assert staff.post(reverse("orders:order-from-inquiry", args=[answered.pk])).status_code == 403
    assert 'data-action="convert"' in sales.get(answered.get_absolute_url()).content.decode()
    # issue 7: "convert" opens the new-order form pre-filled from the inquiry; nothing is created yet
    convert_url = reverse("orders:order-from-inquiry", args=[answered.pk])
    form_page = sales.get(convert_url)
    assert form_page.status_code == 200 and not Order.objects.exists()
    assert form_page.context["formset"].forms[0]["product"].value() == str(product.pk)
    # saving it without the customer's PO and promised date is refused, nothing created
    incomplete = sales.post(convert_url, {"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
                                          "lines-0-product": str(product.pk), "lines-0-quantity": "2",
                                          "lines-0-unit_price": "1000"})
    assert incomplete.status_code == 400 and not Order.objects.exists()
    assert set(incomplete.context["form"].errors) == {"customer_reference", "promised_date"}
    response = sales.post(convert_url, {
        "customer_reference": "PO-1", "promised_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-product": str(product.pk),
        "lines-0-quantity": "2", "lines-0-unit_price": "1000"})

    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert order.source_inquiry == answered and order.customer == answered.customer
    assert list(order.lines.values_list("product", flat=True)) == [product.pk]
    answered.refresh_from_db()
    assert answered.status == "converted"
    # converting twice is refused with 409 and makes no second order
    assert sales.post(reverse("orders:order-from-inquiry", args=[answered.pk])).status_code == 409
    assert Order.objects.count() == 1


@pytest.mark.spec("PRE-4")
def test_the_receiving_department_may_return_it_with_a_reason(login, staff_user, sales_user, sales_department,
                                                              answered):
    services.inquiry_hand_over(inquiry=answered, actor=staff_user, department=sales_department)
    client = login(sales_user)

    without = _fire(client, answered, "return", comment="")
    answered.refresh_from_db()
    assert without.status_code == 400 and answered.status == "handed_over"

    _fire(client, answered, "return", comment="不属于我们的产品线")
    answered.refresh_from_db()
    assert answered.status == "answered" and answered.handover_department is None


# --- WF-2 timeline, WF-3 attachments ---------------------------------------------------------------


@pytest.mark.spec("WF-2")
def test_timeline_shows_who_when_what_and_from_to(login, staff_user, inquiry):
    client = login(staff_user)
    _fire(client, inquiry, "respond", answer="已答复")

    response = client.get(inquiry.get_absolute_url())

    entries = response.context["timeline"]
    assert [e.kind for e in entries] == ["created", "transition"]
    html = response.content.decode()
    timeline_html = html[html.index('id="timeline"'):]
    assert str(staff_user) in timeline_html
    assert f"{entries[1].from_label} → {entries[1].to_label}" in timeline_html
    assert entries[1].at is not None and entries[1].actor == staff_user


@pytest.mark.spec("WF-3")
def test_attach_list_and_download_a_file(login, staff_user, answered, other_department_staff):
    client = login(staff_user)
    upload = SimpleUploadedFile("需求说明.pdf", b"%PDF-1.4 test", content_type="application/pdf")

    response = client.post(_url("inquiry-attach", answered), {"file": upload, "description": "客户提供的图纸"})

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    html = client.get(answered.get_absolute_url()).content.decode()
    assert "需求说明.pdf" in html and "客户提供的图纸" in html
    download = client.get(_url("inquiry-attachment", answered, attachment.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert "attachment" in download["Content-Disposition"]
    assert login(other_department_staff).get(_url("inquiry-attachment", answered, attachment.pk)).status_code == 404


@pytest.mark.spec("WF-3")
def test_a_refused_file_type_is_an_error_and_nothing_is_stored(login, staff_user, answered):
    upload = SimpleUploadedFile("脚本.exe", b"MZ....", content_type="application/octet-stream")

    response = login(staff_user).post(_url("inquiry-attach", answered), {"file": upload})

    assert response.status_code == 400
    assert response.context["attachment_form"].errors["file"]
    assert not Attachment.objects.exists()


@pytest.mark.spec("PRE-1", "PRE-4", "WF-2")
def test_record_page_query_count_is_bounded(login, staff_user, answered, django_assert_max_num_queries):
    for n in range(5):
        services.communication_add(inquiry=answered, actor=staff_user, channel="phone", direction="out",
                                   summary=f"第{n}次沟通")
    client = login(staff_user)
    client.get(answered.get_absolute_url())  # warm the session and content-type caches
    with django_assert_max_num_queries(30) as captured:
        response = client.get(answered.get_absolute_url())
    assert response.status_code == 200
    assert Inquiry.objects.count() == 1
    print(f"inquiry record page: {len(captured.captured_queries)} queries")


@pytest.mark.spec("PRE-4")
def test_the_inquiry_page_shows_its_communications_through_the_shared_contact_log(login, staff_user, answered):
    from presales.services import communication_add

    entry = communication_add(inquiry=answered, actor=staff_user, channel="email", direction="in",
                              summary="客户邮件询问报价")
    response = login(staff_user).get(answered.get_absolute_url())

    assert "qsm/_contact_log.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert f'id="contact-{entry.pk}"' in html and "客户邮件询问报价" in html
    assert "answer-form" not in html  # a communication is not a question to answer
    assert 'id="communication-form"' in html and 'name="direction"' in html and 'name="summary"' in html
