"""Inviting departments and people to a record's discussion, the way every module does it (AFS-2's
special solution, CMP-2's investigation): the invitation checked (a topic, someone to invite, only
active ones), then, under the caller's root lock, the discussion opened or added to and told apart:
who is newly invited (to tell them), or nothing new at all (refused: already invited)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from qsm.errors import ValidationError
from qsm.org.models import Department, User

from . import services
from .models import Discussion
from .selectors import discussion_of


@dataclass
class Invitation:
    discussion: Discussion
    created: bool
    departments: list[Department] = field(default_factory=list)  # newly invited
    users: list[User] = field(default_factory=list)  # newly invited

    def invitees(self) -> list[User]:
        """Who to tell: the people newly invited and the active members of the departments newly invited."""
        return self.users + list(User.objects.filter(department__in=self.departments, is_active=True))


def invitation_clean(*, topic: str, departments: Iterable[Department] = (), users: Iterable[User] = ()
                     ) -> tuple[list[Department], list[User]]:
    """The departments and people to invite, each once; a ValidationError naming the fields otherwise."""
    departments = list(dict.fromkeys(departments))
    users = list(dict.fromkeys(users))
    errors = {}
    if not (topic or "").strip():
        errors["topic"] = _("Give the discussion a topic.")
    if not departments and not users:
        errors["departments"] = _("Invite at least one department or person.")
    if any(not d.is_active for d in departments):
        errors["departments"] = _("Invite active departments only.")
    if any(not u.is_active for u in users):
        errors["users"] = _("Invite active people only.")
    if errors:
        raise ValidationError(errors, code="invalid")
    return departments, users


def discussion_invite(*, record, actor, topic: str, departments: list[Department], users: list[User]) -> Invitation:
    """Open ``record``'s discussion or invite more to it (the caller holds the record's lock and
    cleaned the invitation with ``invitation_clean``); refused when nobody new is invited."""
    before = discussion_of(record)
    old_departments = set(before.invited_departments.values_list("pk", flat=True)) if before else set()
    old_users = set(before.invited_users.values_list("pk", flat=True)) if before else set()
    discussion, created = services.discussion_open(record=record, actor=actor, topic=topic, departments=departments,
                                                   users=users)
    invitation = Invitation(discussion=discussion, created=created,
                            departments=[d for d in departments if d.pk not in old_departments],
                            users=[u for u in users if u.pk not in old_users])
    if not created and not invitation.departments and not invitation.users:
        raise ValidationError({"departments": _("These departments and people are already invited.")},
                              code="already_invited")
    return invitation
