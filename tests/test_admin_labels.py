"""ADMIN-1: everything a Chinese administrator reads in the admin is Chinese: no raw codes
(role groups, SLA record types and stages, channels, working weekdays), no "Django 管理", and
django-axes' section translated."""
from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.urls import reverse

from qsm.org.models import Role
from qsm.sla.admin import weekdays_label
from qsm.sla.calendar import default_calendar
from qsm.sla.models import SlaPolicy, WorkCalendar
from tests.factories import UserFactory

RAW = ["administrator", "quality_officer", "presales.inquiry", "first_response", "handover_ack", "12345",
       "Django 管理", "Django administration", "Axes", "Access attempts", "access attempt", "User Agent",
       "Failed Logins", "Attempt Time"]


def _text(response) -> str:
    """What a person reads on the page: the text between tags (values in attributes are not read)."""
    body = response.content.decode()
    body = re.sub(r"<(script|style|bdi)\b.*?</\1>", " ", body, flags=re.S)  # <bdi>: a stored value (hash)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _assessment_world():
    """Quality control (tests.builders.assessment): a standard revised once, an inspection plan, an
    inspection with a failed finding whose notice was rejected once then closed, a training plan
    with a held session and its attendance."""
    from assessment.inspections.models import InspectionPlan
    from tests.builders import assessment as qc

    people = qc.cast()
    standard = qc.a_standard(owner=people.manager, people=people)
    qc.a_revision(standard, state="effective", author=people.member, people=people)
    checklist = qc.a_checklist(standard=standard, people=people)
    InspectionPlan.objects.create(title="销售部月度检查", department=people.department, module="inquiries",
                                  checklist=checklist, frequency="monthly", sample_size=5, inspector=people.quality,
                                  next_run_on=qc.in_days(30))
    finding = qc.a_failed_finding(checklist=checklist, people=people)
    qc.a_notice(state="closed", finding=finding, rejected_first=True, people=people)
    plan = qc.a_training_plan(people=people)
    qc.a_session(plan=plan, state="held", attendees=[people.member, people.colleague], scores=[92, 85],
                 standards=[standard], people=people)


@pytest.fixture
def chinese_admin(db):
    user = UserFactory(username="root", is_staff=True, is_superuser=True, department=None, language="zh-hans",
                       roles=[Role.ADMINISTRATOR, Role.QUALITY_OFFICER])
    return user


@pytest.mark.spec("ADMIN-1")
def test_admin_pages_read_in_chinese_without_raw_codes(client, chinese_admin):
    AccessAttempt.objects.create(user_agent="Mozilla", ip_address="10.0.0.1", username="guess", http_accept="*/*",
                                 path_info="/accounts/login/", get_data="", post_data="", failures_since_start=3)
    client.force_login(chinese_admin)
    policy = SlaPolicy.objects.get(record_type="presales.inquiry", stage="first_response", channel="phone")
    pages = {
        "index": reverse("admin:index"),
        "axes": reverse("admin:app_list", args=["axes"]),
        "attempts": reverse("admin:axes_accessattempt_changelist"),
        "attempt": reverse("admin:axes_accessattempt_change", args=[AccessAttempt.objects.get().pk]),
        "groups": reverse("admin:auth_group_changelist"),
        "group": reverse("admin:auth_group_change", args=[Group.objects.get(name="administrator").pk]),
        "users": reverse("admin:org_user_changelist"),
        "user": reverse("admin:org_user_change", args=[chinese_admin.pk]),
        "policies": reverse("admin:sla_slapolicy_changelist"),
        "policy": reverse("admin:sla_slapolicy_change", args=[policy.pk]),
        "calendars": reverse("admin:sla_workcalendar_changelist"),
        "deadlines": reverse("admin:sla_deadline_changelist"),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        text = _text(response)
        leaks = [raw for raw in RAW if raw in text]
        assert not leaks, f"{name} shows {leaks}"
    # and what it shows instead
    assert "QSM 质量服务管理" in _text(client.get(pages["index"]))
    assert "登录保护" in _text(client.get(pages["index"]))
    assert "登录尝试" in _text(client.get(pages["attempts"]))
    assert "系统管理员" in _text(client.get(pages["groups"])) and "质量专员" in _text(client.get(pages["groups"]))
    assert "系统管理员" in _text(client.get(pages["user"]))
    policies = _text(client.get(pages["policies"]))
    assert "首次响应" in policies and "咨询" in policies and "电话" in policies and "任意渠道" in policies
    assert "周一至周五" in _text(client.get(pages["calendars"]))


@pytest.mark.spec("ADMIN-1")
def test_a_role_group_cannot_be_renamed_in_the_admin(client, chinese_admin):
    group = Group.objects.get(name="quality_officer")
    client.force_login(chinese_admin)
    response = client.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": "质量", "permissions": []})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "quality_officer" and str(group) == "质量专员"


@pytest.mark.spec("ADMIN-1", "SLA-1")
def test_the_policy_and_calendar_forms_take_readable_choices_and_store_the_codes(client, chinese_admin):
    client.force_login(chinese_admin)
    response = client.post(reverse("admin:sla_slapolicy_add"), {
        "name": "交接确认（电话，紧急）", "record_type": "presales.inquiry", "stage": "handover_ack", "channel": "phone",
        "priority": "urgent", "working_minutes": 60, "remind_at_percent": 50, "calendar": "", "is_active": "on"})
    assert response.status_code == 302, _text(response)[:2000]
    assert SlaPolicy.objects.filter(record_type="presales.inquiry", stage="handover_ack", channel="phone",
                                    priority="urgent").exists()
    calendar = default_calendar()
    data = {"name": "六天工作制", "work_start": "08:00", "lunch_start": "", "lunch_end": "", "work_end": "17:00",
            "weekdays": ["1", "2", "3", "4", "5", "6"], "days-TOTAL_FORMS": 0, "days-INITIAL_FORMS": 0,
            "days-MIN_NUM_FORMS": 0, "days-MAX_NUM_FORMS": 1000}
    response = client.post(reverse("admin:sla_workcalendar_add"), data)
    assert response.status_code == 302, _text(response)[:2000]
    assert WorkCalendar.objects.get(name="六天工作制").weekdays == "123456"
    assert calendar.weekdays == "12345"


@pytest.mark.parametrize(("value", "label"), [
    ("12345", "周一至周五"), ("123456", "周一至周六"), ("1234567", "每天"), ("135", "周一、周三、周五"), ("", "无"),
])
def test_working_weekdays_read_as_days(value, label):
    from django.utils import translation

    with translation.override("zh-hans"):
        assert weekdays_label(value) == label


@pytest.mark.spec("ADMIN-1", "SLA-1")
def test_the_policy_list_still_edits_minutes_in_place(client, chinese_admin):
    client.force_login(chinese_admin)
    url = reverse("admin:sla_slapolicy_changelist")
    policies = list(client.get(url).context["cl"].result_list)
    data = {"form-TOTAL_FORMS": len(policies), "form-INITIAL_FORMS": len(policies), "form-MIN_NUM_FORMS": 0,
            "form-MAX_NUM_FORMS": 1000, "_save": "保存"}
    for n, p in enumerate(policies):
        data.update({f"form-{n}-id": p.pk, f"form-{n}-working_minutes": p.working_minutes + 5,
                     f"form-{n}-remind_at_percent": p.remind_at_percent, f"form-{n}-is_active": "on"})
    response = client.post(url, data)
    assert response.status_code == 302, _text(response)[:2000]
    for p in policies:
        assert SlaPolicy.objects.get(pk=p.pk).working_minutes == p.working_minutes + 5


@pytest.mark.spec("ADMIN-1", "SLA-1")
def test_the_deadline_and_calendar_day_pages_name_their_fields_in_chinese(client, chinese_admin, staff_user):
    from qsm.sla.models import Deadline
    from tests.builders.inquiries import new_inquiry

    new_inquiry(actor=staff_user, channel="phone")
    deadline = Deadline.objects.get(stage="first_response")
    client.force_login(chinese_admin)
    for url in (reverse("admin:sla_deadline_change", args=[deadline.pk]), reverse("admin:sla_deadline_changelist"),
                reverse("admin:sla_calendarday_changelist")):
        text = _text(client.get(url))
        leaks = [raw for raw in [*RAW, "Calendar", "Owner", "Reminded", "Paused", "Completed", "Policy", "Overdue"]
                 if raw in text]
        assert not leaks, f"{url} shows {leaks}: {text[max(0, text.find(leaks[0]) - 200):text.find(leaks[0]) + 100] if leaks else ''}"
    text = _text(client.get(reverse("admin:sla_deadline_change", args=[deadline.pk])))
    assert "首次响应" in text and "咨询" in text and "标记超期时间" in text


# --- every admin page, as a Chinese administrator -------------------------------------------------

# What may stay in Latin letters on a Chinese page: names of things (QSM, API, PDF, ...) and the
# data of the rows (usernames, e-mails, product codes, record numbers), collected per test.
LATIN_ALLOWED = {"Control", "Command", "Mac", "English", "HTTP", "Accept", "QSM", "API", "PDF", "CNC", "ID", "URL", "IP", "UTC", "Token", "Excel", "SLA", "ORD", "INQ", "PO",
                 "http", "https", "localhost", "testserver", "example", "com", "www"}
# Record numbers (ORD-2026-000001), codes (CNC-100), numbers, hexadecimal keys and hashes.
DATA = re.compile(r"[A-Z]{2,4}-\d{4}-\d+|[A-Z]+-?\d*|\d.*|[a-z]?\d+|[0-9a-f]{16,}")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[_.\-][A-Za-z0-9]+)*")


def _admin_world(staff_user, sales_user, production_user, customer, product):
    """A row for every model the admin shows: an inquiry discussed and converted, an order taken
    through production, delivery, installation and acceptance, notifications, links, attachments."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from orders import services as order_services
    from orders.models import Order
    from presales import services as presales_services
    from presales.models import Inquiry
    from qsm.links.services import link_issue
    from tests.builders.inquiries import inquiry_in
    from tests.builders.orders import installation_in, order_in

    inquiry = inquiry_in(Inquiry.Status.DISCUSSION, actor=staff_user, customer=customer, products=[product],
                         invited=[sales_user.department])
    presales_services.discussion_note_add(inquiry=inquiry, actor=staff_user, body="会议纪要：客户需要两台")
    presales_services.solution_add(inquiry=inquiry, actor=staff_user, title="定制方案", content="两台 CNC-100")
    presales_services.inquiry_attach(inquiry=inquiry, actor=staff_user,
                                     upload=SimpleUploadedFile("图纸.pdf", b"%PDF-1.4", content_type="application/pdf"))
    order = order_in(Order.Status.IN_PRODUCTION, actor=sales_user, customer=customer, unit_price="98000.00",
                     installation=True)
    order_services.production_step_add(order=order, actor=sales_user, stage="machining", note="主轴加工")
    line = order.lines.get()
    delivery = order_services.delivery_ship(order=order, actor=sales_user, quantities={line.pk: line.quantity})
    order_services.delivery_confirm(delivery=delivery, actor=sales_user, quality_note="数量、外观无误")
    order = Order.objects.get(pk=order.pk)
    installation_in("accepted", order=order, actor=sales_user)
    order_services.progress_note_add(order=order, actor=sales_user, kind="question", channel="phone",
                                     text="客户询问调试时间")
    link_issue(order, "order_feedback", ttl=dt.timedelta(days=3), actor=sales_user, contact_name="王工")
    return inquiry, order


def _aftersales_world(sales_user, production_user, customer):
    """A complex case resolved through its special plan, a routing rule, a visit done by phone
    after a failed attempt (after-sales rows for the admin pages)."""
    from django.utils import timezone

    from aftersales.models import PhoneAttempt, RoutingRule
    from qsm.workflow import engine
    from tests.builders import aftersales as afs

    RoutingRule.objects.create(product_line="机器人", case_type="product_quality", severity="urgent",
                               department=sales_user.department, default_owner=sales_user)
    case = afs.case_build(actor=sales_user, customer=customer, state="special", complex=True)
    afs.diagnose(case)
    afs.plan_build(case, actor=sales_user, state="done", step_owner=production_user)
    case = engine.fire(case, "resolve", actor=sales_user)
    visit = afs.visit_build(actor=sales_user, subject=case)
    PhoneAttempt.objects.create(visit=visit, attempted_at=timezone.now(), outcome="no_answer", by=sales_user)
    engine.fire(visit, "record", actor=sales_user, method="phone", call_seconds=240, **afs.visit_answers(visit))


def _complaints_world():
    """A complaint closed after two rounds (plans, measures, answers) with its case report and a
    preventive measure (tests.builders.complaints)."""
    from django.utils import timezone

    from complaints.models import CaseReport
    from tests.builders import complaints as cmp

    complaint = cmp.complaint_in("closed", round=2)
    cmp.preventive_in("open", complaint=complaint)
    CaseReport.objects.create(complaint=complaint, summary="主轴异响投诉处理总结", cause_text="保养规程未更新",
                              responsibility_text="销售部", measures_text="更换轴承", lessons_learned="及时更新规程",
                              written_by=complaint.investigator, written_at=timezone.now())


@pytest.fixture
def order_feedback_links():
    """A module's customer-link purpose, named in Chinese (no module registers one yet)."""
    from orders.models import Order
    from qsm.links.registry import LinkPurpose, register_purpose, unregister_purpose

    register_purpose(LinkPurpose(code="order_feedback", model=Order, label="订单反馈", handler=None))
    yield
    unregister_purpose("order_feedback")


@pytest.mark.spec("ADMIN-1")
def test_every_admin_list_and_change_form_reads_in_chinese(client, chinese_admin, staff_user, sales_user,
                                                           production_user, customer, product,
                                                           order_feedback_links):
    from django.contrib import admin

    from orders.models import Order
    from qsm.org.models import Customer, Department, Product, User
    from qsm.workflow.models import Attachment

    _admin_world(staff_user, sales_user, production_user, customer, product)
    _aftersales_world(sales_user, production_user, customer)
    _complaints_world()
    _assessment_world()
    AccessAttempt.objects.create(user_agent="Mozilla", ip_address="10.0.0.1", username="guess", http_accept="*/*",
                                 path_info="/accounts/login/", get_data="", post_data="", failures_since_start=3)
    from axes.models import AccessFailureLog, AccessLog
    from rest_framework.authtoken.models import Token

    AccessLog.objects.create(user_agent="Mozilla", ip_address="10.0.0.2", username="sales", http_accept="*/*",
                             path_info="/accounts/login/")
    AccessFailureLog.objects.create(user_agent="Mozilla", ip_address="10.0.0.1", username="guess",
                                    http_accept="*/*", path_info="/accounts/login/", locked_out=False)
    Token.objects.create(user=sales_user)
    allowed = set(LATIN_ALLOWED) | {"Mozilla", "guess"}
    allowed |= {w for u in User.objects.all() for w in (u.username, u.display_name, *WORD.findall(u.email))}
    allowed |= {w for c in Customer.objects.all() for w in WORD.findall(c.email)}
    allowed |= {w for a in Attachment.objects.all() for w in WORD.findall(a.original_name)}
    allowed |= {"mm"}  # the unit of a measurement the engineer entered
    from qsm.workflow.models import Event

    # the code of the job that acted (Event.actor_label of the system: "complaints", "sla_sweep")
    allowed |= set(Event.objects.filter(actor_kind="system").values_list("actor_label", flat=True))
    allowed |= set(Product.objects.values_list("code", flat=True)) | set(Department.objects.values_list("code", flat=True))
    from aftersales.models import CauseCategory, Questionnaire

    allowed |= set(CauseCategory.objects.values_list("code", flat=True)) | set(
        Questionnaire.objects.values_list("code", flat=True))  # codes an administrator chose, like departments'
    client.force_login(chinese_admin)
    leaks, empty = {}, []
    for model in admin.site._registry:
        opts = model._meta
        pages = {"list": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")}
        row = model._default_manager.order_by("-pk").first()
        if row is None:
            empty.append(opts.label)
        else:
            pages["change"] = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
        for kind, url in pages.items():
            response = client.get(url)
            assert response.status_code == 200, url
            text = _text(response)
            text = re.sub(r"\S*/\S*", " ", text)  # paths, URLs and MIME types are data, not words
            found = sorted({w for w in WORD.findall(text) if w not in allowed and not DATA.fullmatch(w)})
            if found:
                at = text.find(found[0])
                leaks[f"{opts.label} {kind}"] = f"{found} near «{' '.join(text[max(0, at - 80):at + 40].split())}»"
    assert not empty, f"no row to show on the change form of {empty}"
    assert not leaks, "\n".join(f"{page}: {words}" for page, words in leaks.items())
    # and what it shows instead: the timeline's action names (also as filter choices), the kinds
    # of notification, the production steps on the order
    events = _text(client.get(reverse("admin:workflow_event_changelist")))
    assert "批准" in events and "生产进度" in events and "上传附件" in events
    assert "批准" in _text(client.get(reverse("admin:workflow_event_changelist"), {"action": "approve"}))
    assert "订单通过审核" in _text(client.get(reverse("admin:notify_notification_changelist")))
    assert "安装工程师" in _text(client.get(reverse("admin:auth_group_changelist")))
    order = Order.objects.get()
    assert "零部件加工完成" in _text(client.get(reverse("admin:orders_order_change", args=[order.pk])))
