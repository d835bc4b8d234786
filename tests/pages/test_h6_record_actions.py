"""The core record-page actions (qsm.web.actions) as the modules declare them: attach and download a
file (WF-3), fire a transition from the action bar (WF-1); another department's record is a 404."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qsm.workflow.models import Attachment
from qsm.workflow.selectors import attachment_list

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def _case(actor):
    from aftersales.models import Case
    from tests.aftersales.cases_support import case_in

    return case_in(Case.Status.IN_PROGRESS, actor=actor)


def _inquiry(actor):
    from tests.builders.inquiries import new_inquiry

    return new_inquiry(actor=actor)


def _order(actor):
    from tests.builders.orders import new_order
    from tests.factories import CustomerFactory

    return new_order(actor=actor, customer=CustomerFactory())


# module -> (a record the staff user works on, the attach URL name, the download URL name)
RECORDS = {
    "aftersales": (_case, "aftersales:case-attach", "aftersales:case-attachment"),
    "presales": (_inquiry, "presales:inquiry-attach", "presales:inquiry-attachment"),
    "orders": (_order, "orders:order-attach", "orders:order-attachment"),
}


@pytest.fixture(params=sorted(RECORDS))
def module(request):
    return RECORDS[request.param]


def _upload(name="report.pdf", content=PDF):
    return {"file": SimpleUploadedFile(name, content, content_type="application/pdf"), "description": "检测报告"}


@pytest.mark.spec("WF-3")
def test_a_file_is_attached_then_downloaded_by_who_may_open_the_record(media, login, staff_user, module):
    make, attach, download = module
    record = make(staff_user)
    client = login(staff_user)
    response = client.post(reverse(attach, args=[record.pk]), _upload())
    assert response.status_code == 302 and response["Location"].endswith("#attachments")
    attachment = attachment_list(record).get()
    assert (attachment.original_name, attachment.description) == ("report.pdf", "检测报告")
    page = client.get(response["Location"].split("#")[0])
    assert "report.pdf" in page.content.decode()
    file = client.get(reverse(download, args=[record.pk, attachment.pk]))
    assert file.status_code == 200 and b"".join(file.streaming_content) == PDF
    assert 'filename="report.pdf"' in file["Content-Disposition"]


@pytest.mark.spec("WF-3")
def test_a_refused_file_re_renders_the_page_with_the_error_and_stores_nothing(media, login, staff_user, module):
    make, attach, _download = module
    record = make(staff_user)
    response = login(staff_user).post(reverse(attach, args=[record.pk]), _upload("setup.exe", b"MZ\x90\x00" * 16))
    assert response.status_code == 400
    assert response.context["attachment_form"].errors
    assert not Attachment.objects.exists()


@pytest.mark.spec("ORG-1", "WF-3")
def test_another_departments_record_is_a_404_for_attach_and_download(media, login, staff_user,
                                                                      other_department_staff, module):
    make, attach, download = module
    record = make(staff_user)
    login(staff_user).post(reverse(attach, args=[record.pk]), _upload())
    attachment = attachment_list(record).get()
    outsider = login(other_department_staff)
    assert outsider.post(reverse(attach, args=[record.pk]), _upload("b.pdf")).status_code == 404
    assert outsider.get(reverse(download, args=[record.pk, attachment.pk])).status_code == 404
    assert attachment_list(record).count() == 1


@pytest.mark.spec("WF-3")
def test_an_attachment_of_another_record_is_a_404(media, login, staff_user, module):
    make, attach, download = module
    first, second = make(staff_user), make(staff_user)
    client = login(staff_user)
    client.post(reverse(attach, args=[first.pk]), _upload())
    attachment = attachment_list(first).get()
    assert client.get(reverse(download, args=[second.pk, attachment.pk])).status_code == 404


# --- the action bar (qsm.web.actions.TransitionView) on the visit page --------------------------------


@pytest.fixture
def visit(staff_user):
    from tests.builders.aftersales import visit_build

    return visit_build(actor=staff_user)  # planned, in the staff member's department


@pytest.mark.spec("WF-1", "VIS-1")
def test_the_visit_page_cancels_through_the_action_bar(login, staff_user, visit):
    from aftersales.models import Visit

    client = login(staff_user)
    fire = reverse("aftersales:visit-fire", args=[visit.pk])
    unknown = client.post(fire, {"action": "record", "comment": "x"})
    assert unknown.status_code == 409 and unknown.context["failed_action"] == "record"
    done = client.post(fire, {"action": "cancel", "comment": "客户已停产"}, follow=True)
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CANCELLED
    assert done.redirect_chain[0] == (visit.get_absolute_url(), 302)
    assert str(visit.get_status_display()) in " ".join(str(m) for m in done.context["messages"])
    again = client.post(fire, {"action": "cancel", "comment": "再次取消"})
    assert again.status_code == 409 and again.context["transition_form"] is not None


@pytest.mark.spec("ORG-1", "VIS-1")
def test_another_departments_visit_is_a_404_for_the_action_bar(login, other_department_staff, visit):
    from aftersales.models import Visit

    outsider = login(other_department_staff)
    assert outsider.get(visit.get_absolute_url()).status_code == 404
    response = outsider.post(reverse("aftersales:visit-fire", args=[visit.pk]), {"action": "cancel", "comment": "x"})
    assert response.status_code == 404
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PLANNED
