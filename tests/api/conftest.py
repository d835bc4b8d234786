"""API test helpers: a client signed in as a given user (session auth, CSRF as in DRF tests)."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from presales.models import Inquiry
from qsm.workflow.models import Event


@pytest.fixture
def api():
    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


def inquiry_url(inquiry_or_pk, action: str = "") -> str:
    pk = getattr(inquiry_or_pk, "pk", inquiry_or_pk)
    return f"/api/presales/inquiries/{pk}/" + (f"{action}/" if action else "")


def snapshot(inquiry: Inquiry) -> tuple[str, int]:
    """What must not change when an action is refused: the status and the timeline length."""
    inquiry.refresh_from_db()
    return inquiry.status, Event.objects.filter(object_id=inquiry.pk, content_type__model="inquiry").count()


@pytest.fixture
def inquiry_in(staff_user, sales_user, production_department, sales_department, customer):
    """Bring a fresh inquiry of ``staff_user``'s department to ``state`` through the services."""
    from orders.services import order_create_from_inquiry
    from presales import services
    from tests.factories import make_inquiry

    def make(state: str) -> Inquiry:
        if state == "new":
            return make_inquiry(actor=staff_user, customer=customer)
        inquiry = make_inquiry(actor=staff_user, customer=customer, answer="已答复")
        if state == "answered":
            return inquiry
        if state == "closed":
            return services.inquiry_close(inquiry=inquiry, actor=staff_user)
        if state == "cancelled":
            return services.inquiry_cancel(inquiry=inquiry, actor=staff_user, comment="客户撤回")
        if state == "discussion":
            inquiry = services.inquiry_mark_complex(inquiry=inquiry, actor=staff_user)
            return services.inquiry_open_discussion(inquiry=inquiry, actor=staff_user, topic="方案",
                                                    departments=[production_department])
        inquiry = services.inquiry_hand_over(inquiry=inquiry, actor=staff_user, department=sales_department)
        if state == "handed_over":
            return inquiry
        inquiry = services.inquiry_acknowledge(inquiry=inquiry, actor=sales_user)
        if state == "acknowledged":
            return inquiry
        assert state == "converted", state
        order_create_from_inquiry(inquiry=inquiry, actor=sales_user)
        inquiry.refresh_from_db()
        return inquiry

    return make
