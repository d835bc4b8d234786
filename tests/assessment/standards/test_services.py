"""QC-1 services: a standard's revision lifecycle, the four-eyes approval, the activation sweep, the
history kept (the previous version superseded and still readable)."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from assessment.standards import services
from assessment.standards.models import Standard, StandardVersion
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.notify.models import Notification
from qsm.workflow.models import Event
from tests.assessment.standards.support import new_standard

pytestmark = pytest.mark.django_db
V = StandardVersion.Status


def _snapshot(version: StandardVersion):
    version.refresh_from_db()
    return version.status, Event.objects.filter(object_id=version.pk, content_type__model="standardversion").count()


@pytest.mark.spec("QC-1")
def test_a_new_standard_has_a_draft_first_version_and_is_not_in_force(quality_officer):
    standard = new_standard(author=quality_officer, title="投诉受理规范", modules=["complaints"])
    assert standard.number.startswith("STD-")
    version = standard.versions.get()
    assert (version.version, version.status, version.author) == (1, V.DRAFT, quality_officer)
    assert version.title == "投诉受理规范"
    assert standard.current_version is None


@pytest.mark.spec("QC-1")
def test_draft_review_approve_makes_the_version_effective_on_a_due_date(standard_in, quality_manager):
    standard, version = standard_in("effective")
    assert version.status == V.EFFECTIVE
    assert version.approved_by == quality_manager and version.effective_at is not None
    assert standard.current_version_id == version.pk
    assert standard.next_review_on == version.review_on
    # the owner and author hear that it is in force; the quality managers heard of the submission
    assert Notification.objects.filter(recipient=quality_manager, kind="standard_version_submitted").exists()


@pytest.mark.spec("QC-1")
def test_a_revision_supersedes_the_previous_version_which_stays_readable(standard_in):
    standard, old = standard_in("superseded")
    assert old.status == V.SUPERSEDED and old.superseded_at is not None
    assert old.process == "接到客户反馈后2小时内响应"  # the text of the time, unchanged
    current = standard.current_version
    assert (current.version, current.status) == (2, V.EFFECTIVE)
    assert current.process == "接到客户反馈后1小时内响应"
    assert StandardVersion.objects.filter(standard=standard, status=V.EFFECTIVE).count() == 1


@pytest.mark.spec("QC-1")
def test_revise_copies_the_version_in_force_and_only_one_revision_is_open(standard_in, quality_officer):
    standard, v1 = standard_in("effective")
    v2 = services.version_revise(standard=standard, actor=quality_officer)
    assert (v2.version, v2.status, v2.process, v2.requirements) == (2, V.DRAFT, v1.process, v1.requirements)
    with pytest.raises(TransitionNotAllowed):
        services.version_revise(standard=standard, actor=quality_officer)
    assert standard.versions.count() == 2
    standard.refresh_from_db()
    assert standard.current_version_id == v1.pk  # the rules in force stay until the revision takes effect


@pytest.mark.spec("QC-1", "WF-1")
def test_the_author_may_not_approve_their_own_revision_even_as_quality_manager(quality_manager):
    standard = new_standard(author=quality_manager)
    version = services.version_fire(version=standard.versions.get(), actor=quality_manager, action="submit")
    before = _snapshot(version)
    with pytest.raises(PermissionDenied):
        services.version_fire(version=version, actor=quality_manager, action="approve")
    assert _snapshot(version) == before


@pytest.mark.spec("QC-1", "WF-1")
def test_return_needs_a_reason_and_brings_the_draft_back_to_its_author(standard_in, quality_manager, quality_officer):
    _standard, version = standard_in("review")
    before = _snapshot(version)
    with pytest.raises(ValidationError):
        services.version_fire(version=version, actor=quality_manager, action="return", comment="  ")
    assert _snapshot(version) == before
    version = services.version_fire(version=version, actor=quality_manager, action="return", comment="请补充验收标准")
    assert (version.status, version.return_reason) == (V.DRAFT, "请补充验收标准")
    assert Notification.objects.filter(recipient=quality_officer, kind="standard_version_decided").exists()
    # corrected and submitted again
    services.version_update(version=version, actor=quality_officer, requirements="验收合格率100%")
    version = services.version_fire(version=version, actor=quality_officer, action="submit")
    assert version.status == V.REVIEW and version.return_reason == ""


@pytest.mark.spec("QC-1")
def test_approval_needs_both_dates_with_the_review_after_the_effective_date(quality_officer, quality_manager):
    standard = new_standard(author=quality_officer)
    version = standard.versions.get()
    services.version_update(version=version, actor=quality_officer, effective_on=None, review_on=None)
    version = services.version_fire(version=version, actor=quality_officer, action="submit")
    with pytest.raises(ValidationError) as caught:
        services.version_fire(version=version, actor=quality_manager, action="approve")
    assert {"effective_on", "review_on"} <= set(caught.value.message_dict)
    assert _snapshot(version)[0] == V.REVIEW


@pytest.mark.spec("QC-1", "SEC-1")
def test_draft_edit_checks_dates_and_hostile_text_and_refuses_a_version_no_longer_draft(standard_in, quality_officer):
    _standard, draft = standard_in("draft")
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        services.version_update(version=draft, actor=quality_officer, effective_on=today, review_on=today)
    assert "review_on" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.version_update(version=draft, actor=quality_officer, title="坏\x00标题", process="x" * 20001)
    assert {"title", "process"} <= set(caught.value.message_dict)
    _standard, effective = standard_in("effective")
    with pytest.raises(TransitionNotAllowed):
        services.version_update(version=effective, actor=quality_officer, process="改写生效版本")
    effective.refresh_from_db()
    assert effective.process == "接到客户反馈后2小时内响应"


@pytest.mark.spec("QC-1", "ORG-1")
def test_business_staff_may_neither_create_nor_edit_anothers_standard(standard_in, staff_user, manager):
    with pytest.raises(PermissionDenied):
        new_standard(author=staff_user)
    standard, version = standard_in("draft")
    with pytest.raises(PermissionDenied):
        services.version_update(version=version, actor=staff_user, process="篡改")
    with pytest.raises(PermissionDenied):
        services.version_revise(standard=standard, actor=staff_user)
    # a department manager may start a standard of their own (they own their department's rules)
    own = new_standard(author=manager, title="销售部报价规范")
    assert own.owner == manager


@pytest.mark.spec("QC-1", "SLA-2")
def test_the_sweep_makes_an_approved_version_effective_on_its_date_and_supersedes_the_old(
        standard_in, quality_officer, quality_manager):
    # given version 1 in force and version 2 approved to take effect in ten days
    standard, v1 = standard_in("effective")
    v2 = services.version_revise(standard=standard, actor=quality_officer)
    start = timezone.localdate() + dt.timedelta(days=10)
    services.version_update(version=v2, actor=quality_officer, effective_on=start,
                            review_on=start + dt.timedelta(days=365), change_summary="新增夜间值班要求")
    services.version_fire(version=v2, actor=quality_officer, action="submit")
    v2 = services.version_fire(version=v2, actor=quality_manager, action="approve")
    assert v2.status == V.APPROVED
    assert services.activate_due_versions() == 0  # not yet
    # when the sweep runs on the effective date (twice: a second scheduler)
    with time_machine.travel(timezone.now() + dt.timedelta(days=10, hours=1)):
        assert services.activate_due_versions() == 1
        assert services.activate_due_versions() == 0
    # then v2 is in force, v1 superseded and still there
    v1.refresh_from_db()
    v2.refresh_from_db()
    standard.refresh_from_db()
    assert (v1.status, v2.status) == (V.SUPERSEDED, V.EFFECTIVE)
    assert standard.current_version_id == v2.pk and standard.next_review_on == v2.review_on


@pytest.mark.spec("QC-1")
def test_withdrawn_draft_frees_the_standard_for_a_new_revision(standard_in, quality_officer):
    standard, v1 = standard_in("effective")
    v2 = services.version_revise(standard=standard, actor=quality_officer)
    services.version_fire(version=v2, actor=quality_officer, action="withdraw")
    v3 = services.version_revise(standard=standard, actor=quality_officer)
    assert (v3.version, v3.status) == (3, V.DRAFT)


@pytest.mark.spec("QC-1", "WF-2")
def test_card_edit_and_departments_are_on_the_timeline(standard_in, quality_officer, business_department):
    standard, _version = standard_in("draft")
    services.standard_update(standard=standard, actor=quality_officer, title="售后服务响应规范（修订）", kind="quality",
                             owner=quality_officer, modules=["cases", "visits"], departments=[business_department])
    standard = Standard.objects.get(pk=standard.pk)
    assert standard.modules == ["cases", "visits"] and list(standard.departments.all()) == [business_department]
    changes = [c["field"] for e in Event.objects.filter(object_id=standard.pk, content_type__model="standard",
                                                        kind=Event.Kind.EDIT) for c in e.changes]
    assert {"title", "kind", "modules", "departments"} <= set(changes)
