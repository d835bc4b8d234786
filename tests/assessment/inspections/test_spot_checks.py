"""QC-2 random spot checks (不定期抽查): the draw service, its page and its API.

The quality officer picks a module, a department, a period and a sample size; the system draws a
reproducible sample (the seed is stored) through the sampling registry, and every item of the
checklist waits to be judged on every sampled record. VIS-2: the re-check sample of phone visits.
"""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from aftersales.models import Visit
from assessment.inspections import spot_checks
from assessment.inspections.models import ChecklistItem, Finding, InspectedRecord, Inspection
from qsm import sampling
from qsm.errors import PermissionDenied, ValidationError
from qsm.org.models import Role
from qsm.workflow.models import Event
from tests.builders.aftersales import new_case, visit_build
from tests.builders.assessment import a_checklist, in_days, today
from tests.builders.inquiries import new_inquiry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PAGE = "/quality/spot-checks/new/"
API = "/api/quality/spot-checks/"


def inquiries(department, n: int, *, username: str | None = None, received_at=None) -> list:
    author = UserFactory(username=username or f"inq_{department.code}_{n}", department=department, roles=[Role.STAFF])
    return [new_inquiry(actor=author, subject=f"抽样咨询{i + 1}", received_at=received_at) for i in range(n)]


def spot(people, checklist, *, size: int = 5, module: str = "inquiries", department=None, **extra) -> Inspection:
    return spot_checks.create_spot_check(
        people.quality, module=module, department=department or people.department, period_start=in_days(-30),
        period_end=today(), sample_size=size, checklist=checklist, **extra)


def sampled(inspection: Inspection) -> list[int]:
    return list(InspectedRecord.objects.filter(inspection=inspection).order_by("position")
                .values_list("object_id", flat=True))


def form_data(people, default_checklist, **overrides) -> dict:
    data = {"module": "inquiries", "department": people.department.pk, "period_start": in_days(-30).isoformat(),
            "period_end": today().isoformat(), "sample_size": 5, "checklist": default_checklist.pk}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def inspection_page(inspection: Inspection) -> str:
    return f"/quality/inspections/{inspection.pk}/"  # where it is carried out (assessment:inspection-detail)


@pytest.fixture
def checklist(people):
    return a_checklist(module="inquiries", people=people)


@pytest.mark.spec("QC-2")
def test_a_spot_check_samples_only_the_department_and_waits_for_every_item(people, checklist):
    mine = inquiries(people.department, 8)
    theirs = inquiries(people.unrelated_department, 4)
    inspection = spot(people, checklist, size=5)
    assert inspection.kind == Inspection.Kind.SPOT and inspection.status == Inspection.Status.PLANNED
    assert inspection.number.startswith("INS") and inspection.inspector == people.quality
    assert inspection.seed is not None and inspection.draw.drawn == 5 and inspection.draw.available == 8
    picked = sampled(inspection)
    assert len(picked) == 5 and set(picked) <= {i.pk for i in mine}
    assert not set(picked) & {i.pk for i in theirs}
    samples = list(InspectedRecord.objects.filter(inspection=inspection).order_by("position"))
    by_pk = {i.pk: i for i in mine}
    for position, sample in enumerate(samples, start=1):
        record = by_pk[sample.object_id]
        assert (sample.position, sample.number, sample.title) == (position, record.number, record.subject)
        assert sample.url == record.get_absolute_url() and sample.department == people.department
    items = list(checklist.items.order_by("position"))
    findings = Finding.objects.filter(inspection=inspection)
    assert findings.count() == 5 * len(items)
    assert set(findings.values_list("result", flat=True)) == {Finding.Result.PENDING}
    assert sorted(findings.values_list("kind", flat=True)) == sorted([i.kind for i in items] * 5)
    # Created through the engine: the timeline's first line, and the inspection clock runs.
    assert Event.objects.filter(object_id=inspection.pk, kind=Event.Kind.CREATED).exists()
    assert Inspection.objects.get(pk=inspection.pk).due_at is not None


@pytest.mark.spec("QC-2")
def test_the_same_seed_draws_the_same_records(people, checklist):
    inquiries(people.department, 25)
    first = spot(people, checklist, size=6, seed=424242)
    second = spot(people, checklist, size=6, seed=424242)
    other = spot(people, checklist, size=6, seed=424243)
    assert first.seed == second.seed == 424242
    assert sampled(first) == sampled(second)
    assert sampled(other) != sampled(first)
    assert spot_checks.redraw(Inspection.objects.get(pk=first.pk)) == sampled(first)


@pytest.mark.spec("QC-2")
@pytest.mark.django_db(transaction=True)
def test_the_stored_seed_redraws_the_sample_on_a_new_connection(people, checklist):
    inquiries(people.department, 20)
    inspection = spot(people, checklist, size=7)  # a seed from secrets, stored
    expected = sampled(inspection)
    answer: dict = {}

    def audit():
        try:
            stored = Inspection.objects.get(pk=inspection.pk)  # this thread's own database connection
            answer["pid"] = connection.cursor().connection.info.backend_pid
            answer["keys"] = spot_checks.redraw(stored)
        finally:
            connection.close()

    worker = threading.Thread(target=audit)
    worker.start()
    worker.join()
    assert answer["pid"] != connection.cursor().connection.info.backend_pid
    assert answer["keys"] == expected


@pytest.mark.spec("QC-2")
def test_fewer_records_than_asked_takes_them_all_and_none_creates_nothing(people, checklist):
    mine = inquiries(people.department, 3)
    inspection = spot(people, checklist, size=10)
    assert inspection.draw.short and inspection.draw.drawn == 3
    assert sorted(sampled(inspection)) == sorted(i.pk for i in mine)
    with pytest.raises(ValidationError) as refused:
        spot(people, checklist, department=people.service_department)
    assert "period_start" in refused.value.message_dict
    assert Inspection.objects.count() == 1


@pytest.mark.spec("QC-2")
def test_records_outside_the_period_are_never_drawn(people, checklist):
    start = today() - dt.timedelta(days=40)
    end = today() - dt.timedelta(days=10)
    zone = timezone.get_current_timezone()
    edge = [dt.datetime.combine(start, dt.time.min, zone), dt.datetime.combine(end, dt.time(23, 59, 59), zone)]
    beyond = [dt.datetime.combine(start - dt.timedelta(days=1), dt.time(23, 59, 59), zone),
              dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, zone)]
    inside = [inquiries(people.department, 1, username=f"in{i}", received_at=m)[0] for i, m in enumerate(edge)]
    for i, moment in enumerate(beyond):
        inquiries(people.department, 1, username=f"out{i}", received_at=moment)
    inspection = spot_checks.create_spot_check(people.quality, module="inquiries", department=people.department,
                                               period_start=start, period_end=end, sample_size=10, checklist=checklist)
    assert sorted(sampled(inspection)) == sorted(i.pk for i in inside)


@pytest.mark.spec("QC-2", "VIS-2")
def test_recheck_only_draws_the_phone_visits_marked_for_re_check(people):
    checklist = a_checklist(module="visits", name="回访复核检查表", people=people)
    visits = [visit_build(actor=people.member, state="done", department=people.department, method=m)
              for m in ("phone", "phone", "phone", "link")]
    Visit.objects.filter(pk__in=[visits[0].pk, visits[1].pk, visits[3].pk]).update(
        recheck_status=Visit.Recheck.REQUESTED)
    inspection = spot(people, checklist, module="visits", size=5, recheck_only=True)
    assert inspection.recheck_only
    assert sorted(sampled(inspection)) == sorted([visits[0].pk, visits[1].pk])
    everything = spot(people, checklist, module="visits", size=5)
    assert sorted(sampled(everything)) == sorted(v.pk for v in visits)
    with pytest.raises(ValidationError) as refused:
        spot(people, a_checklist(module="inquiries", people=people), recheck_only=True)
    assert set(refused.value.message_dict) == {"recheck_only"}


@pytest.mark.spec("QC-2")
def test_after_sales_cases_of_one_department(people):
    checklist = a_checklist(module="cases", name="售后服务检查表", people=people)
    cases = [new_case(actor=people.member, subject=f"售后{i}") for i in range(6)]
    type(cases[0]).objects.filter(pk__in=[c.pk for c in cases]).update(department=people.department)
    inspection = spot(people, checklist, module="cases", size=5)
    assert len(sampled(inspection)) == 5 and set(sampled(inspection)) <= {c.pk for c in cases}


@pytest.mark.spec("QC-2")
def test_only_active_items_wait_and_draw_into_is_idempotent(people, checklist):
    inquiries(people.department, 3)
    ChecklistItem.objects.create(checklist=checklist, position=9, text="已停用的项", kind="process", active=False)
    inspection = spot(people, checklist, size=3)
    assert Finding.objects.filter(inspection=inspection).count() == 3 * 2
    again = spot_checks.draw_into(inspection)
    assert again.drawn == 3
    assert InspectedRecord.objects.filter(inspection=inspection).count() == 3
    assert Finding.objects.filter(inspection=inspection).count() == 6


@pytest.mark.spec("QC-2")
def test_the_draw_costs_the_same_queries_for_any_sample_size(people, checklist):
    inquiries(people.department, 40)
    spot(people, checklist, size=1)  # warm the caches (content types, numbering) like a running server

    def cost(size: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            spot(people, checklist, size=size)
        return len(queries)

    small, large = cost(2), cost(30)
    assert small == large, (small, large)


# --- who may ------------------------------------------------------------------------------------------

@pytest.mark.spec("QC-2")
@pytest.mark.parametrize("who", ["member", "manager", "outsider", "service_manager"])
def test_only_the_quality_department_draws(people, checklist, client, who):
    inquiries(people.department, 3)
    user = getattr(people, who)
    with pytest.raises(PermissionDenied):
        spot_checks.create_spot_check(user, module="inquiries", department=people.department,
                                      period_start=in_days(-30), period_end=today(), sample_size=2,
                                      checklist=checklist)
    client.force_login(user)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, form_data(people, checklist)).status_code == 403
    api = APIClient()
    api.force_authenticate(user)
    assert api.post(API, form_data(people, checklist), format="json").status_code == 403
    assert not Inspection.objects.exists()


@pytest.mark.spec("QC-2")
@pytest.mark.parametrize("who", ["quality", "quality_manager", "administrator"])
def test_the_quality_department_and_administrators_draw(people, checklist, who):
    inquiries(people.department, 3)
    api = APIClient()
    api.force_authenticate(getattr(people, who))
    response = api.post(API, form_data(people, checklist, sample_size=2), format="json")
    assert response.status_code == 201, response.content
    assert Inspection.objects.get().created_by == getattr(people, who)


# --- the page -----------------------------------------------------------------------------------------

@pytest.mark.spec("QC-2")
def test_the_page_draws_and_goes_to_the_inspection(people, checklist, client):
    a_checklist(module="cases", name="售后服务检查表", people=people)
    inquiries(people.department, 7)
    client.force_login(people.quality)
    page = client.get(PAGE)
    html = page.content.decode()
    assert page.status_code == 200
    assert "售前咨询检查表" in html and "售后服务检查表" in html and "<optgroup" in html
    response = client.post(PAGE, form_data(people, checklist, sample_size=4, inspector=people.quality_manager.pk))
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response.url == inspection_page(inspection)
    assert inspection.inspector == people.quality_manager and len(sampled(inspection)) == 4


@pytest.mark.spec("QC-2")
def test_a_short_sample_says_so(people, checklist, client):
    inquiries(people.department, 2)
    client.force_login(people.quality)
    response = client.post(PAGE, form_data(people, checklist, sample_size=5), follow=True)
    text = response.content.decode()
    assert InspectedRecord.objects.count() == 2
    assert f"不定期抽查 {Inspection.objects.get().number}：仅有 2 条记录可抽取（要求 5 条），已全部抽取。" in text


BAD_FORMS = {
    "period reversed": ({"period_start": "2026-05-02", "period_end": "2026-05-01"}, "period_end"),
    "period in the future": ({"period_start": (dt.date.today() + dt.timedelta(days=40)).isoformat(),
                              "period_end": (dt.date.today() + dt.timedelta(days=50)).isoformat()}, "period_start"),
    "size zero": ({"sample_size": 0}, "sample_size"),
    "size too big": ({"sample_size": 201}, "sample_size"),
    "size text": ({"sample_size": "五"}, "sample_size"),
    "no module": ({"module": ""}, "module"),
    "unknown module": ({"module": "payroll"}, "module"),
    "no department": ({"department": None}, "department"),
    "missing department": ({"department": 999999}, "department"),
    "re-check of inquiries": ({"recheck_only": "on"}, "recheck_only"),
    "hostile title": ({"title": "抽查\x00\x1b[31m"}, "title"),
    "long title": ({"title": "长" * 10000}, "title"),
    "negative seed": ({"seed": -1}, "seed"),
    "bad date": ({"period_start": "2026-13-45"}, "period_start"),
}


@pytest.mark.spec("QC-2")
@pytest.mark.parametrize("case", BAD_FORMS, ids=list(BAD_FORMS))
def test_bad_input_is_a_form_error_and_creates_nothing(people, checklist, client, case):
    changes, field = BAD_FORMS[case]
    inquiries(people.department, 3)
    client.force_login(people.quality)
    response = client.post(PAGE, form_data(people, checklist, **changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not Inspection.objects.exists() and not InspectedRecord.objects.exists()


@pytest.mark.spec("QC-2")
def test_hostile_but_valid_text_is_kept_as_typed(people, checklist, client):
    inquiries(people.department, 3)
    client.force_login(people.quality)
    title = "抽查😀' OR 1=1; -- <script>alert(1)</script>"
    response = client.post(PAGE, form_data(people, checklist, title=title, sample_size=2), follow=True)
    assert response.status_code == 200
    assert Inspection.objects.get().title == title
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.spec("QC-2")
def test_a_checklist_of_another_module_is_refused(people, checklist, client):
    inquiries(people.department, 3)
    other = a_checklist(module="cases", name="售后服务检查表", people=people)
    client.force_login(people.quality)
    response = client.post(PAGE, form_data(people, checklist, checklist=other.pk))
    assert response.status_code == 400 and "checklist" in response.context["form"].errors
    assert not Inspection.objects.exists()


@pytest.mark.spec("QC-2")
def test_form_errors_read_in_chinese(people, checklist, client):
    inquiries(people.department, 3)
    client.force_login(people.quality)
    response = client.post(PAGE, form_data(people, checklist, period_start="2026-05-02", period_end="2026-05-01"))
    html = response.content.decode()
    assert "期间的结束日期不能早于开始日期" in html
    assert "不定期抽查" in client.get(PAGE).content.decode()


# --- the API ------------------------------------------------------------------------------------------

@pytest.mark.spec("QC-2")
def test_the_api_answers_with_the_sample_and_the_seed(people, checklist):
    mine = inquiries(people.department, 9)
    api = APIClient()
    api.force_authenticate(people.quality)
    response = api.post(API, form_data(people, checklist, sample_size=4, seed=77), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    inspection = Inspection.objects.get()
    assert body["number"] == inspection.number and body["seed"] == 77 and body["kind"] == "spot"
    assert body["drawn"] == 4 and body["candidates"] == 9
    assert [s["object_id"] for s in body["samples"]] == sampled(inspection)
    assert {s["record_type"] for s in body["samples"]} == {"inquiry"}
    assert set(s["object_id"] for s in body["samples"]) <= {i.pk for i in mine}
    assert [s["object_id"] for s in body["samples"]] == sampling.draw(
        "inquiries", people.department, in_days(-30), today(), 4, 77)


API_BAD = {
    "period reversed": ({"period_start": "2026-05-02", "period_end": "2026-05-01"}, "period_end"),
    "size too big": ({"sample_size": 500}, "sample_size"),
    "unknown module": ({"module": "payroll"}, "module"),
    "missing department": ({"department": 999999}, "department"),
    "checklist of another module": (None, "checklist"),
    "re-check of inquiries": ({"recheck_only": True}, "recheck_only"),
    "hostile title": ({"title": "抽查\x00"}, "title"),
    "emoji title and SQL": ({"title": "😀' OR 1=1; --" * 20}, "title"),
    "huge seed": ({"seed": 2 ** 64}, "seed"),
    "inspector outside quality": ("member", "inspector"),
}


@pytest.mark.spec("QC-2")
@pytest.mark.parametrize("case", API_BAD, ids=list(API_BAD))
def test_api_bad_input_is_400_with_field_errors(people, checklist, case):
    changes, field = API_BAD[case]
    inquiries(people.department, 3)
    if changes is None:
        changes = {"checklist": a_checklist(module="cases", name="售后服务检查表", people=people).pk}
    elif changes == "member":
        changes = {"inspector": people.member.pk}
    api = APIClient()
    api.force_authenticate(people.quality)
    response = api.post(API, form_data(people, checklist, **changes), format="json")
    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    assert not Inspection.objects.exists()
