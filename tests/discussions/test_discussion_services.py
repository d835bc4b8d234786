"""PRE-3 in the core: a discussion per record, next versions, a version sent once, writes only in a transaction."""
from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from qsm.discussions import services
from qsm.discussions.models import Discussion
from qsm.discussions.selectors import discussion_of, solutions_of
from qsm.errors import TransitionNotAllowed, ValidationError
from tests.builders.inquiries import new_inquiry


@pytest.mark.spec("PRE-3")
@pytest.mark.django_db
def test_one_discussion_per_record_with_versions_sent_once(staff_user, production_user, production_department,
                                                            customer, product):
    inquiry = new_inquiry(actor=staff_user, customer=customer)
    with transaction.atomic():
        first, created = services.discussion_open(record=inquiry, actor=staff_user, topic=" 非标 ",
                                                  departments=[production_department])
        again, created_again = services.discussion_open(record=inquiry, actor=production_user, topic="别的",
                                                        users=[production_user])
        v1 = services.solution_add(record=inquiry, actor=staff_user, title="初稿", content="一", products=[product])
        v2 = services.solution_add(record=inquiry, actor=production_user, title="修订", content="二")
        note = services.discussion_note_add(record=inquiry, actor=production_user, body=" 可行 ")
        sent = services.solution_mark_sent(solution=v1, via="email")
        with pytest.raises(TransitionNotAllowed):
            services.solution_mark_sent(solution=v1, via="phone")
        with pytest.raises(ValidationError):
            services.solution_add(record=inquiry, actor=staff_user, title="", content="")
    assert (created, created_again, first.pk, first.topic) == (True, False, again.pk, "非标")
    assert list(first.invited_departments.all()) == [production_department]
    assert list(first.invited_users.all()) == [production_user]
    assert discussion_of(inquiry) == first and first.record == inquiry and note.body == "可行"
    assert [(s.pk, s.version) for s in solutions_of(inquiry)] == [(v2.pk, 2), (v1.pk, 1)]
    assert list(v1.products.all()) == [product]
    assert sent.sent_via == "email" and solutions_of(inquiry).get(version=1).sent_via == "email"
    with pytest.raises(IntegrityError), transaction.atomic():  # the database keeps one per record too
        Discussion.objects.create(content_type=first.content_type, object_id=inquiry.pk, topic="x",
                                  opened_by=staff_user)


@pytest.mark.django_db(transaction=True)  # a plain test runs inside one transaction already
def test_writes_outside_a_transaction_are_refused(staff_user, customer):
    inquiry = new_inquiry(actor=staff_user, customer=customer)
    with pytest.raises(RuntimeError):
        services.discussion_open(record=inquiry, actor=staff_user, topic="x")
    with pytest.raises(RuntimeError):
        services.solution_add(record=inquiry, actor=staff_user, title="t", content="c")
    assert not Discussion.objects.exists()
