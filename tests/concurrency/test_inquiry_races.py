"""REL-1: inquiry writes decided under the inquiry's lock, proven with two database connections.

The services below checked the inquiry's state before taking its lock (or took none): a hand-over
committed meanwhile let an analysis, a re-classification or a new solution land on an inquiry
that had already left the discussion, and a double "sent" logged two communications.
"""
from __future__ import annotations

import pytest

from presales import services
from presales.models import DiscussionNote, Inquiry, Solution
from qsm.contacts.models import ContactEntry
from qsm.errors import TransitionNotAllowed
from tests.builders.inquiries import inquiry_in, new_inquiry
from tests.concurrency.race import at_once, while_held

S = Inquiry.Status
ROUNDS = 5

pytestmark = pytest.mark.django_db(transaction=True)


def _answered(owner) -> Inquiry:
    return inquiry_in(S.ANSWERED, actor=owner, answer="已电话答复参数")


def _in_discussion(owner, invited_department, *, with_solution: bool = False) -> Inquiry:
    # a complex need is handed over only with a tailored solution
    return inquiry_in(S.DISCUSSION, actor=owner, answer="已电话答复参数", topic="非标方案", invited=[invited_department],
                      solution=("方案 A", "标准配置") if with_solution else None)


def _fresh(inquiry) -> Inquiry:
    return Inquiry.objects.get(pk=inquiry.pk)


@pytest.mark.spec("REL-1", "PRE-2")
def test_analysis_racing_the_hand_over_is_refused(staff_user, colleague, sales_department):
    inquiry = _answered(staff_user)
    stale = _fresh(inquiry)
    handed, analysed = while_held(
        lambda: services.inquiry_hand_over(inquiry=_fresh(inquiry), actor=colleague, department=sales_department),
        lambda: services.inquiry_analyse(inquiry=stale, actor=staff_user, needs_analysis="需要三台",
                                         recommendation="推荐 VMC-850"),
    )
    assert isinstance(analysed.error, TransitionNotAllowed), analysed.error
    inquiry.refresh_from_db()
    assert inquiry.status == S.HANDED_OVER and inquiry.needs_analysis == ""


@pytest.mark.spec("REL-1", "PRE-2")
def test_reclassification_racing_the_hand_over_is_refused(staff_user, colleague, sales_department):
    inquiry = _answered(staff_user)
    stale = _fresh(inquiry)
    handed, marked = while_held(
        lambda: services.inquiry_hand_over(inquiry=_fresh(inquiry), actor=colleague, department=sales_department),
        lambda: services.inquiry_mark_complex(inquiry=stale, actor=staff_user),
    )
    assert isinstance(marked.error, TransitionNotAllowed), marked.error
    inquiry.refresh_from_db()
    assert inquiry.status == S.HANDED_OVER and not inquiry.is_complex


@pytest.mark.spec("REL-1", "PRE-3")
def test_solution_racing_the_hand_over_is_refused(staff_user, colleague, sales_department, production_department):
    inquiry = _in_discussion(staff_user, production_department, with_solution=True)
    stale = _fresh(inquiry)
    handed, written = while_held(
        lambda: services.inquiry_hand_over(inquiry=_fresh(inquiry), actor=colleague, department=sales_department),
        lambda: services.solution_add(inquiry=stale, actor=staff_user, title="方案 B", content="改用伺服电机"),
    )
    assert isinstance(written.error, TransitionNotAllowed), written.error
    assert list(Solution.objects.filter(discussion__inquiry=inquiry).values_list("version", flat=True)) == [1]


@pytest.mark.spec("REL-1", "PRE-3")
def test_two_solutions_at_once_get_versions_one_and_two(staff_user, colleague, production_department):
    inquiry = _in_discussion(staff_user, production_department)
    outcomes = at_once(*[
        lambda who=who: services.solution_add(inquiry=_fresh(inquiry), actor=who, title=f"方案 {who}", content="内容")
        for who in (staff_user, colleague)])
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    assert sorted(Solution.objects.filter(discussion__inquiry=inquiry).values_list("version", flat=True)) == [1, 2]


@pytest.mark.spec("REL-1", "PRE-3")
def test_a_solution_sent_twice_at_once_is_logged_once(staff_user, colleague, production_department):
    inquiry = _in_discussion(staff_user, production_department)
    for round_no in range(ROUNDS):
        solution = services.solution_add(inquiry=_fresh(inquiry), actor=staff_user, title=f"方案 v{round_no + 1}",
                                         content="内容")
        logged_before = ContactEntry.objects.filter(inquiry=inquiry).count()
        outcomes = at_once(*[
            lambda who=who, pk=solution.pk: services.solution_mark_sent(solution=Solution.objects.get(pk=pk), actor=who,
                                                        via="email")
            for who in (staff_user, colleague)])
        assert sorted(o.ok for o in outcomes) == [False, True], [o.error for o in outcomes]
        assert isinstance(next(o.error for o in outcomes if not o.ok), TransitionNotAllowed)
        logged = ContactEntry.objects.filter(inquiry=inquiry).count() - logged_before
        assert logged == 1, f"round {round_no}: {logged} communications for one send"


@pytest.mark.spec("REL-1", "PRE-3")
def test_discussion_note_racing_the_hand_over_is_refused(staff_user, colleague, sales_department,
                                                         production_department):
    inquiry = _in_discussion(staff_user, production_department, with_solution=True)
    stale = _fresh(inquiry)
    handed, noted = while_held(
        lambda: services.inquiry_hand_over(inquiry=_fresh(inquiry), actor=colleague, department=sales_department),
        lambda: services.discussion_note_add(inquiry=stale, actor=staff_user, body="会议纪要：确认方案"),
    )
    assert isinstance(noted.error, TransitionNotAllowed), noted.error
    assert not DiscussionNote.objects.filter(discussion__inquiry=inquiry).exists()


@pytest.mark.spec("REL-1", "WF-2")
def test_edit_racing_the_cancellation_is_refused(staff_user, colleague):
    inquiry = new_inquiry(actor=staff_user)
    stale = _fresh(inquiry)
    cancelled, edited = while_held(
        lambda: services.inquiry_cancel(inquiry=_fresh(inquiry), actor=colleague, comment="客户撤回"),
        lambda: services.inquiry_update(inquiry=stale, actor=staff_user, data={"subject": "改了标题"}),
    )
    assert isinstance(edited.error, TransitionNotAllowed), edited.error
    inquiry.refresh_from_db()
    assert inquiry.status == S.CANCELLED and inquiry.subject != "改了标题"
