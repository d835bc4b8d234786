"""QC-1 / WF-1: the standard-version lifecycle table, every (state, action, role).

The standard is owned by ``manager`` (sales' manager); the version's author is ``member`` (sales
staff). Submit / withdraw: author, owner, quality department (and administrators); approve /
return: the quality manager, never the author; activate / supersede: the system only.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from assessment.standards.models import Standard, StandardVersion
from assessment.standards.workflows import activate_version
from qsm.errors import PermissionDenied, ValidationError
from qsm.workflow.engine import fire as engine_fire
from tests.assessment.lifecycle import check, fire, roles_of
from tests.builders.assessment import a_revision, a_standard, fresh, in_days, today

pytestmark = pytest.mark.django_db

EDITORS = ("member", "manager", "quality", "quality_manager", "administrator")


def _table() -> dict:
    return {
        "submit": (("draft",), "review", EDITORS, fire("submit")),
        "approve": (("review",), "approved", ("quality_manager",), fire("approve")),
        "return": (("review",), "draft", ("quality_manager",), fire("return", comment="请补充")),
        "withdraw": (("draft",), "withdrawn", EDITORS, fire("withdraw")),
        "activate": (("approved",), "effective", ("system",), fire("activate")),
        "supersede": (("effective",), "superseded", ("system",), fire("supersede")),
        "retire": (("effective",), "superseded", ("quality_manager",), fire("retire", comment="业务已停止")),
    }


def _version_in(people, state: str) -> StandardVersion:
    standard = a_standard(owner=people.manager, people=people)
    if state in ("effective", "superseded"):
        version = a_revision(standard, state="effective", author=people.member, people=people)
        if state == "superseded":
            a_revision(standard, state="effective", author=people.member, people=people)
        return fresh(version)
    return a_revision(standard, state=state, author=people.member, people=people)


@pytest.mark.spec("QC-1", "WF-1")
@pytest.mark.parametrize("state", ["draft", "review", "approved", "effective", "superseded", "withdrawn"])
def test_standard_version_lifecycle_table(people, state):
    version = _version_in(people, state)
    assert version.status == state
    assert check(version, _table(), roles_of(people)) == []


@pytest.mark.spec("QC-1")
def test_the_quality_manager_does_not_approve_a_revision_he_wrote(people):
    version = a_revision(a_standard(people=people), state="draft",
                         author=people.quality_manager, people=people)
    engine_fire(version, "submit", actor=people.quality_manager)
    with pytest.raises(PermissionDenied):
        engine_fire(version, "approve", actor=people.quality_manager)


@pytest.mark.spec("QC-1")
@pytest.mark.parametrize(("effective_on", "review_on", "field"), [(None, 400, "effective_on"), (0, None, "review_on")])
def test_approval_needs_an_effective_date_and_a_later_review(people, effective_on, review_on, field):
    version = a_revision(state="review", author=people.member, people=people)
    StandardVersion.objects.filter(pk=version.pk).update(
        effective_on=None if effective_on is None else in_days(effective_on),
        review_on=None if review_on is None else in_days(review_on))
    with pytest.raises(ValidationError) as refused:
        engine_fire(fresh(version), "approve", actor=people.quality_manager)
    assert field in refused.value.message_dict
    assert fresh(version).status == "review"


@pytest.mark.spec("QC-1")
@pytest.mark.parametrize("review_days", [5, 10])
def test_a_review_date_not_after_the_effective_date_is_refused_by_the_database(people, review_days):
    version = a_revision(state="draft", author=people.member, people=people)
    with pytest.raises(IntegrityError), transaction.atomic():
        StandardVersion.objects.filter(pk=version.pk).update(effective_on=in_days(10), review_on=in_days(review_days))


@pytest.mark.spec("QC-1")
def test_an_approved_version_takes_effect_only_on_its_date(people):
    standard = a_standard(people=people)
    old = standard.current_version
    version = a_revision(standard, state="approved", effective_on=in_days(3), people=people)
    with pytest.raises(ValidationError):
        activate_version(version)
    assert fresh(version).status == "approved" and fresh(standard).current_version == old
    StandardVersion.objects.filter(pk=version.pk).update(effective_on=today(), review_on=today() + dt.timedelta(days=90))
    activate_version(fresh(version))
    standard = Standard.objects.get(pk=standard.pk)
    assert standard.current_version_id == version.pk
    assert standard.next_review_on == today() + dt.timedelta(days=90)
    old = fresh(old)
    assert old.status == "superseded" and old.superseded_at is not None
    # the previous version keeps its text: still readable and printable
    assert old.requirements and old.version == 1


@pytest.mark.spec("QC-1")
def test_a_returned_revision_keeps_the_reason_until_it_is_submitted_again(people):
    version = a_revision(state="draft", returned=True, author=people.member, people=people)
    assert version.return_reason == "请补充质量要求的量化指标"
    engine_fire(version, "submit", actor=people.member)
    assert fresh(version).return_reason == ""


@pytest.mark.spec("QC-1")
def test_retiring_a_standard_keeps_its_last_text_readable_and_stops_its_review(people):
    standard = a_standard(people=people)
    version = standard.current_version
    engine_fire(version, "retire", actor=people.quality_manager, comment="业务已停止")
    standard = Standard.objects.get(pk=standard.pk)
    assert standard.retired and standard.next_review_on is None and standard.current_version_id == version.pk
    assert fresh(version).status == "superseded"
