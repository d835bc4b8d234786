"""The core contact log (qsm.contacts): what an entry is, that it is written inside the owning
record's lock, and that a customer's question is answered once."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from qsm.contacts.models import ContactEntry
from qsm.contacts.selectors import contact_log
from qsm.contacts.services import contact_add, contact_answer
from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.workflow.locking import locked
from tests.builders.inquiries import new_inquiry

pytestmark = pytest.mark.django_db


@pytest.fixture
def inquiry(staff_user, customer):
    return new_inquiry(actor=staff_user, customer=customer)


def _add(record, actor, **kw):
    with locked(record) as root:
        return contact_add(record=root, actor=actor, **kw)


@pytest.mark.django_db(transaction=True)
def test_a_write_outside_the_owning_records_lock_is_refused(inquiry, staff_user):
    with pytest.raises(RuntimeError):
        contact_add(record=inquiry, actor=staff_user, channel="phone", direction="in", summary="x")
    question = _add(inquiry, staff_user, kind="question", channel="chat", summary="何时发货？")
    with pytest.raises(RuntimeError):
        contact_answer(entry=question, actor=staff_user, answer="下周")
    question.refresh_from_db()
    assert list(ContactEntry.objects.values_list("pk", flat=True)) == [question.pk] and question.answered_at is None


@pytest.mark.spec("PRE-4")
def test_an_entry_hangs_off_its_record_and_is_read_back_in_order(inquiry, staff_user, colleague,
                                                                   django_assert_num_queries):
    earlier = timezone.now() - dt.timedelta(hours=2)
    second = _add(inquiry, colleague, channel="email", direction="out", summary="  已回复  ")
    first = _add(inquiry, staff_user, channel="phone", direction="in", summary="客户来电", occurred_at=earlier)

    with django_assert_num_queries(1):  # the log with its people (the content type is cached)
        rows = [(e.pk, e.kind, e.summary, e.recorded_by.username) for e in contact_log(inquiry)]
    assert rows == [(first.pk, "communication", "客户来电", staff_user.username),
                    (second.pk, "communication", "已回复", colleague.username)]
    assert list(ContactEntry.objects.filter(inquiry=inquiry)) == [first, second]
    assert second.record == inquiry and second.direction == "out"


@pytest.mark.spec("PRE-4", "ORD-2")
@pytest.mark.parametrize("given,field", [
    ({"channel": "pigeon", "direction": "in", "summary": "x"}, "channel"),
    ({"channel": "phone", "direction": "sideways", "summary": "x"}, "direction"),
    ({"channel": "phone", "direction": "in", "summary": "   "}, "summary"),
    ({"channel": "phone", "direction": "in", "summary": "x",
      "occurred_at": timezone.now() + dt.timedelta(days=1)}, "occurred_at"),
    ({"channel": "phone", "kind": "question", "summary": "x", "kinds": ("communication",)}, "kind"),
])
def test_bad_input_is_a_field_error_and_nothing_is_logged(inquiry, staff_user, given, field):
    with pytest.raises(ValidationError) as error:
        _add(inquiry, staff_user, **given)
    assert field in error.value.message_dict
    assert not ContactEntry.objects.exists()


@pytest.mark.spec("ORD-2")
def test_the_kind_sets_the_direction_and_a_blank_summary_is_reported_on_the_modules_field(inquiry, staff_user):
    update = _add(inquiry, staff_user, kind="update", channel="phone", summary="已排产")
    question = _add(inquiry, staff_user, kind="question", channel="chat", summary="何时发货？")
    assert (update.direction, question.direction) == ("out", "in")
    with pytest.raises(ValidationError) as error:
        _add(inquiry, staff_user, kind="update", channel="phone", summary="", summary_field="text")
    assert set(error.value.message_dict) == {"text"}


@pytest.mark.spec("ORD-2")
def test_a_question_is_answered_once_and_nothing_else_is_answered(inquiry, staff_user, colleague):
    question = _add(inquiry, staff_user, kind="question", channel="chat", summary="何时发货？")
    update = _add(inquiry, staff_user, kind="update", channel="phone", summary="已排产")

    with locked(inquiry), pytest.raises(ValidationError):
        contact_answer(entry=question, actor=colleague, answer="  ")
    with locked(inquiry):
        answered = contact_answer(entry=question, actor=colleague, answer=" 下周一 ")
    assert (answered.answer, answered.answered_by) == ("下周一", colleague) and answered.answered_at
    with locked(inquiry), pytest.raises(TransitionNotAllowed):
        contact_answer(entry=question, actor=staff_user, answer="again")
    with locked(inquiry), pytest.raises(TransitionNotAllowed):
        contact_answer(entry=update, actor=staff_user, answer="no")
    question.refresh_from_db()
    update.refresh_from_db()
    assert (question.answer, question.answered_by) == ("下周一", colleague)
    assert update.answered_at is None and update.answer == ""


def test_the_database_refuses_an_answer_on_anything_but_a_question(inquiry, staff_user):
    from django.db import IntegrityError

    update = _add(inquiry, staff_user, kind="update", channel="phone", summary="已排产")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactEntry.objects.filter(pk=update.pk).update(answered_at=timezone.now())
