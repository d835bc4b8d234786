"""CMP-4 pages: the phone answer, the link and closing unresolved from the record page's section;
bad input is a 400 with the form, an illegal step 409, another department 404."""
from __future__ import annotations

import pytest
from django.urls import reverse

from complaints.models import CustomerAnswer
from qsm.links.models import SignedLink
from tests.complaints.h4_support import C, confirming, fresh, login


@pytest.mark.spec("CMP-4")
def test_the_phone_answer_page(client, people):
    complaint = confirming()
    login(client, people.investigator)
    url = reverse("complaints:answer", args=[complaint.pk])
    for data in ({"satisfied": "no", "objections": ""}, {"satisfied": "x"},
                 {"satisfied": "no", "objections": "a\x00b"}, {"satisfied": "yes", "answered_at": "9999-01-01T10:00"}):
        response = client.post(url, data)
        html = response.content.decode()
        assert response.status_code == 400 and 'id="answer-form"' in html and "invalid-feedback" in html, data
    assert not CustomerAnswer.objects.exists()
    assert client.post(url, {"satisfied": "yes"}).status_code == 302
    assert fresh(complaint).status == C.CLOSED
    assert client.post(url, {"satisfied": "yes"}).status_code == 409  # already answered: closed


@pytest.mark.spec("CMP-4")
def test_the_link_pages_and_another_department(client, people):
    complaint = confirming()
    login(client, people.outsider)
    assert client.post(reverse("complaints:confirm-link", args=[complaint.pk]), {}).status_code == 404
    assert client.post(reverse("complaints:answer", args=[complaint.pk]), {"satisfied": "yes"}).status_code == 404
    assert client.get(reverse("complaints:case-report", args=[complaint.pk])).status_code == 404
    login(client, people.investigator)
    issued = client.post(reverse("complaints:confirm-link", args=[complaint.pk]), {"contact_name": "王经理"})
    assert issued.status_code == 302 and issued["Location"].endswith("/confirm-link/issued/")
    page = client.get(issued["Location"]).content.decode()
    assert 'id="confirm-link-qr"' in page and complaint.number in page and "/l/" in page
    assert client.post(reverse("complaints:confirm-link-revoke", args=[complaint.pk])).status_code == 302
    assert SignedLink.objects.get(object_id=complaint.pk, purpose="complaint_confirm").revoked_at is not None
    # the link page shows nothing once the link is withdrawn
    assert client.get(issued["Location"]).status_code == 302


@pytest.mark.spec("CMP-4", "CMP-5")
def test_the_record_page_shows_the_sections(client, people):
    from tests.builders.complaints import complaint_in

    asking = confirming()
    closed = complaint_in(C.CLOSED, round=2)
    login(client, people.investigator)
    page = client.get(asking.get_absolute_url()).content.decode()
    assert 'id="confirmation"' in page and 'id="answer-form"' in page and 'id="confirm-link-form"' in page
    assert 'id="report"' not in page
    page = client.get(closed.get_absolute_url()).content.decode()
    assert page.count('data-round="') == 2 and 'id="report"' in page and 'id="preventive-form"' in page
    assert 'id="answer-form"' not in page
