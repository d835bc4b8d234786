"""CMP-1: "Open a complaint" on the visit, after-sales case and order pages. Those modules never
import complaints: the buttons are registered here (``qsm.record_actions``) and lead to the intake
form prefilled from the record (complaints.selectors.sources), which links the complaint to it."""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from qsm.record_actions import RecordAction, register_record_action


def _may_log(user) -> bool:
    return user.has_perm("complaints.add_complaint")


def _action(param: str, record) -> RecordAction:
    return RecordAction(key="open-complaint", label=_("Open a complaint"), icon="bi-megaphone",
                        url=f"{reverse('complaints:complaint-create')}?{param}={record.pk}")


def visit_action(visit, user) -> RecordAction | None:
    return _action("visit", visit) if _may_log(user) else None


def case_action(case, user) -> RecordAction | None:
    return _action("case", case) if _may_log(user) else None


def order_action(order, user) -> RecordAction | None:
    return _action("order", order) if _may_log(user) else None


def register() -> None:
    register_record_action("aftersales.visit", visit_action)
    register_record_action("aftersales.case", case_action)
    register_record_action("orders.order", order_action)
