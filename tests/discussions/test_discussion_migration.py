"""PRE-3: the inquiry's discussion, its meeting notes and its versioned solutions are carried over
into the core (qsm.discussions) with their ids, people, departments, products, times and versions."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.builders.inquiries import new_inquiry

BEFORE = [("presales", "0004_remove_communication")]


def _leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.spec("PRE-3")
@pytest.mark.django_db(transaction=True)
def test_discussions_notes_and_solutions_move_into_the_core(staff_user, production_user, production_department,
                                                            customer, product):
    inquiry = new_inquiry(actor=staff_user, customer=customer)
    bare = new_inquiry(actor=staff_user, customer=customer, subject="无讨论")
    opened = timezone.now().replace(microsecond=0) - dt.timedelta(days=5)
    after = _leaves()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Discussion, Note, Solution = (old.get_model("presales", n) for n in ("Discussion", "DiscussionNote", "Solution"))
    try:
        # given a discussion with invitations, a note and two versions, the first sent
        d = Discussion.objects.create(inquiry_id=inquiry.pk, topic="非标方案", opened_by_id=staff_user.pk)
        Discussion.objects.filter(pk=d.pk).update(opened_at=opened)
        d.invited_departments.set([production_department.pk])
        d.invited_users.set([production_user.pk])
        note = Note.objects.create(discussion_id=d.pk, author_id=production_user.pk, body="产线可行",
                                   meeting_at=opened + dt.timedelta(hours=1))
        Note.objects.filter(pk=note.pk).update(created_at=opened + dt.timedelta(hours=2))
        v1 = Solution.objects.create(inquiry_id=inquiry.pk, version=1, title="初稿", content="方案一",
                                     created_by_id=staff_user.pk, sent_at=opened + dt.timedelta(days=1),
                                     sent_via="email")
        v1.products.set([product.pk])
        Solution.objects.filter(pk=v1.pk).update(created_at=opened + dt.timedelta(hours=3))
        v2 = Solution.objects.create(inquiry_id=inquiry.pk, version=2, title="修订", content="方案二",
                                     created_by_id=production_user.pk)
        Solution.objects.filter(pk=v2.pk).update(created_at=opened + dt.timedelta(days=2))
        # when the migrations run
        MigrationExecutor(connection).migrate(after)
    finally:
        MigrationExecutor(connection).migrate(after)
    # then the inquiry's discussion is the core row with the same facts, and its versions follow it
    from presales.models import Inquiry
    from qsm.discussions.models import Discussion as CoreDiscussion
    from qsm.discussions.models import Solution as CoreSolution

    inquiry = Inquiry.objects.get(pk=inquiry.pk)
    discussion = inquiry.discussion
    assert (discussion.pk, discussion.record, discussion.topic, discussion.opened_by_id, discussion.opened_at) == (
        d.pk, inquiry, "非标方案", staff_user.pk, opened)
    assert list(discussion.invited_departments.values_list("pk", flat=True)) == [production_department.pk]
    assert list(discussion.invited_users.values_list("pk", flat=True)) == [production_user.pk]
    assert [(n.pk, n.author_id, n.body, n.meeting_at, n.created_at) for n in discussion.notes.all()] == [
        (note.pk, production_user.pk, "产线可行", opened + dt.timedelta(hours=1), opened + dt.timedelta(hours=2))]
    assert [(s.pk, s.version, s.title, s.content, s.created_by_id, s.created_at, s.sent_at, s.sent_via,
             sorted(s.products.values_list("pk", flat=True))) for s in inquiry.solutions] == [
        (v2.pk, 2, "修订", "方案二", production_user.pk, opened + dt.timedelta(days=2), None, "", []),
        (v1.pk, 1, "初稿", "方案一", staff_user.pk, opened + dt.timedelta(hours=3), opened + dt.timedelta(days=1),
         "email", [product.pk]),
    ]
    # the visibility path through the generic relation finds the invited people; the other inquiry has none
    assert list(Inquiry.objects.filter(discussions__invited_users=production_user)) == [inquiry]
    assert list(Inquiry.objects.get(pk=bare.pk).solutions) == []
    # new rows get fresh ids after the copied ones, and the old tables are gone
    assert CoreDiscussion.objects.order_by("-pk").values_list("pk", flat=True).first() == d.pk
    assert CoreSolution.objects.count() == 2
    tables = connection.introspection.table_names()
    assert not {"presales_discussion", "presales_discussionnote", "presales_solution"} & set(tables)
