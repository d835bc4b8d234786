"""Signing in and loading the signed-in user (PERF-1)."""
from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef


class UserBackend(ModelBackend):
    """Django's ModelBackend (passwords, ``is_active``, permissions), except that the user of every
    signed-in request is read with what nearly every page then asks of it, in one query: the
    department (scopes, rules) and the role names (``User.role_names``). Read per request as before,
    so a changed password, role or department counts from the next request, and Django's session
    hash check (another session signed out by a password change) works on the fresh row."""

    def get_user(self, user_id):
        from qsm.org.models import User

        user = (User._default_manager.select_related("department")
                .annotate(loaded_role_names=role_names("pk")).filter(pk=user_id).first())
        if user is None or not self.user_can_authenticate(user):
            return None
        user._role_names = frozenset(user.loaded_role_names)
        return user


def role_names(user_ref: str) -> ArraySubquery:
    """The names of the user's groups (roles) as an array column of the query that reads the user
    (``user_ref``: the user's id in it), for ``User.role_names`` without a query of its own."""
    return ArraySubquery(Group.objects.filter(user=OuterRef(user_ref)).values("name"))
