"""QC-5 pages: lists (SEARCH-1, PERF-1), plan and session pages, attendance, the sign-in sheet and
its import, a person's record, "my work", the standard page's related training; other departments'
records are 404."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessment.training.models import Attendance, TrainingPlan, TrainingSession
from assessment.training.sections import inbox, standard_trainings
from qsm.workflow.services import next_number
from tests.builders.assessment import a_session, a_standard, a_training_plan, fresh, today

pytestmark = [pytest.mark.django_db]


def _bulk_sessions(plan, n, *, title="沟通技巧培训", trainer=None):
    start = timezone.now() - dt.timedelta(days=30)
    rows = [TrainingSession(number=next_number("PX"), plan=plan, department_id=plan.department_id, title=f"{title} {i}",
                            topic="communication", trainer=trainer, trainer_name="" if trainer else "外聘讲师",
                            starts_at=start + dt.timedelta(hours=i), ends_at=start + dt.timedelta(hours=i + 1),
                            hours=Decimal("1"), place="会议室") for i in range(n)]
    return TrainingSession.objects.bulk_create(rows)


def _bulk_plans(department, owner, n):
    return TrainingPlan.objects.bulk_create([
        TrainingPlan(number=next_number("TP"), title=f"季度培训 {i}", department=department,
                     period_start=today() - dt.timedelta(days=i), period_end=today() + dt.timedelta(days=30),
                     target_hours=Decimal("8"), topics=["process"], owner=owner) for i in range(n)])


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.spec("PERF-1", "SEARCH-1")
def test_list_pages_query_count_same_at_10_and_100(client, people):
    client.force_login(people.quality)
    plan = a_training_plan(people=people)
    _bulk_sessions(plan, 9, trainer=people.quality)
    _bulk_plans(people.department, people.manager, 9)
    sessions_url, plans_url = reverse("assessment:training-session-list"), reverse("assessment:training-plan-list")
    small = (_queries(client, sessions_url + "?per_page=100"), _queries(client, plans_url + "?per_page=100"))
    _bulk_sessions(plan, 90, trainer=people.quality)
    _bulk_plans(people.department, people.manager, 90)
    big = (_queries(client, sessions_url + "?per_page=100"), _queries(client, plans_url + "?per_page=100"))
    assert small == big


@pytest.mark.spec("SEARCH-1", "QC-5")
def test_session_list_filters_search_and_scope(client, people):
    plan = a_training_plan(people=people)
    a_session(people=people, plan=plan, topic="standards")
    _bulk_sessions(plan, 2, title="投诉处理技巧")
    other_plan = a_training_plan(people=people, department=people.unrelated_department, owner=people.outside_manager)
    _bulk_sessions(other_plan, 1, title="工程部安全培训")
    url = reverse("assessment:training-session-list")
    client.force_login(people.member)
    body = client.get(url).content.decode()
    assert "投诉处理技巧 0" in body and "服务标准宣贯" in body and "工程部安全培训" not in body
    body = client.get(url, {"q": "处理技巧"}).content.decode()
    assert "投诉处理技巧 1" in body and "服务标准宣贯" not in body
    body = client.get(url, {"topic": "standards"}).content.decode()
    assert "服务标准宣贯" in body and "投诉处理技巧" not in body
    client.force_login(people.quality)
    body = client.get(url, {"department": people.unrelated_department.pk}).content.decode()
    assert "工程部安全培训" in body and "服务标准宣贯" not in body
    assert client.get(url, {"q": "\x00'; DROP TABLE x;--" + "培" * 10000}).status_code == 200


@pytest.mark.spec("SEARCH-1", "SEC-1")
def test_exports_scoped_and_formula_safe(client, people):
    plan = a_training_plan(people=people, title="=HYPERLINK(\"http://x\")")
    other = a_training_plan(people=people, department=people.unrelated_department, owner=people.outside_manager,
                            title="工程部计划")
    client.force_login(people.member)
    body = b"".join(client.get(reverse("assessment:training-plan-export")).streaming_content).decode("utf-8-sig")
    assert plan.number in body and other.number not in body and "'=HYPERLINK" in body
    a_session(people=people, plan=plan)
    body = b"".join(client.get(reverse("assessment:training-session-export"), {"topic": "standards"})
                    .streaming_content).decode("utf-8-sig")
    assert "服务标准宣贯" in body
    assert client.get(reverse("assessment:training-session-export"), {"starts_from": "not-a-date"}).status_code == 400


@pytest.mark.spec("QC-5", "SEC-1")
def test_other_departments_plan_and_session_are_404(client, people):
    session = a_session(people=people, attendees=[people.member])
    plan = session.plan
    client.force_login(people.outsider)
    for url in (plan.get_absolute_url(), session.get_absolute_url(),
                reverse("assessment:training-session-sign-in-sheet", args=[session.pk]),
                reverse("assessment:training-plan-edit", args=[plan.pk])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("assessment:training-session-fire", args=[session.pk]),
                       {"action": "cancel", "comment": "x"}).status_code == 404
    client.force_login(people.member)
    assert client.get(plan.get_absolute_url()).status_code == 200
    assert client.get(session.get_absolute_url()).status_code == 200
    # A member sees the session but may not run it.
    assert client.post(reverse("assessment:training-session-fire", args=[session.pk]),
                       {"action": "cancel", "comment": "x"}).status_code == 403


@pytest.mark.spec("QC-5")
def test_plan_page_shows_completion_per_member(client, people):
    plan = a_training_plan(people=people, target_hours="4")
    a_session(people=people, plan=plan, state="held", hours="3", attendees=[people.member])
    client.force_login(people.manager)
    body = client.get(plan.get_absolute_url()).content.decode()
    assert 'data-person="sales"' in body and "3.0 / 4.0" in body and "75%" in body
    assert 'data-person="sales_colleague"' in body


@pytest.mark.spec("QC-5")
def test_manager_creates_plan_and_schedules_session_through_pages(client, people):
    standard = a_standard(people=people)
    client.force_login(people.manager)
    r = client.post(reverse("assessment:training-plan-create"), {
        "title": "销售部年度培训", "department": people.department.pk, "period_start": "2026-01-01",
        "period_end": "2026-12-31", "target_hours": "16", "topics": ["standards", "problem_solving"], "notes": ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    plan = TrainingPlan.objects.get(title="销售部年度培训")
    assert plan.topics == ["standards", "problem_solving"] and plan.owner == people.manager
    r = client.post(reverse("assessment:training-session-create", args=[plan.pk]), {
        "title": "服务标准解读", "topic": "standards", "trainer": people.quality.pk, "trainer_name": "",
        "starts_at": "2026-12-20T09:00", "ends_at": "2026-12-20T11:30", "hours": "", "place": "一楼大厅",
        "standards": [standard.pk], "notes": ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    session = plan.sessions.get()
    assert session.hours == Decimal("2.5") and list(session.standards.all()) == [standard]
    assert session.attendances.count() == 3
    # Bad input: the form again in Chinese, 400, nothing saved.
    r = client.post(reverse("assessment:training-session-create", args=[plan.pk]), {
        "title": "", "topic": "standards", "starts_at": "2026-12-20T09:00", "ends_at": "2026-12-20T08:00"})
    assert r.status_code == 400 and "请" in r.content.decode() and plan.sessions.count() == 1
    # Someone outside the department may not plan for it.
    client.force_login(people.member)
    assert client.get(reverse("assessment:training-plan-create")).status_code == 403


@pytest.mark.spec("QC-5")
def test_attendance_form_and_409_before_held(client, people):
    session = a_session(people=people, state="held", attendees=[people.member, people.colleague])
    Attendance.objects.filter(session=session).update(attended=None, score=None)
    client.force_login(people.quality)
    url = reverse("assessment:training-session-attendance", args=[session.pk])
    r = client.post(url, {f"attended_{people.member.pk}": "yes", f"score_{people.member.pk}": "86",
                          f"attended_{people.colleague.pk}": "no"})
    assert r.status_code == 302
    rows = {a.person_id: a for a in session.attendances.all()}
    assert rows[people.member.pk].score == Decimal("86") and rows[people.colleague.pk].attended is False
    r = client.post(url, {f"attended_{people.colleague.pk}": "no", f"score_{people.colleague.pk}": "50"})
    assert r.status_code == 400
    assert fresh(session.attendances.get(person=people.colleague)).score is None
    scheduled = a_session(people=people, plan=session.plan, attendees=[people.member])
    r = client.post(reverse("assessment:training-session-attendance", args=[scheduled.pk]),
                    {f"attended_{people.member.pk}": "yes"})
    assert r.status_code == 409


@pytest.mark.spec("QC-5")
def test_sign_in_sheet_download_and_import_through_the_page(client, people):
    session = a_session(people=people, state="held", attendees=[people.member])
    Attendance.objects.filter(session=session).update(attended=None)
    client.force_login(people.quality)
    r = client.get(reverse("assessment:training-session-sign-in-sheet", args=[session.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    row = next(c.row for c in ws["A"] if c.value == f"{session.pk}:{people.member.pk}")
    ws.cell(row, 7).value, ws.cell(row, 8).value = "出席", 77
    out = io.BytesIO()
    wb.save(out)
    url = reverse("assessment:training-session-import", args=[session.pk])
    r = client.post(url, {"file": SimpleUploadedFile("签到表.xlsx", out.getvalue())})
    assert r.status_code == 302
    assert session.attendances.get().score == Decimal("77")
    r = client.post(url, {"file": SimpleUploadedFile("签到表.pdf", b"%PDF-1.4")})
    assert r.status_code == 400 and "xlsx" in r.content.decode()


@pytest.mark.spec("QC-5", "SEC-1")
def test_person_record_visible_to_self_manager_and_quality_only(client, people):
    plan = a_training_plan(people=people, target_hours="4")
    session = a_session(people=people, plan=plan, state="held", hours="2", attendees=[people.member], scores=[91])
    url = reverse("assessment:training-person", args=[people.member.pk])
    for user in (people.member, people.manager, people.quality):
        client.force_login(user)
        body = client.get(url).content.decode()
        assert session.number in body and "91.0" in body and "2.0 / 4.0" in body, user
    for user in (people.colleague, people.outsider, people.outside_manager):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.force_login(people.member)
    assert client.get(reverse("assessment:training-me")).url == url


@pytest.mark.spec("QC-5")
def test_my_work_lists_sessions_to_give_attend_and_score(people):
    soon = a_session(people=people, attendees=[people.member], trainer=people.quality)
    later = a_session(people=people, plan=soon.plan, attendees=[people.member],
                      starts_at=timezone.now() + dt.timedelta(days=20))
    held = a_session(people=people, plan=soon.plan, state="held", attendees=[people.member], trainer=people.quality)
    Attendance.objects.filter(session=held).update(attended=None)
    member_items = {i.number for i in inbox(people.member)}
    assert soon.number in member_items and later.number not in member_items and held.number not in member_items
    quality_items = {i.number: i for i in inbox(people.quality)}
    assert soon.number in quality_items and held.number in quality_items
    assert inbox(people.outsider) == []


@pytest.mark.spec("QC-5", "QC-1")
def test_standard_page_section_lists_related_training_scoped(people):
    standard = a_standard(people=people)
    session = a_session(people=people, standards=[standard], attendees=[people.member])
    section = standard_trainings(standard, people.member)
    assert section is not None and section.rows[0]["cells"][0] == session.number
    assert standard_trainings(standard, people.outsider) is None


@pytest.mark.spec("SEARCH-1")
def test_session_list_trainer_filter_names_the_trainer_and_lookup_accepts_it(client, people):
    plan = a_training_plan(people=people)
    _bulk_sessions(plan, 1, title="讲师甲的课", trainer=people.quality)
    _bulk_sessions(plan, 1, title="外聘讲师的课")
    client.force_login(people.quality)
    body = client.get(reverse("assessment:training-session-list"), {"trainer": people.quality.pk}).content.decode()
    assert "讲师甲的课" in body and "外聘讲师的课" not in body
    assert f'name="trainer" value="{people.quality.pk}"' in body
    r = client.get(reverse("org:user-lookup"), {"field": "trainer", "trainer_q": "quality"})
    assert r.status_code == 200 and 'name="trainer"' in r.content.decode()


@pytest.mark.spec("QC-5", "SEC-1")
def test_edit_pages_and_hostile_text(client, people):
    session = a_session(people=people, attendees=[people.member])
    plan = session.plan
    client.force_login(people.manager)
    assert client.get(reverse("assessment:training-plan-edit", args=[plan.pk])).status_code == 200
    assert client.get(reverse("assessment:training-session-edit", args=[session.pk])).status_code == 200
    r = client.post(reverse("assessment:training-plan-edit", args=[plan.pk]), {
        "title": "计划\x00" + "长" * 10_000, "period_start": "2026-01-01", "period_end": "2026-12-31",
        "target_hours": "8"})
    assert r.status_code == 400 and fresh(plan).title == plan.title
    r = client.post(reverse("assessment:training-session-edit", args=[session.pk]), {
        "title": "🎓 服务标准宣贯 '; DROP TABLE x;--", "topic": "standards", "trainer": people.quality.pk,
        "starts_at": "2026-12-01T09:00", "ends_at": "2026-12-01T10:30", "place": "三楼", "notes": ""})
    assert r.status_code == 302, r.content.decode()[:1500]
    assert fresh(session).title.startswith("🎓") and fresh(session).hours == Decimal("1.5")
    client.force_login(people.member)
    assert client.get(reverse("assessment:training-session-edit", args=[session.pk])).status_code == 403


@pytest.mark.spec("QC-5", "SEC-1")
def test_attendee_from_another_department_sees_only_their_own_score(client, people):
    session = a_session(people=people, state="held", attendees=[people.member, people.service_staff],
                        scores=[55, 99])
    client.force_login(people.service_staff)
    body = client.get(session.get_absolute_url()).content.decode()
    assert 'data-person="staff"' in body and 'data-person="sales"' not in body
    client.force_login(people.manager)
    body = client.get(session.get_absolute_url()).content.decode()
    assert 'data-person="staff"' in body and 'data-person="sales"' in body


@pytest.mark.spec("QC-5", "SEC-2")
def test_training_pages_render_without_inline_style_or_code(client, people):
    """Strict CSP (no style-src 'unsafe-inline'): the plan page's completion bars, the session page and
    the training forms carry no style= attribute (nor any other inline code) once rendered."""
    from assessment.training.models import TrainingSession
    from tests.security.test_csp import inline_code

    plan = a_training_plan(people=people)
    held = a_session(people=people, plan=plan, trainer=people.quality, state=TrainingSession.Status.HELD,
                     attendees=[people.member])
    scheduled = a_session(people=people, plan=plan, trainer=people.quality, attendees=[people.member])
    client.force_login(people.manager)
    urls = [reverse("assessment:training-plan-detail", args=[plan.pk]),
            reverse("assessment:training-plan-create"), reverse("assessment:training-plan-edit", args=[plan.pk]),
            reverse("assessment:training-session-create", args=[plan.pk]),
            reverse("assessment:training-session-detail", args=[held.pk]),
            reverse("assessment:training-session-detail", args=[scheduled.pk]),
            reverse("assessment:training-session-edit", args=[scheduled.pk]),
            reverse("assessment:training-plan-list"), reverse("assessment:training-session-list")]
    problems = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        problems += [f"{url}: {p}" for p in inline_code(response.content.decode())]
    assert problems == []
    # the completion is still shown, as a <progress> bar
    assert "<progress" in client.get(urls[0]).content.decode()
