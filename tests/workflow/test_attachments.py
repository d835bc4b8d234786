"""WF-3: attachments are checked (type, size, content) and stored through Django's storage API."""
from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from qsm.errors import ValidationError
from qsm.workflow.models import Attachment, Event
from qsm.workflow.selectors import attachment_list
from qsm.workflow.services import attachment_add
from tests.builders.inquiries import new_inquiry

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def inquiry(staff_user):
    return new_inquiry(actor=staff_user)


def _stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


REFUSED = [
    pytest.param("setup.exe", b"MZ\x90\x00" + b"\x00" * 60, "file_type", id="wrong-extension"),
    pytest.param("noextension", PDF, "file_type", id="no-extension"),
    pytest.param("empty.pdf", b"", "file_empty", id="empty"),
    pytest.param("page.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "file_content",
                 id="html-renamed-pdf"),
    pytest.param("page.pdf", b"\n\n  <html><body>hi</body></html>", "file_content", id="html-with-whitespace"),
    pytest.param("photo.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", "file_content",
                 id="svg-renamed-png"),
    pytest.param("photo.jpg", PDF, "file_content", id="pdf-renamed-jpg"),
    pytest.param("notes.txt", b"\xef\xbb\xbf<html><script>alert(1)</script>", "file_content", id="html-as-text"),
    pytest.param("notes.txt", b"MZ\x90\x00 an executable", "file_content", id="exe-as-text"),
]


@pytest.mark.spec("WF-3")
@pytest.mark.parametrize("name, content, code", REFUSED)
def test_a_refused_file_is_neither_stored_nor_recorded(media, staff_user, inquiry, name, content, code):
    events = Event.objects.count()
    with pytest.raises(ValidationError) as refused:
        attachment_add(record=inquiry, upload=SimpleUploadedFile(name, content), actor=staff_user)
    assert refused.value.error_dict["file"][0].code == code
    assert refused.value.message_dict["file"][0]  # a message for the form / the API
    assert not Attachment.objects.exists() and Event.objects.count() == events
    assert _stored_files(media) == []


@pytest.mark.spec("WF-3")
def test_an_oversize_file_is_refused(media, settings, staff_user, inquiry):
    settings.ATTACHMENT_MAX_BYTES = 1024
    big = PDF + b"0" * 1024
    with pytest.raises(ValidationError) as refused:
        attachment_add(record=inquiry, upload=SimpleUploadedFile("report.pdf", big), actor=staff_user)
    assert refused.value.error_dict["file"][0].code == "file_size"
    # exactly at the limit is fine
    ok = attachment_add(record=inquiry, upload=SimpleUploadedFile("report.pdf", big[:1024]), actor=staff_user)
    assert ok.size == 1024


@pytest.mark.spec("WF-3")
@pytest.mark.parametrize("name, content, mime", [
    pytest.param("验收单.pdf", PDF, "application/pdf", id="pdf"),
    pytest.param("site-photo.PNG", _png(), "image/png", id="png"),
    pytest.param("C:\\Users\\wang\\scan.pdf", PDF, "application/pdf", id="windows-path"),
    pytest.param("list.csv", "型号,数量\nCNC-100,2\n".encode(), "text/csv", id="csv"),
])
def test_an_accepted_file_is_stored_through_django_storage(media, staff_user, inquiry, name, content, mime):
    # when a file is attached
    attachment = attachment_add(record=inquiry, upload=SimpleUploadedFile(name, content), actor=staff_user,
                                description="signed acceptance form")
    # then it is stored through the storage API, under MEDIA_ROOT, with its bytes intact
    assert default_storage.exists(attachment.file.name)
    assert attachment.file.name.startswith("attachments/presales/")
    with default_storage.open(attachment.file.name, "rb") as stored:
        assert stored.read() == content
    assert [p.read_bytes() for p in _stored_files(media)] == [content]
    # and recorded: name without any client path, size, type, who; listed and on the timeline
    expected_name = name.replace("\\", "/").rsplit("/", 1)[-1]
    assert (attachment.original_name, attachment.size, attachment.mime_type, attachment.uploaded_by) == (
        expected_name, len(content), mime, staff_user)
    assert list(attachment_list(inquiry)) == [attachment]
    event = Event.objects.get(kind=Event.Kind.ATTACHMENT, object_id=inquiry.pk)
    assert (event.comment, event.actor) == (expected_name, staff_user)


@pytest.mark.spec("WF-3")
def test_two_files_with_one_name_do_not_collide(media, staff_user, inquiry):
    first = attachment_add(record=inquiry, upload=SimpleUploadedFile("scan.pdf", PDF), actor=staff_user)
    second = attachment_add(record=inquiry, upload=SimpleUploadedFile("scan.pdf", PDF + b"v2"), actor=staff_user)
    assert first.file.name != second.file.name
    assert sorted(p.read_bytes() for p in _stored_files(media)) == sorted([PDF, PDF + b"v2"])
