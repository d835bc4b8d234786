"""Training on the core pages (``qsm.registry``, registered in ``AssessmentConfig.ready``):

- "My work" (INBOX-1): the sessions the user trains or attends in the next 7 days, and the held
  sessions whose attendance and scores the user (trainer or plan owner) has still to enter. One
  query whatever the number of sessions (PERF-1).
- The standard's page: "相关培训", the sessions that link the standard, within what the user may see.
"""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext

from qsm.inbox import first_by_deadline
from qsm.registry import HistorySection, InboxItem, register_inbox, register_record_section

from . import selectors
from .models import TrainingSession

INBOX_LIMIT = 20


def inbox(user) -> list[InboxItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    module = gettext("Training")
    items = []
    # One query (PERF-1): the sessions to give or attend and the held ones to score, each branch cut
    # at INBOX_LIMIT, read together (qsm.inbox.first_by_deadline); a scheduled one is to give or
    # attend, a held one to score.
    sessions = first_by_deadline(TrainingSession.objects.all(),
                                 [selectors.upcoming_sessions(user), selectors.sessions_to_score(user)],
                                 order_by=("starts_at", "pk"), limit=2 * INBOX_LIMIT)
    for s in sessions:
        if s.status == TrainingSession.Status.HELD:
            waiting, due_at = gettext("Enter the attendance and scores"), s.ends_at
        else:
            waiting = (gettext("Give the training session") if s.trainer_id == user.pk
                       else gettext("Attend the training session"))
            due_at = s.starts_at
        items.append(InboxItem(module=module, number=s.number, title=s.title, status_label=s.get_status_display(),
                               url=s.get_absolute_url(), due_at=due_at, waiting_for=waiting, module_code="training"))
    return items


def standard_trainings(standard, user) -> HistorySection | None:
    sessions = selectors.standard_sessions(standard, user)
    if not sessions:
        return None
    rows = [{"url": s.get_absolute_url(),
             "cells": [s.number, s.title, timezone.localtime(s.starts_at).strftime("%Y-%m-%d %H:%M"),
                       s.department.name, s.trainer_display, s.get_status_display()]} for s in sessions]
    return HistorySection(title=gettext("Related training"),
                          columns=[gettext("Number"), gettext("Title"), gettext("Time"), gettext("Department"),
                                   gettext("Trainer"), gettext("Status")],
                          rows=rows, key="standard-training")


def register() -> None:
    register_inbox(inbox, module="training")
    register_record_section("assessment.standard", standard_trainings)
