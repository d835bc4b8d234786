"""QC-1: who reads and who writes service standards. assessment/standards/workflows.py says when.

Reads: every signed-in member of staff reads a standard once a version of it took effect, and its
effective and superseded versions (they are the company's rules); drafts, versions in review and
approved versions waiting for their date only their author, the standard's owner and the quality
department see. Writes: the owner and the author, and the quality department. The quality manager
approves or returns a revision, never the version's own author (four eyes).
"""
from __future__ import annotations

import rules

from qsm.org.rules import is_manager, passes_four_eyes
from qsm.visibility import Public, Visibility, register

from ..rules import is_quality_manager, quality_staff_or_admin
from .models import Standard, StandardVersion

PUBLISHED_STATES = (StandardVersion.Status.EFFECTIVE, StandardVersion.Status.SUPERSEDED)

STANDARD_VISIBILITY = register(Standard, Visibility(
    owner="owner", departments=(), users=("versions__author",), public=(Public("current_version"),),
))
VERSION_VISIBILITY = register(StandardVersion, Visibility(
    owner="author", departments=(), users=("standard__owner",), public=(Public("status", PUBLISHED_STATES),),
))

can_view_standard = rules.predicate(STANDARD_VISIBILITY.can_view, name="can_view_standard")
can_view_version = rules.predicate(VERSION_VISIBILITY.can_view, name="can_view_standard_version")


@rules.predicate
def is_standard_owner(user, standard) -> bool:
    return bool(getattr(user, "is_authenticated", False) and standard is not None and standard.owner_id == user.pk)


@rules.predicate
def is_version_author(user, version) -> bool:
    return bool(getattr(user, "is_authenticated", False) and version.author_id == user.pk)


@rules.predicate
def owns_versions_standard(user, version) -> bool:
    return is_standard_owner(user, version.standard)


# Who starts a standard: the quality department, and managers (they own their department's rules).
can_create_standard = quality_staff_or_admin | is_manager
# Who edits a standard's card (title, kind, modules, departments, owner) and starts a revision.
can_manage_standard = is_standard_owner | quality_staff_or_admin
# Who writes, submits or withdraws a version: its author, the standard's owner, the quality department.
can_edit_version = is_version_author | owns_versions_standard | quality_staff_or_admin


@rules.predicate
def can_approve_version(user, version) -> bool:
    """QC-1: the quality manager approves (or returns) a revision; never its author."""
    return bool(is_quality_manager(user) and passes_four_eyes(user, [version.author_id]))


can_return_version = is_quality_manager
# QC-1: retiring a standard (废止) is the quality manager's decision, with a reason.
can_retire_standard = is_quality_manager

rules.add_perm("assessment.view_standard", rules.is_authenticated)
rules.add_perm("assessment.add_standard", can_create_standard)
