"""SLA-1: the working calendar does not decay silently.

Each day says where it comes from (official notice / estimate / entered by hand); the quality
department and the administrators see on their start page when this year or (from November)
next year is still estimated or missing; one click reloads a year when the `holidays` package
brings the official notice; a day entered by hand is never overwritten; a deadline computed over
a year without any data says so in the log.
"""
from __future__ import annotations

import datetime as dt
import importlib
import json
import logging

import pytest
from django.apps import apps as django_apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from qsm.sla import cn_calendar
from qsm.sla import services as sla
from qsm.sla.calendar import WorkingTime, add_working_minutes, default_calendar
from qsm.sla.models import CalendarDay, WorkCalendar
from qsm.workflow.models import Event
from tests.builders.inquiries import new_inquiry

from .conftest import sh

S = CalendarDay.Source
K = CalendarDay.Kind
PACKAGE_IS_OFFICIAL = cn_calendar.package_is_official


@pytest.fixture(autouse=True)
def notice_published_up_to_2026(monkeypatch):
    """The package as pinned (holidays 0.109): the notice up to 2026, estimates after. A later
    package that brings 2027 must not change what these tests mean."""
    monkeypatch.setattr(cn_calendar, "package_is_official", lambda year: year <= 2026 and PACKAGE_IS_OFFICIAL(year))


def _days(calendar, year) -> dict[dt.date, tuple[str, str]]:
    return {d.date: (d.kind, d.source) for d in CalendarDay.objects.filter(calendar=calendar, date__year=year)}


def _estimated_2026(calendar) -> None:
    """2026 as an installation made before the State Council's notice had it: the package's
    rule-based days off and no make-up workday at all (what 2027 looks like today)."""
    CalendarDay.objects.filter(calendar=calendar, date__year=2026).delete()
    guessed = [(2, 17), (2, 18), (2, 19), (2, 20), (5, 1), (5, 4), (9, 25), (9, 28), (10, 1), (10, 2), (10, 5)]
    CalendarDay.objects.bulk_create(CalendarDay(calendar=calendar, date=dt.date(2026, m, d), kind=K.HOLIDAY,
                                                name="推定", source=S.ESTIMATE) for m, d in guessed)


def _confirmed(calendar, year) -> None:
    """``year`` as the official notice: whatever the installed package says, marked official."""
    CalendarDay.objects.filter(calendar=calendar, date__year=year).delete()
    CalendarDay.objects.create(calendar=calendar, date=dt.date(year, 10, 1), kind=K.HOLIDAY, name="国庆节",
                               source=S.OFFICIAL)


def _estimated(calendar, year) -> None:
    CalendarDay.objects.filter(calendar=calendar, date__year=year).delete()
    CalendarDay.objects.create(calendar=calendar, date=dt.date(year, 10, 1), kind=K.HOLIDAY, name="国庆节",
                               source=S.ESTIMATE)


# --- 2026 as the State Council published it ------------------------------------------------------


@pytest.mark.spec("SLA-1")
def test_2026_matches_the_official_schedule_and_is_marked_official(calendar_2026):
    # National Day 2026: 17:00 on 30 September + 4 working hours is 12:00 on Thursday 8 October
    assert add_working_minutes(sh(2026, 9, 30, 17, 0), 240) == sh(2026, 10, 8, 12, 0)
    wt = WorkingTime.load(calendar_2026, dt.date(2026, 1, 1))
    # the make-up Saturdays are workdays
    assert wt.is_working_day(dt.date(2026, 2, 14)) and wt.is_working_day(dt.date(2026, 10, 10))
    days = _days(calendar_2026, 2026)
    assert days[dt.date(2026, 2, 14)] == (K.WORKDAY, S.OFFICIAL)
    assert days[dt.date(2026, 10, 10)] == (K.WORKDAY, S.OFFICIAL)
    assert days[dt.date(2026, 10, 7)] == (K.HOLIDAY, S.OFFICIAL)
    assert {source for _kind, source in days.values()} == {S.OFFICIAL}


@pytest.mark.spec("SLA-1")
def test_the_package_tells_the_official_notice_from_its_estimate(monkeypatch):
    monkeypatch.setattr(cn_calendar, "package_is_official", PACKAGE_IS_OFFICIAL)  # the installed package as it is
    # the installed package carries the notice for 2026, with its make-up workdays ...
    official = cn_calendar.package_year(2026)
    assert official.official and dt.date(2026, 2, 14) in official.workdays
    assert official.workdays and all(cn_calendar.package_is_official(y) for y in range(2001, 2027))
    # ... and for the first year it does not carry, only the rule-based guess: days off, no make-up workday
    first_guess = next(y for y in range(2027, 2100) if not cn_calendar.package_is_official(y))
    guess = cn_calendar.package_year(first_guess)
    assert not guess.official and guess.holidays and not guess.workdays


# --- loads: estimates are replaced on request, hand-entered days never ---------------------------


@pytest.mark.spec("SLA-1")
def test_the_daily_preload_adds_a_missing_year_marked_estimate_and_leaves_a_loaded_year_alone(db):
    calendar = default_calendar()
    CalendarDay.objects.filter(calendar=calendar, date__year=2028).delete()
    # a missing year comes in, marked as what the package has: an estimate
    load = sla.calendar_year_load(calendar=calendar, year=2028)
    assert load.added > 0 and load.source == S.ESTIMATE
    assert {source for _k, source in _days(calendar, 2028).values()} == {S.ESTIMATE}
    # a year already loaded is not touched by the additive pre-load, even when it is only estimated
    _estimated_2026(calendar)
    assert sla.calendar_year_load(calendar=calendar, year=2026).touched == 0
    assert _days(calendar, 2026)[dt.date(2026, 9, 28)] == (K.HOLIDAY, S.ESTIMATE)


@pytest.mark.spec("SLA-1")
def test_the_reload_replaces_estimates_with_the_notice_moves_the_clocks_and_keeps_hand_entered_days(
        client, time_machine, staff_user, administrator):
    calendar = default_calendar()
    _estimated_2026(calendar)
    # an administrator's own entries: a company holiday, and the make-up Sunday of 4 January as a day off
    CalendarDay.objects.create(calendar=calendar, date=dt.date(2026, 3, 9), kind=K.HOLIDAY, name="公司年会",
                               source=S.MANUAL)
    CalendarDay.objects.create(calendar=calendar, date=dt.date(2026, 1, 4), kind=K.HOLIDAY, name="厂休",
                               source=S.MANUAL)
    # an e-mail inquiry at 17:00 on 30 September (240 minutes): under the estimate due Tuesday 6 October
    time_machine.move_to(sh(2026, 9, 30, 17, 0), tick=False)
    inquiry = new_inquiry(actor=staff_user, channel="email")
    assert sla.deadline_for(record=inquiry, stage="first_response").due_at == sh(2026, 10, 6, 12, 0)

    # the administrator's start page says 2026 is estimated and offers the official notice
    client.force_login(administrator)
    page = client.get(reverse("inbox")).content.decode()
    assert 'id="calendar-notice-2026"' in page and reverse("calendar-reload") in page

    # someone without the right cannot reload (and sees no banner)
    client.force_login(staff_user)
    assert 'calendar-notice' not in client.get(reverse("inbox")).content.decode()
    assert client.post(reverse("calendar-reload"), {"year": "2026"}).status_code == 403
    assert _days(calendar, 2026)[dt.date(2026, 9, 28)] == (K.HOLIDAY, S.ESTIMATE)

    # when the administrator clicks the reload
    client.force_login(administrator)
    response = client.post(reverse("calendar-reload"), {"year": "2026", "next": reverse("inbox")})
    assert response.status_code == 302 and response["Location"] == reverse("inbox")

    # then 2026 is the notice: make-up Saturdays, the real bridges, the guessed day gone ...
    days = _days(calendar, 2026)
    assert days[dt.date(2026, 2, 14)] == (K.WORKDAY, S.OFFICIAL)
    assert days[dt.date(2026, 10, 10)] == (K.WORKDAY, S.OFFICIAL)
    assert days[dt.date(2026, 10, 7)] == (K.HOLIDAY, S.OFFICIAL)
    assert dt.date(2026, 9, 28) not in days
    # ... the days entered by hand stand as they were typed ...
    assert days[dt.date(2026, 3, 9)] == (K.HOLIDAY, S.MANUAL)
    assert days[dt.date(2026, 1, 4)] == (K.HOLIDAY, S.MANUAL)
    # ... the running clock follows (Thursday 8 October 12:00) and the inquiry's timeline says so
    assert sla.deadline_for(record=inquiry, stage="first_response").due_at == sh(2026, 10, 8, 12, 0)
    assert Event.objects.filter(object_id=inquiry.pk, content_type__model="inquiry",
                                action="due_recomputed", actor=administrator).exists()
    # ... and the banner is gone
    assert 'calendar-notice' not in client.get(reverse("inbox")).content.decode()


@pytest.mark.spec("SLA-1")
def test_the_reload_is_refused_for_a_year_other_than_this_or_next(client, time_machine, administrator):
    time_machine.move_to(sh(2026, 11, 2, 10, 0), tick=False)
    calendar = default_calendar()
    before = _days(calendar, 2030)
    client.force_login(administrator)
    response = client.post(reverse("calendar-reload"), {"year": "2030"}, follow=True)
    assert "只能重新载入今年和明年" in response.content.decode()
    assert _days(calendar, 2030) == before


# --- who sees the banner, and when ---------------------------------------------------------------


@pytest.mark.spec("SLA-1")
def test_next_years_estimate_is_shown_from_november_to_the_quality_department_and_administrators(
        client, time_machine, monkeypatch, staff_user, quality_officer, administrator):
    calendar = default_calendar()
    _confirmed(calendar, 2026)
    _estimated(calendar, 2027)
    # in October nobody is bothered yet
    time_machine.move_to(sh(2026, 10, 15, 9, 0), tick=False)
    client.force_login(quality_officer)
    assert "calendar-notice" not in client.get(reverse("inbox")).content.decode()
    # from November on, the quality department and the administrators see it; others do not
    time_machine.move_to(sh(2026, 11, 2, 9, 0), tick=False)
    for user in (quality_officer, administrator):
        client.force_login(user)
        page = client.get(reverse("inbox")).content.decode()
        assert 'id="calendar-notice-2027"' in page, user
        assert "2027 年的法定节假日仍是推定" in page
        # the package has no notice for 2027 yet: nothing to reload, say what to do instead
        assert reverse("calendar-reload") not in page
    client.force_login(staff_user)
    assert "calendar-notice" not in client.get(reverse("inbox")).content.decode()
    # when an upgraded package brings the notice, the one-click reload is offered
    monkeypatch.setattr(cn_calendar, "package_is_official", lambda year: year <= 2027)
    client.force_login(administrator)
    page = client.get(reverse("inbox")).content.decode()
    assert reverse("calendar-reload") in page and 'value="2027"' in page


@pytest.mark.spec("SLA-1")
def test_a_missing_next_year_is_shown_with_a_load_button(client, time_machine, administrator):
    calendar = default_calendar()
    _confirmed(calendar, 2027)
    CalendarDay.objects.filter(calendar=calendar, date__year=2028).delete()
    time_machine.move_to(sh(2027, 11, 5, 9, 0), tick=False)
    client.force_login(administrator)
    page = client.get(reverse("inbox")).content.decode()
    assert 'id="calendar-notice-2028"' in page and "没有 2028 年的法定节假日" in page
    assert client.post(reverse("calendar-reload"), {"year": "2028"}).status_code == 302
    assert dt.date(2028, 10, 2) in _days(calendar, 2028)
    # the package's estimate is better than nothing, and the banner keeps saying it is one
    assert {source for _k, source in _days(calendar, 2028).values()} == {S.ESTIMATE}
    assert "2028 年的法定节假日仍是推定" in client.get(reverse("inbox")).content.decode()


# --- a year without data is not silent -----------------------------------------------------------


@pytest.mark.spec("SLA-1")
def test_a_deadline_over_a_year_without_data_logs_a_warning(calendar_2026, caplog):
    calendar = calendar_2026
    _estimated(calendar, 2027)
    CalendarDay.objects.filter(calendar=calendar, date__year=2028).delete()
    # within years that have data: no warning
    with caplog.at_level(logging.WARNING, logger="qsm.sla.calendar"):
        assert add_working_minutes(sh(2026, 9, 30, 17, 0), 240) == sh(2026, 10, 8, 12, 0)
    assert not caplog.records
    # over National Day 2028 with no 2028 data: the holidays count as working days, and the log says so
    with caplog.at_level(logging.WARNING, logger="qsm.sla.calendar"):
        assert add_working_minutes(sh(2028, 9, 29, 17, 0), 240) == sh(2028, 10, 2, 12, 0)
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "2028" in caplog.records[0].getMessage() and calendar.name in caplog.records[0].getMessage()
    caplog.clear()
    # over 除夕 2028 too, once per computation
    with caplog.at_level(logging.WARNING, logger="qsm.sla.calendar"):
        add_working_minutes(sh(2028, 1, 24, 17, 0), 960)
    assert len(caplog.records) == 1 and "2028" in caplog.records[0].getMessage()
    caplog.clear()
    # a calendar that has no days by design (a 7x24 desk) is not warned about
    desk = WorkCalendar.objects.create(name="7x24", work_start=dt.time(0), lunch_start=None, lunch_end=None,
                                       work_end=dt.time(23, 59), weekdays="1234567")
    with caplog.at_level(logging.WARNING, logger="qsm.sla.calendar"):
        add_working_minutes(sh(2028, 10, 1, 9, 0), 60, calendar=desk)
    assert not caplog.records


# --- the admin, and the rows that were there before -----------------------------------------------


@pytest.mark.spec("SLA-1", "ADMIN-1")
def test_the_admin_shows_and_filters_the_source_and_a_day_saved_there_is_by_hand(admin_client, calendar_2026):
    client = admin_client
    url = reverse("admin:sla_calendarday_changelist")
    page = client.get(url).content.decode()
    assert "官方通知" in page and "来源" in page
    response = client.get(url, {"source__exact": "official"})
    assert response.status_code == 200
    assert {d.source for d in response.context["cl"].result_list} == {S.OFFICIAL}
    # an administrator corrects an official day: from now on it is entered by hand
    day = CalendarDay.objects.get(calendar=calendar_2026, date=dt.date(2026, 10, 10))
    response = client.post(reverse("admin:sla_calendarday_change", args=[day.pk]), {
        "calendar": calendar_2026.pk, "date": "2026-10-10", "kind": K.HOLIDAY, "name": "厂休", "source": S.OFFICIAL})
    assert response.status_code == 302, response.content.decode()[:2000]
    day.refresh_from_db()
    assert (day.kind, day.source) == (K.HOLIDAY, S.MANUAL)
    # and a reload leaves it alone
    sla.calendar_year_load(calendar=calendar_2026, year=2026, replace=True)
    day.refresh_from_db()
    assert (day.kind, day.name, day.source) == (K.HOLIDAY, "厂休", S.MANUAL)


@pytest.mark.spec("SLA-1")
def test_the_migration_marks_the_rows_already_there(db, administrator):
    migration = importlib.import_module("qsm.sla.migrations.0006_calendar_day_source")
    calendar = default_calendar()
    _estimated(calendar, 2027)
    CalendarDay.objects.filter(calendar=calendar).update(source=S.MANUAL)  # as the new column's default left them
    # a day an older package guessed for 2026 (no longer in the notice), and two days edited in the admin
    guessed = CalendarDay.objects.create(calendar=calendar, date=dt.date(2026, 9, 28), kind=K.HOLIDAY, name="中秋节")
    typed = CalendarDay.objects.create(calendar=calendar, date=dt.date(2026, 3, 9), kind=K.HOLIDAY, name="年会")
    inline = CalendarDay.objects.get(calendar=calendar, date=dt.date(2026, 5, 9))
    LogEntry.objects.create(user=administrator, content_type=ContentType.objects.get_for_model(CalendarDay),
                            object_id=str(typed.pk), object_repr=str(typed), action_flag=CHANGE, change_message="[]")
    LogEntry.objects.create(
        user=administrator, content_type=ContentType.objects.get_for_model(WorkCalendar), object_id=str(calendar.pk),
        object_repr=str(calendar), action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"name": "calendar day", "object": "2026-05-09 调休上班",
                                                "fields": ["name"]}}]))
    migration.forwards(django_apps, None)
    days = _days(calendar, 2026)
    assert days[dt.date(2026, 10, 1)] == (K.HOLIDAY, S.OFFICIAL)
    assert days[dt.date(2026, 2, 14)] == (K.WORKDAY, S.OFFICIAL)
    assert days[guessed.date][1] == S.ESTIMATE
    assert days[typed.date][1] == S.MANUAL
    assert days[inline.date][1] == S.MANUAL
    assert _days(calendar, 2027)[dt.date(2027, 10, 1)][1] == S.ESTIMATE


@pytest.mark.spec("SLA-1", "ADMIN-1")
def test_the_admin_index_shows_the_notice_and_reloads_from_there(admin_client, time_machine):
    calendar = default_calendar()
    _estimated_2026(calendar)
    time_machine.move_to(sh(2026, 6, 1, 10, 0), tick=False)
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert 'id="calendar-notice-2026"' in page and "2026 年的法定节假日仍是推定" in page
    response = admin_client.post(reverse("calendar-reload"), {"year": "2026", "next": reverse("admin:index")})
    assert response["Location"] == reverse("admin:index")
    assert _days(calendar, 2026)[dt.date(2026, 10, 10)] == (K.WORKDAY, S.OFFICIAL)
    assert "calendar-notice-2026" not in admin_client.get(reverse("admin:index")).content.decode()
