"""Reference data (role groups, the default calendar, SLA policies) is declared by each app on its
AppConfig and is exactly what the migrations leave in a new database; a flushed test database is
reloaded from the declarations, so a module's policies cannot silently be missing in its tests."""
from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from qsm.registry import load_reference_data, reference_data_loaders
from qsm.sla.models import CalendarDay, SlaPolicy, WorkCalendar

POLICY_FIELDS = ("record_type", "stage", "channel", "priority", "name", "working_minutes", "remind_at_percent",
                 "is_active")


def _state() -> dict:
    return {
        "groups": set(Group.objects.values_list("name", flat=True)),
        "calendars": set(WorkCalendar.objects.values_list("name", "is_default", "work_start", "lunch_start",
                                                          "lunch_end", "work_end", "weekdays")),
        "days": set(CalendarDay.objects.values_list("calendar__name", "date", "kind", "name")),
        "policies": set(SlaPolicy.objects.values_list(*POLICY_FIELDS)),
    }


def _empty() -> None:
    SlaPolicy.objects.all().delete()
    CalendarDay.objects.all().delete()
    WorkCalendar.objects.all().delete()
    Group.objects.all().delete()


@pytest.mark.spec("SLA-1")
def test_the_declared_reference_data_is_exactly_what_the_migrations_load(db):
    # given the database as the migrations left it
    migrated = _state()
    assert migrated["policies"] and migrated["calendars"] and migrated["days"] and migrated["groups"]

    # when everything is removed and reloaded from what the apps declare
    _empty()
    load_reference_data()

    # then the same rows are back, and loading again changes nothing
    assert _state() == migrated
    load_reference_data()
    assert _state() == migrated


@pytest.mark.spec("SLA-1")
def test_each_app_declares_the_sla_policies_of_its_own_records(db):
    # given every policy the migrations created, by the app whose records it times
    migrated = {}
    for row in SlaPolicy.objects.values_list(*POLICY_FIELDS):
        migrated.setdefault(row[0].split(".")[0], set()).add(row)
    loaders = dict(reference_data_loaders())

    for label, policies in migrated.items():
        # then that app declares reference data ...
        assert label in loaders, f"{label} has SLA policies but its AppConfig declares no reference_data"
        # ... and its own loader alone brings back every one of its policies
        SlaPolicy.objects.all().delete()
        loaders[label](apps)
        assert set(SlaPolicy.objects.values_list(*POLICY_FIELDS)) >= policies, label


@pytest.mark.spec("SLA-1")
@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_finds_every_declared_row():
    # the database may have been flushed by an earlier transactional test; the root conftest
    # reloaded it from the declarations
    present = _state()
    _empty()
    load_reference_data()
    assert _state() == present
    assert {p[0] for p in present["policies"]} >= {"presales.inquiry", "orders.order"}
    assert WorkCalendar.objects.filter(is_default=True).exists()
