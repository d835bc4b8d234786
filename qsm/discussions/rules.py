"""Who takes part in a record's discussion (ORG-1): the people and the departments invited to it.

One predicate for every module with a discussion (pre-sales inquiries, after-sales complex cases,
complaints' investigations): the invitations are read from what the record's page prefetched when it did
(``qsm.relations.relation_contains``), otherwise one indexed lookup each.
"""
from __future__ import annotations

import rules

from qsm.relations import relation_contains

from .selectors import discussion_of


@rules.predicate
def takes_part_in_discussion(user, record) -> bool:
    """``user`` was invited to ``record``'s discussion, in person or with their department."""
    discussion = discussion_of(record)
    if discussion is None:
        return False
    if relation_contains(discussion, "invited_users", user.pk):
        return True
    return user.department_id is not None and relation_contains(discussion, "invited_departments", user.department_id)
