"""PERF-1 / PRE-3 / AFS-2: the people pickers of the discussion forms are type-aheads.

They render only the people already picked and find the others through org:user-options (JSON).
Before, the case page of a complex case rendered every active person as an option: 170 KB and
270-350 ms at 2,000 users (bench/results-aftersales.json).
"""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.models import Case
from aftersales.plan_forms import DiscussionForm
from presales.forms import OpenDiscussionForm
from qsm.org.models import Role
from tests.builders.aftersales import case_build
from tests.factories import DepartmentFactory, UserFactory


@pytest.fixture
def crowd(db):
    """A department of people nobody has invited yet, named so that a page listing them shows it."""
    department = DepartmentFactory(name="装配车间", code="assembly")
    return [UserFactory(username=f"worker{n:03d}", display_name=f"装配工{n:03d}", department=department,
                        roles=[Role.STAFF]) for n in range(30)]


@pytest.mark.spec("PERF-1", "AFS-2")
def test_the_complex_case_page_lists_nobody_and_costs_the_same_with_more_people(client, staff_user, crowd):
    case = case_build(actor=staff_user, state=Case.Status.SPECIAL, complex=True)
    client.force_login(staff_user)
    client.get(case.get_absolute_url())  # warm the per-process caches

    with CaptureQueriesContext(connection) as few:
        page = client.get(case.get_absolute_url()).content.decode()
    UserFactory.create_batch(40, department=crowd[0].department, roles=[Role.STAFF])
    with CaptureQueriesContext(connection) as many:
        again = client.get(case.get_absolute_url()).content.decode()

    assert 'id="discussion-form"' in page and 'data-lookup="/people/options/"' in page
    assert "装配工000" not in page and "装配工029" not in again  # nobody rendered as an option
    assert len(few) == len(many)
    assert len(again) - len(page) < 200  # not a line more per person


@pytest.mark.spec("AFS-2", "PRE-3")
@pytest.mark.parametrize("form_class", [DiscussionForm, OpenDiscussionForm])
def test_a_picked_person_is_rendered_and_kept_on_a_refused_form(form_class, crowd):
    picked = crowd[3]

    unbound = form_class().as_p() if form_class is OpenDiscussionForm else str(form_class()["users"])
    bound = form_class(data={"topic": "", "users": [str(picked.pk)]})
    bound.is_valid()

    assert "<option" not in unbound
    rendered = str(bound["users"])
    assert rendered.count("<option") == 1 and f'value="{picked.pk}" selected' in rendered
    assert "装配工003 · 装配车间" in rendered


@pytest.mark.spec("AFS-2", "SEC-1")
@pytest.mark.parametrize("value", ["abc", "99999999999999999999999", "-1", "1 OR 1=1", "０１"])
def test_hostile_ids_are_form_errors_not_crashes(value, crowd):
    form = DiscussionForm(data={"topic": "研讨", "users": [value]})

    assert not form.is_valid() and "users" in form.errors
    assert "<option" not in str(form["users"])


@pytest.mark.spec("AFS-2", "SEC-1")
def test_an_inactive_person_cannot_be_invited(crowd):
    gone = crowd[0]
    gone.is_active = False
    gone.save(update_fields=["is_active"])

    form = DiscussionForm(data={"topic": "研讨", "users": [str(gone.pk)]})

    assert not form.is_valid() and "users" in form.errors


@pytest.mark.spec("PERF-1", "SEC-1")
def test_the_options_endpoint_finds_active_people_by_name_for_signed_in_users_only(client, staff_user, crowd):
    crowd[1].is_active = False
    crowd[1].save(update_fields=["is_active"])
    url = reverse("org:user-options")

    anonymous = client.get(url, {"q": "装配工"})
    client.force_login(staff_user)
    found = client.get(url, {"q": "装配工00"}).json()["results"]
    everyone = client.get(url, {"q": "装配工"}).json()["results"]
    nothing = client.get(url, {"q": ""}).json()["results"]
    hostile = client.get(url, {"q": "%' OR 1=1 --" * 20})

    assert anonymous.status_code == 302 and "/login" in anonymous.url
    assert [r["text"] for r in found] == [f"装配工00{n} · 装配车间" for n in range(10) if n != 1]
    assert found[0]["value"] == str(crowd[0].pk)
    assert len(everyone) == 20  # capped
    assert nothing == []
    assert hostile.status_code == 200 and hostile.json()["results"] == []
