"""ORG-2 / PERF-1: the customer page lists the customer's after-sales cases and follow-up visits next to
the inquiries and orders; the order page lists the order's cases and its visits with their scores.
Only what the user may see (ORG-1), in a fixed number of queries whatever the number of rows."""
from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from aftersales.models import Case, Visit
from qsm import registry
from qsm.org.models import User
from tests.aftersales.test_inbox import NOW, make_case, make_order, make_visit

pytestmark = pytest.mark.django_db

CS, VS = Case.Status, Visit.Status


def _section(sections, title):
    found = [s for s in sections if s.title == title]
    assert len(found) == 1, [s.title for s in sections]
    return found[0]


@pytest.mark.spec("ORG-2", "AFS-1", "VIS-1")
def test_the_customer_page_shows_cases_and_visits_with_scores_within_the_users_scope(
        client, staff_user, other_department_staff, customer):
    # given a reopened case and a visit scored 2/5 of the customer in staff_user's department, and a
    # case of another department
    reopened = make_case(owner=staff_user, status=CS.IN_PROGRESS, customer=customer, reopen_count=1,
                         severity="urgent")
    visit = make_visit(owner=staff_user, customer=customer, status=VS.DONE, method=Visit.Method.LINK, satisfaction=2,
                       done_at=NOW)
    elsewhere = make_case(owner=other_department_staff, customer=customer)

    # when the customer page is asked for its sections
    sections = registry.customer_history(customer, User.objects.get(pk=staff_user.pk))
    cases = _section(sections, pgettext("customer page", "After-sales cases"))
    visits = _section(sections, pgettext("customer page", "Follow-up visits"))

    # then the case shows its number, type, severity, state and times reopened; the visit its date,
    # method and score; another department's case is not there
    [row] = cases.rows
    assert row["cells"] == [reopened.number, timezone.localtime(reopened.received_at).date().isoformat(),
                            gettext("Product quality"), gettext("Urgent"), gettext("In progress"), "1"]
    assert cases.columns[-1] == pgettext("customer page", "Times reopened")
    assert elsewhere.number not in [r["cells"][0] for r in cases.rows]
    [vrow] = visits.rows
    assert vrow["cells"][0] == visit.number and vrow["cells"][2] == gettext("Survey link") and vrow["cells"][3] == "2/5"
    # the page renders them after the inquiries and orders
    client.force_login(staff_user)
    html = client.get(reverse("org:customer-detail", args=[customer.pk])).content.decode()
    assert 'id="aftersales-cases"' in html and 'id="aftersales-visits"' in html
    assert html.index(gettext("Orders")) < html.index('id="aftersales-cases"') < html.index('id="aftersales-visits"')
    assert reopened.number in html and "2/5" in html and elsewhere.number not in html


@pytest.mark.spec("ORG-2", "ORG-1")
def test_another_department_sees_none_of_them_and_quality_sees_all(other_department_staff, staff_user,
                                                                  quality_officer, customer):
    make_case(owner=staff_user, customer=customer)
    make_visit(owner=staff_user, customer=customer)
    outsider = registry.customer_history(customer, User.objects.get(pk=other_department_staff.pk))
    assert _section(outsider, pgettext("customer page", "After-sales cases")).rows == []
    assert _section(outsider, pgettext("customer page", "Follow-up visits")).rows == []
    quality = registry.customer_history(customer, User.objects.get(pk=quality_officer.pk))
    assert len(_section(quality, pgettext("customer page", "After-sales cases")).rows) == 1
    assert len(_section(quality, pgettext("customer page", "Follow-up visits")).rows) == 1


def _customer_page_queries(client, customer) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("org:customer-detail", args=[customer.pk])).status_code == 200
    return len(queries)


@pytest.mark.spec("ORG-2", "PERF-1")
def test_the_customer_page_costs_the_same_queries_with_2_and_20_cases_and_visits(client, staff_user, customer):
    for _n in range(2):
        make_case(owner=staff_user, customer=customer)
        make_visit(owner=staff_user, customer=customer, status=VS.DONE, satisfaction=4, done_at=NOW, method="phone")
    client.force_login(staff_user)
    _customer_page_queries(client, customer)  # warm the caches
    few = _customer_page_queries(client, customer)
    for _n in range(18):
        make_case(owner=staff_user, customer=customer, reopen_count=1)
        make_visit(owner=staff_user, customer=customer, status=VS.DONE, satisfaction=3, done_at=NOW, method="link")
    many = _customer_page_queries(client, customer)
    assert many == few


@pytest.mark.spec("ORG-2", "VIS-1", "AFS-1")
def test_the_order_page_shows_its_visit_with_the_score_and_its_cases(client, staff_user, other_department_staff,
                                                                   customer):
    order = make_order(owner=staff_user, customer=customer)
    visit = make_visit(owner=staff_user, customer=customer, record=order, status=VS.DONE, method=Visit.Method.PHONE,
                       satisfaction=5, done_at=NOW)
    case = make_case(owner=staff_user, customer=customer, order=order)
    other_order_case = make_case(owner=staff_user, customer=customer, order=make_order(owner=staff_user,
                                                                                       customer=customer))
    hidden = make_case(owner=other_department_staff, customer=customer, order=order)  # routed elsewhere

    client.force_login(staff_user)
    html = client.get(order.get_absolute_url()).content.decode()

    assert 'id="order-visits"' in html and 'id="order-cases"' in html
    visits_part = html[html.index('id="order-visits"'):]
    assert visit.number in visits_part and "5/5" in visits_part and gettext("Phone") in visits_part
    cases_part = html[html.index('id="order-cases"'):]
    assert case.number in cases_part
    assert other_order_case.number not in html and hidden.number not in html
    # an order without cases or visits shows neither section
    bare = make_order(owner=staff_user, customer=customer)
    html = client.get(bare.get_absolute_url()).content.decode()
    assert 'id="order-visits"' not in html and 'id="order-cases"' not in html


@pytest.mark.spec("ORG-2", "PERF-1")
def test_the_order_page_costs_the_same_queries_with_1_and_10_cases_and_visits(client, staff_user, customer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    order = make_order(owner=staff_user, customer=customer)
    make_case(owner=staff_user, customer=customer, order=order)
    make_visit(owner=staff_user, customer=customer, record=order, status=VS.DONE, satisfaction=4, done_at=NOW,
               method="phone")
    client.force_login(staff_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(order.get_absolute_url()).status_code == 200
        return len(captured)

    queries()
    few = queries()
    for _n in range(9):
        make_case(owner=staff_user, customer=customer, order=order)
        make_visit(owner=staff_user, customer=customer, record=order, status=VS.PLANNED)
    assert queries() == few
