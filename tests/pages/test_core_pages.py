"""Core pages: login, language, my work (INBOX-1), notifications (NTF-1), who may open what (ORG-1)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from qsm.notify.models import Notification
from qsm.notify.services import notify
from tests.builders.inquiries import new_inquiry

pytestmark = pytest.mark.django_db


def test_login_page_speaks_chinese_by_default(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "用户名" in html  # Django's own translation of the username label
    assert "密码" in html


def test_switching_to_english_changes_the_ui_language(client):
    # when an anonymous visitor picks English
    response = client.post(reverse("set-language"), {"language": "en", "next": reverse("login")})

    # then they land back on the page, now in English
    assert response.status_code == 302 and response["Location"] == reverse("login")
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert "Username" in html and "用户名" not in html


def test_a_signed_in_users_language_choice_is_saved(login, staff_user):
    client = login(staff_user)
    assert '<html lang="zh-hans">' in client.get(reverse("inbox")).content.decode()

    client.post(reverse("set-language"), {"language": "en", "next": "/"})

    staff_user.refresh_from_db()
    assert staff_user.language == "en"
    assert '<html lang="en">' in client.get(reverse("inbox")).content.decode()


def test_language_switch_refuses_an_outside_redirect(client):
    response = client.post(reverse("set-language"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.spec("ORG-1")
@pytest.mark.parametrize("url_name", ["inbox", "notifications", "presales:inquiry-list", "presales:inquiry-create",
                                      "orders:order-list", "org:customer-list", "org:customer-create"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_with_the_form_lands_on_my_work(client, staff_user):
    response = client.post(reverse("login"), {"username": "staff", "password": "pass-12345"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("inbox")
    assert "staff" in response.content.decode()


def test_base_layout_has_navigation_bell_language_and_logout(login, staff_user):
    html = login(staff_user).get(reverse("inbox")).content.decode()

    for url in (reverse("presales:inquiry-list"), reverse("orders:order-list"), reverse("org:customer-list"),
                reverse("notifications"), reverse("set-language"), reverse("logout")):
        assert f'"{url}' in html
    assert "X-CSRFToken" in html  # htmx posts carry the CSRF token
    assert "vendor/htmx/htmx.min.js" in html and "vendor/bootstrap/css/bootstrap.min.css" in html
    assert "cdn" not in html.lower()
    assert reverse("admin:index") not in html  # not an administrator
    assert reverse("api-docs") not in html  # the API docs are in the user menu of administrators only (issue 7)


def test_administrators_see_the_admin_link(login, administrator):
    assert reverse("admin:index") in login(administrator).get(reverse("inbox")).content.decode()


@pytest.mark.spec("INBOX-1")
def test_my_work_lists_what_waits_on_me_overdue_first(login, staff_user, colleague, customer):
    # given one inquiry received just now, one received 10 days ago (its first-response deadline has passed),
    # one already answered and one of a colleague
    fresh = new_inquiry(actor=staff_user, customer=customer, subject="新的咨询")
    late = new_inquiry(actor=staff_user, customer=customer, subject="超时的咨询",
                        received_at=timezone.now() - dt.timedelta(days=10))
    answered = new_inquiry(actor=staff_user, customer=customer, subject="已答复", answer="已答复客户")
    others = new_inquiry(actor=colleague, customer=customer, subject="同事的咨询")
    assert late.due_at < timezone.now() < fresh.due_at

    # when
    response = login(staff_user).get(reverse("inbox"))

    # then the overdue one comes first and is marked, the colleague's is not there
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(late.number) < html.index(fresh.number)
    assert html.count("row-overdue") == 1
    assert "due-overdue" in html and "due-left" in html
    assert answered.number in html  # answered: waits for needs analysis and hand-over
    assert others.number not in html
    assert reverse("presales:inquiry-detail", args=[late.pk]) in html


@pytest.mark.spec("INBOX-1")
def test_my_work_shows_the_handed_over_inquiry_to_the_receiving_department(login, staff_user, sales_user,
                                                                          sales_department, customer):
    from presales import services

    inquiry = new_inquiry(actor=staff_user, customer=customer, answer="已答复")
    services.inquiry_hand_over(inquiry=inquiry, actor=staff_user, department=sales_department)

    html = login(sales_user).get(reverse("inbox")).content.decode()

    assert inquiry.number in html


@pytest.mark.spec("NTF-1")
def test_notifications_page_highlights_unread_and_marks_all_read(login, staff_user):
    # given two notifications, one already read
    notify(recipients=[staff_user], kind="sla_reminder", title="第一条通知", url="/presales/inquiries/")
    notify(recipients=[staff_user], kind="sla_reminder", title="第二条通知")
    Notification.objects.filter(title="第一条通知").update(read_at=timezone.now())
    client = login(staff_user)

    # when the list is opened
    html = client.get(reverse("notifications")).content.decode()

    # then both are listed, one highlighted as unread, and the bell counts one
    assert "第一条通知" in html and "第二条通知" in html
    assert html.count("notification-unread") == 1
    assert 'data-testid="unread-count">1<' in html

    # when all are marked read
    response = client.post(reverse("notifications-read"))

    # then none is unread and the bell shows no count
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=staff_user, read_at__isnull=True).exists()
    html = client.get(reverse("notifications")).content.decode()
    assert "notification-unread" not in html and "unread-count" not in html


@pytest.mark.spec("NTF-1")
def test_marking_read_touches_only_my_own_notifications(login, staff_user, colleague):
    notify(recipients=[colleague], kind="sla_reminder", title="同事的通知")
    mine = notify(recipients=[staff_user], kind="sla_reminder", title="我的通知")[0]
    theirs = Notification.objects.get(recipient=colleague)

    login(staff_user).post(reverse("notifications-read"), {"id": [str(mine.pk), str(theirs.pk)]})

    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


@pytest.mark.spec("NTF-1")
def test_opening_an_unread_notification_marks_it_read_and_follows_its_link(login, staff_user):
    n = notify(recipients=[staff_user], kind="sla_reminder", title="请确认交接", url="/presales/inquiries/")[0]
    client = login(staff_user)
    assert "notification-open" in client.get(reverse("notifications")).content.decode()

    response = client.post(reverse("notifications-read"), {"id": str(n.pk), "next": n.url})

    n.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == "/presales/inquiries/"
    assert n.read_at is not None


@pytest.mark.spec("NTF-1", "PERF-1")
def test_the_bell_counts_no_further_than_99_plus(login, staff_user):
    # given a user with 120 unread notifications (years of escalations pile up for a quality officer)
    Notification.objects.bulk_create([Notification(recipient=staff_user, kind="sla_reminder", title=f"通知 {n}")
                                      for n in range(120)])
    client = login(staff_user)

    # when a page is opened, then the bell says 99+ and its count stops at the cap (a LIMIT in the count)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("notifications")).content.decode()
    assert 'data-testid="unread-count">99+<' in html
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 100" in sql for sql in counts), counts

    # and the API still answers the exact number
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_login(staff_user)
    assert api.get("/api/notifications/unread-count/").data == {"count": 120}
