"""The sampling registry (qsm/sampling.py, QC-2 / VIS-2): every module's population reads only its
department and period (edges inclusive, Asia/Shanghai), the draw is reproducible and uniform."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q

from aftersales.models import Visit
from complaints.models import Complaint
from orders.models import Order
from presales.models import Inquiry
from qsm import sampling
from qsm.org.models import Role
from tests.builders.aftersales import new_case, visit_build
from tests.builders.inquiries import new_inquiry
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
START, END = dt.date(2026, 4, 1), dt.date(2026, 4, 30)


def at(day: dt.date, hour: int = 10, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.fixture
def sales():
    department = DepartmentFactory(code="sales", name="销售部")
    return department, UserFactory(username="sales", department=department, roles=[Role.STAFF])


@pytest.fixture
def other():
    department = DepartmentFactory(code="engineering", name="工程部")
    return department, UserFactory(username="outsider", department=department, roles=[Role.STAFF])


def inquiries_at(actor, moments) -> list[Inquiry]:
    return [new_inquiry(actor=actor, subject=f"样本{i}", received_at=moment) for i, moment in enumerate(moments)]


def test_every_module_declares_its_population():
    codes = [p.code for p in sampling.populations()]
    assert codes == ["inquiries", "orders", "cases", "visits", "complaints"]
    assert sampling.population("visits").supports_recheck
    assert not sampling.population("cases").supports_recheck
    with pytest.raises(sampling.UnknownPopulation):
        sampling.population("payroll")


@pytest.mark.spec("QC-2")
def test_period_edges_are_inclusive_in_shanghai_time(sales, other):
    department, actor = sales
    inside = inquiries_at(actor, [
        at(START, 0, 0, 0),  # the first instant of the period (2026-03-31 16:00 UTC)
        at(END, 23, 59, 59),  # its last second
        dt.datetime(2026, 3, 31, 16, 30, tzinfo=dt.UTC),  # 00:30 on 1 April in Shanghai, still 31 March in UTC
    ])
    outside = inquiries_at(actor, [
        at(START - dt.timedelta(days=1), 23, 59, 59),
        at(END + dt.timedelta(days=1), 0, 0, 0),
        dt.datetime(2026, 4, 30, 16, 0, tzinfo=dt.UTC),  # 00:00 on 1 May in Shanghai
    ])
    inquiries_at(other[1], [at(START, 12)])  # another department, in the period
    found = set(sampling.population("inquiries").records(department, START, END).values_list("pk", flat=True))
    assert found == {i.pk for i in inside}
    assert not found & {i.pk for i in outside}


@pytest.mark.spec("QC-2")
def test_the_draw_never_leaves_the_department_and_period(sales, other):
    department, actor = sales
    mine = inquiries_at(actor, [at(START + dt.timedelta(days=i)) for i in range(6)])
    inquiries_at(actor, [at(END + dt.timedelta(days=1 + i)) for i in range(6)])  # after the period
    inquiries_at(other[1], [at(START + dt.timedelta(days=i)) for i in range(6)])  # other department
    allowed = {i.pk for i in mine}
    for seed in range(200):
        drawn = sampling.draw("inquiries", department, START, END, 4, seed)
        assert len(drawn) == 4 and len(set(drawn)) == 4
        assert set(drawn) <= allowed
    # Asking for more than there are takes every candidate, once.
    assert sorted(sampling.draw("inquiries", department, START, END, 50, 7)) == sorted(allowed)
    assert sampling.draw_counted("inquiries", department, START, END, 3, 7)[1] == 6


@pytest.mark.spec("QC-2")
def test_same_seed_same_sample_other_seed_other_sample(sales):
    department, actor = sales
    inquiries_at(actor, [at(START + dt.timedelta(days=i % 28), 9 + i % 8) for i in range(30)])
    first = sampling.draw("inquiries", department, START, END, 8, 20261130)
    assert sampling.draw("inquiries", department, START, END, 8, 20261130) == first
    others = {tuple(sampling.draw("inquiries", department, START, END, 8, seed)) for seed in range(1, 21)}
    assert len(others) > 15  # different seeds give different samples (C(30, 8) ≈ 5.9 million of them)


@pytest.mark.spec("QC-2")
def test_the_draw_is_fair_over_many_seeds(sales, django_assert_max_num_queries):
    """Each of 20 records is drawn about equally often over seeds 0..1999 (5 of 20 each time: 500
    expected). Pearson's chi-square over the 20 counts stays below 43.82, the 0.1 % critical value
    for 19 degrees of freedom; seeds are fixed, so the test is deterministic."""
    department, actor = sales
    records = inquiries_at(actor, [at(START + dt.timedelta(days=i)) for i in range(20)])
    counts: Counter = Counter()
    for seed in range(2000):
        counts.update(sampling.draw("inquiries", department, START, END, 5, seed))
    assert set(counts) == {r.pk for r in records}
    expected = 2000 * 5 / 20
    chi_square = sum((counts[r.pk] - expected) ** 2 / expected for r in records)
    assert chi_square < 43.82, (chi_square, counts)
    assert max(abs(c - expected) for c in counts.values()) < 0.2 * expected
    # Draw order is fair too: each record is first in the draw about 1/20 of the time.
    firsts = Counter(sampling.draw("inquiries", department, START, END, 5, seed)[0] for seed in range(2000))
    assert max(firsts.values()) < 2 * 2000 / 20
    with django_assert_max_num_queries(1):
        sampling.draw("inquiries", department, START, END, 20, 1)


@pytest.mark.spec("QC-2")
def test_cases_orders_and_complaints_belong_to_their_department_and_period(sales, other):
    department, actor = sales
    case_in, case_late = new_case(actor=actor, subject="样本工单"), new_case(actor=actor, subject="期外工单")
    type(case_in).objects.filter(pk=case_in.pk).update(received_at=at(END, 23, 59), department=department)
    type(case_in).objects.filter(pk=case_late.pk).update(received_at=at(END + dt.timedelta(days=1), 0, 0),
                                                         department=department)
    assert list(sampling.population("cases").records(department, START, END).values_list("pk", flat=True)) == [case_in.pk]

    orders = [Order.objects.create(number=f"DD-T-{i}", customer=CustomerFactory(), department=dep, owner=actor)
              for i, dep in enumerate([department, department, other[0]])]
    Order.objects.filter(pk=orders[0].pk).update(created_at=at(START, 0, 0))
    Order.objects.filter(pk=orders[1].pk).update(created_at=at(START - dt.timedelta(days=1), 23, 59))
    Order.objects.filter(pk=orders[2].pk).update(created_at=at(START, 12))
    assert list(sampling.population("orders").records(department, START, END).values_list("pk", flat=True)) == [orders[0].pk]
    snapshot = sampling.describe("orders", [orders[0].pk])[orders[0].pk][1]
    assert snapshot.number == "DD-T-0" and orders[0].customer.name in snapshot.title and snapshot.url


@pytest.mark.spec("QC-2")
def test_a_complaint_belongs_to_its_responsible_department_else_the_receiving_one(sales, other):
    department, actor = sales
    elsewhere = other[0]
    customer = CustomerFactory()

    def complaint(n, receiving, responsible):
        return Complaint.objects.create(number=f"TS-T-{n}", customer=customer, channel="phone", subject=f"投诉{n}",
                                        description="主轴异响", received_at=at(START, 10), receiving_department=receiving,
                                        responsible_department=responsible, received_by=actor)

    received_here = complaint(1, department, None)
    made_responsible_here = complaint(2, elsewhere, department)
    received_here_handed_on = complaint(3, department, elsewhere)
    found = set(sampling.population("complaints").records(department, START, END).values_list("pk", flat=True))
    assert found == {received_here.pk, made_responsible_here.pk}
    assert received_here_handed_on.pk not in found


@pytest.mark.spec("QC-2", "VIS-2")
def test_visits_are_sampled_when_done_and_recheck_only_takes_marked_phone_visits(sales):
    department, actor = sales
    done = [visit_build(actor=actor, state="done", department=department, method=m) for m in ("phone", "phone", "link")]
    planned = visit_build(actor=actor, state="planned", department=department)
    Visit.objects.filter(pk__in=[v.pk for v in done]).update(done_at=at(START, 15))
    Visit.objects.filter(pk=done[0].pk).update(recheck_status=Visit.Recheck.REQUESTED)
    Visit.objects.filter(pk=done[1].pk).update(recheck_status=Visit.Recheck.CONFIRMED)  # already re-checked
    Visit.objects.filter(pk=done[2].pk).update(recheck_status=Visit.Recheck.REQUESTED)  # a survey link, not a call
    visits = sampling.population("visits")
    everything = set(visits.records(department, START, END).values_list("pk", flat=True))
    assert everything == {v.pk for v in done} and planned.pk not in everything
    assert sampling.draw("visits", department, START, END, 10, 3, recheck_only=True) == [done[0].pk]
    # A module without a re-check mark has nothing to re-check.
    assert not sampling.population("cases").records(department, START, END, recheck_only=True).exists()
    assert visits.recheck == Q(method="phone", recheck_status="requested")


def _department_fields(pop: sampling.Population) -> list[str]:
    """The department columns a population's department filter reads (a complaint: two)."""
    names: list[str] = []

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, Q):
                walk(child)
            else:
                name = child[0].split("__")[0]
                if pop.model._meta.get_field(name).related_model._meta.model_name == "department" \
                        and name not in names:
                    names.append(name)

    walk(pop.department_q(DepartmentFactory.build(pk=1)))
    return names


@pytest.mark.spec("QC-2", "PERF-1")
def test_each_population_is_read_through_an_index_on_department_and_date():
    """A spot check reads a module's records by (department, period): an index of the module's table
    starts with the department column then the date column (visits: department, done_at)."""
    from django.db import connection

    missing = []
    for pop in sampling.populations():
        table = pop.model._meta.db_table
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        leading = {tuple(c["columns"][:2]) for c in constraints.values() if c["index"] and c["columns"]}
        date_column = pop.model._meta.get_field(pop.date_field).column
        for name in _department_fields(pop):
            wanted = (pop.model._meta.get_field(name).column, date_column)
            if wanted not in leading:
                missing.append(f"{pop.code}: {table}{wanted}")
    assert not missing, missing
    assert "visit_dept_done_idx" in constraints_of(Visit)


def constraints_of(model) -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, model._meta.db_table))
