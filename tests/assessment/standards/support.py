"""The QC-1 builder: a standard driven through its services to any state of its newest version."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from assessment.standards import services
from assessment.standards.models import Standard, StandardVersion


def new_standard(*, author, title: str = "售后服务响应规范", kind: str = "process", modules=("cases",), departments=(),
                 owner=None, effective_on=None, review_on=None, **text) -> Standard:
    text.setdefault("process", "接到客户反馈后2小时内响应")
    text.setdefault("requirements", "24小时内给出解决方案")
    today = timezone.localdate()
    return services.standard_create(
        actor=author, title=title, kind=kind, owner=owner or author, modules=list(modules),
        departments=list(departments), effective_on=effective_on or today,
        review_on=review_on or today + dt.timedelta(days=365), **text)


def standard_in(state: str, *, author, approver, revision: bool = False, effective_on=None, **kwargs):
    """``state`` of the newest version: draft, review, approved (a future date), effective, withdrawn;
    ``revision=True``: version 1 is effective and version 2 is in ``state`` (``superseded``: v1 was
    superseded by an effective v2). Returns (standard, newest version)."""
    today = timezone.localdate()
    standard = new_standard(author=author, effective_on=effective_on, **kwargs)
    version = standard.versions.get()
    if revision or state == "superseded":
        version = _drive(version, "effective", author=author, approver=approver)
        version = services.version_revise(standard=standard, actor=author)
        services.version_update(version=version, actor=author, change_summary="响应时限由2小时缩短为1小时",
                                process="接到客户反馈后1小时内响应", effective_on=effective_on or today,
                                review_on=today + dt.timedelta(days=400))
        version.refresh_from_db()
        if state == "superseded":
            _drive(version, "effective", author=author, approver=approver)
            standard.refresh_from_db()
            return standard, StandardVersion.objects.get(standard=standard, version=1)
    version = _drive(version, state, author=author, approver=approver)
    standard.refresh_from_db()
    return standard, version


def _drive(version: StandardVersion, state: str, *, author, approver) -> StandardVersion:
    if state == "draft":
        return version
    if state == "withdrawn":
        return services.version_fire(version=version, actor=author, action="withdraw")
    version = services.version_fire(version=version, actor=author, action="submit")
    if state == "review":
        return version
    if state == "approved":
        assert version.effective_on > timezone.localdate(), "an approved version waits for a future date"
    version = services.version_fire(version=version, actor=approver, action="approve")
    assert version.status == state, (version.status, state)
    return version
