"""§3.1(3): an inquiry is handed over to another department, never to the one that owns it (issue 7)."""
from __future__ import annotations

import pytest
from django.urls import reverse

from presales import services
from presales.models import Inquiry
from qsm.errors import ValidationError
from qsm.workflow.models import Event
from tests.builders.inquiries import inquiry_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(staff_user, customer):
    return inquiry_in(Inquiry.Status.ANSWERED, actor=staff_user, customer=customer)


def _events(inquiry) -> int:
    return Event.objects.filter(object_id=inquiry.pk, content_type__model="inquiry").count()


@pytest.mark.spec("PRE-4", "WF-1")
def test_hand_over_to_its_own_department_is_a_form_error(login, staff_user, business_department, answered,
                                                         sales_department):
    client = login(staff_user)
    before = _events(answered)
    # the form does not offer it
    form = client.get(answered.get_absolute_url()).context["handover_form"]
    offered = set(form.fields["department"].queryset.values_list("pk", flat=True))
    assert business_department.pk not in offered and sales_department.pk in offered
    # and posting it anyway is refused with the reason, in Chinese, nothing changed
    response = client.post(reverse("presales:inquiry-fire", args=[answered.pk]),
                           {"action": "hand_over", "department": business_department.pk, "note": "交给自己"})
    assert response.status_code == 400
    errors = response.context["handover_form"].errors["department"]
    assert any("已属于" in e and business_department.name in e for e in errors), errors
    answered.refresh_from_db()
    assert answered.status == Inquiry.Status.ANSWERED and answered.handover_department is None
    assert _events(answered) == before


@pytest.mark.spec("API-1", "PRE-4", "WF-1")
def test_hand_over_to_its_own_department_is_400_in_the_api(staff_user, business_department, answered):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(staff_user)
    r = client.post(f"/api/presales/inquiries/{answered.pk}/hand-over/", {"department": business_department.pk},
                    format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 400 and "department" in r.data, r.data
    assert "已属于" in str(r.data["department"])
    answered.refresh_from_db()
    assert answered.status == Inquiry.Status.ANSWERED


@pytest.mark.spec("PRE-4", "REL-1")
def test_the_service_decides_on_the_locked_inquiry(staff_user, business_department, answered):
    # the guard reads the locked row: the department in the database, not the caller's stale copy
    stale = Inquiry.objects.get(pk=answered.pk)
    stale.department_id = None
    with pytest.raises(ValidationError) as exc:
        services.inquiry_hand_over(inquiry=stale, actor=staff_user, department=business_department)
    assert "department" in exc.value.message_dict
