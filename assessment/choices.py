"""Choices shared by the quality-control concerns (QC-1..QC-5)."""
from __future__ import annotations

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from qsm.fields import CleanTextValidator

# The modules a standard applies to and a spot check samples: the codes of the sampling registry
# (qsm/sampling.py, PLAN11). Stored as text so a module added later needs no migration.


class Module(models.TextChoices):
    INQUIRIES = "inquiries", _("Pre-sales inquiries")  # 售前咨询
    ORDERS = "orders", _("Orders")  # 订单
    CASES = "cases", _("After-sales cases")  # 售后服务
    VISITS = "visits", _("Return visits")  # 回访
    COMPLAINTS = "complaints", _("Complaints")  # 客户投诉


ONE_LINE = [CleanTextValidator()]
MULTI_LINE = [CleanTextValidator(multiline=True)]


def url_or_blank(name: str, pk: int) -> str:
    """A record's page; until the concern's pages exist a record links nowhere."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""
