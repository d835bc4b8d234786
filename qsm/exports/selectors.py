"""Reads of export jobs: a person sees only their own (another person's job is a 404)."""
from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from qsm.parsing import parse_id

from .models import ExportJob


def export_job_list(*, user) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(owner=user).order_by("-created_at", "-id")


def export_job_get(*, user, pk) -> ExportJob:
    job = export_job_list(user=user).filter(pk=parse_id(pk)).first() if parse_id(pk) else None
    if job is None:
        raise Http404(_("No such export."))
    return job
