"""ORG-2 / CMP-1 / PERF-1: the customer page and the order page list the customer's / the order's complaints
(number, received, subject, severity, state, rounds); the visit and case pages' sections list the
complaints opened from them. Only what the user may see (ORG-1), one query whatever the number of rows."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from complaints.inbox import case_complaints_section, visit_complaints_section
from complaints.models import Complaint
from qsm import registry
from qsm.org.models import User
from tests.aftersales.test_inbox import make_case, make_order, make_visit
from tests.aftersales.test_inbox_sections import _customer_page_queries
from tests.complaints.test_h5_inbox import make_complaint

pytestmark = pytest.mark.django_db

CS = Complaint.Status
TITLE = pgettext("customer page", "Complaints")


def _section(sections):
    found = [s for s in sections if s.title == TITLE]
    assert len(found) == 1, [s.title for s in sections]
    return found[0]


@pytest.mark.spec("ORG-2", "CMP-1", "ORG-1")
def test_the_customer_page_lists_the_customers_complaints_within_the_users_scope(
        client, staff_user, other_department_staff, quality_officer, customer):
    # given a serious complaint in its second round received by staff_user's department, and one of another
    # department
    ours = make_complaint(received_by=staff_user, customer=customer, status=CS.PLANNING, severity="serious",
                          investigator=quality_officer, round=2)
    elsewhere = make_complaint(received_by=other_department_staff, customer=customer)

    section = _section(registry.customer_history(customer, User.objects.get(pk=staff_user.pk)))

    [row] = section.rows
    assert row["cells"] == [ours.number, timezone.localtime(ours.received_at).date().isoformat(), ours.subject,
                            gettext("Serious"), gettext("Handling plan"), "2"]
    assert row["url"] == (ours.get_absolute_url() or None)
    assert section.columns[-1] == pgettext("customer page", "Confirmation rounds")
    # the quality department sees both; the other department only its own
    quality = _section(registry.customer_history(customer, User.objects.get(pk=quality_officer.pk)))
    assert {r["cells"][0] for r in quality.rows} == {ours.number, elsewhere.number}
    outsider = _section(registry.customer_history(customer, User.objects.get(pk=other_department_staff.pk)))
    assert [r["cells"][0] for r in outsider.rows] == [elsewhere.number]
    # the page renders it after the orders
    client.force_login(staff_user)
    html = client.get(reverse("org:customer-detail", args=[customer.pk])).content.decode()
    assert 'id="complaints"' in html and ours.number in html and elsewhere.number not in html
    assert html.index(gettext("Orders")) < html.index('id="complaints"')


@pytest.mark.spec("ORG-2", "PERF-1")
def test_the_customer_page_costs_the_same_queries_with_2_and_20_complaints(client, staff_user, customer):
    for _n in range(2):
        make_complaint(received_by=staff_user, customer=customer)
    client.force_login(staff_user)
    _customer_page_queries(client, customer)  # warm the caches
    few = _customer_page_queries(client, customer)
    for _n in range(18):
        make_complaint(received_by=staff_user, customer=customer, round=2)
    assert _customer_page_queries(client, customer) == few


@pytest.mark.spec("ORG-2", "CMP-1")
def test_the_order_page_lists_the_orders_complaints_and_none_when_it_has_none(client, staff_user,
                                                                              other_department_staff, customer):
    order = make_order(owner=staff_user, customer=customer)
    ours = make_complaint(received_by=staff_user, customer=customer, order=order)
    other_order = make_complaint(received_by=staff_user, customer=customer,
                                 order=make_order(owner=staff_user, customer=customer))
    hidden = make_complaint(received_by=other_department_staff, customer=customer, order=order)
    client.force_login(staff_user)

    html = client.get(order.get_absolute_url()).content.decode()

    assert 'id="order-complaints"' in html
    part = html[html.index('id="order-complaints"'):]
    assert ours.number in part and other_order.number not in html and hidden.number not in html
    bare = make_order(owner=staff_user, customer=customer)
    assert 'id="order-complaints"' not in client.get(bare.get_absolute_url()).content.decode()


@pytest.mark.spec("ORG-2", "PERF-1")
def test_the_order_page_costs_the_same_queries_with_1_and_10_complaints(client, staff_user, customer):
    order = make_order(owner=staff_user, customer=customer)
    make_complaint(received_by=staff_user, customer=customer, order=order)
    client.force_login(staff_user)
    order_page = order.get_absolute_url()
    _page_queries(client, order_page)  # warm the caches
    few = _page_queries(client, order_page)
    for _n in range(9):
        make_complaint(received_by=staff_user, customer=customer, order=order)
    assert _page_queries(client, order_page) == few


def _page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.spec("CMP-1", "ORG-1")
def test_a_visit_and_a_case_list_the_complaints_opened_from_them_for_who_may_see_them(
        staff_user, other_department_staff, quality_officer, customer):
    visit = make_visit(owner=staff_user, customer=customer, status="done", method="phone", satisfaction=1,
                       done_at=timezone.now())
    case = make_case(owner=staff_user, customer=customer)
    from_visit = make_complaint(received_by=staff_user, customer=customer, source_visit=visit)
    from_case = make_complaint(received_by=staff_user, customer=customer, source_case=case)
    make_complaint(received_by=staff_user, customer=customer)  # from nothing

    staff = User.objects.get(pk=staff_user.pk)
    on_visit, on_case = visit_complaints_section(visit, staff), case_complaints_section(case, staff)

    assert [r["cells"][0] for r in on_visit.rows] == [from_visit.number] and on_visit.key == "visit-complaints"
    assert [r["cells"][0] for r in on_case.rows] == [from_case.number] and on_case.key == "case-complaints"
    assert [s.key for s in registry.record_sections(visit, staff)].count("visit-complaints") == 1
    # another department sees neither (no section at all); the quality department sees them
    outsider = User.objects.get(pk=other_department_staff.pk)
    assert visit_complaints_section(visit, outsider) is None and case_complaints_section(case, outsider) is None
    quality = User.objects.get(pk=quality_officer.pk)
    assert visit_complaints_section(visit, quality).rows[0]["cells"][0] == from_visit.number
    # one query per section, whatever the number of complaints
    for _n in range(5):
        make_complaint(received_by=staff_user, customer=customer, source_case=case)
    with CaptureQueriesContext(connection) as queries:
        rows = case_complaints_section(case, staff).rows
    assert len(rows) == 6 and len(queries) == 1


@pytest.mark.spec("CMP-1", "ORG-1")
def test_the_case_and_visit_pages_show_the_complaints_opened_from_them(client, staff_user, other_department_staff,
                                                                       customer):
    visit = make_visit(owner=staff_user, customer=customer, status="done", method="phone", satisfaction=2,
                       done_at=timezone.now())
    case = make_case(owner=staff_user, customer=customer)
    from_visit = make_complaint(received_by=staff_user, customer=customer, source_visit=visit)
    from_case = make_complaint(received_by=staff_user, customer=customer, source_case=case)
    hidden = make_complaint(received_by=other_department_staff, customer=customer, source_case=case)
    client.force_login(staff_user)

    case_html = client.get(case.get_absolute_url()).content.decode()
    visit_html = client.get(visit.get_absolute_url()).content.decode()

    assert 'id="case-complaints"' in case_html and from_case.number in case_html and hidden.number not in case_html
    assert 'id="visit-complaints"' in visit_html and from_visit.number in visit_html
    # a case nothing was opened from shows no such section
    bare = make_case(owner=staff_user, customer=customer)
    assert 'id="case-complaints"' not in client.get(bare.get_absolute_url()).content.decode()
