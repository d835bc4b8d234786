"""SEC-1 for quality control: every POST form of the quality pages (read from the rendered pages, as
the core sweep ``tests/security/test_hostile_input.py`` does) refuses a control character and a
10,000-character string in each text field with a field error in Chinese: never a 500, never saved
(a redirect). The core sweep covers the /api/quality/ operations from the schema.
"""
from __future__ import annotations

import re

import pytest
from django.test import Client

from assessment.inspections.models import Inspection
from tests.builders.assessment import a_checklist, a_notice, a_revision, a_session, an_inspection
from tests.security.test_hostile_input import _page_forms

pytestmark = pytest.mark.django_db

CONTROL, LONG = "a\x01b", "长" * 10_000
# A standard's own text (its process, content and quality requirements) is a document: 10,000
# characters are accepted there; control characters are refused all the same. The summary of
# changes is not a document (2,000 characters at most, QC-1): 10,000 are refused there.
DOCUMENT_FIELDS = {"process", "content", "requirements"}
# an error element of the page, with Chinese in it
ERROR = re.compile(r'class="[^"]*(invalid-feedback|text-danger|alert-danger)[^"]*"[^>]*>(?:\s*<[^>]+>)*\s*[^<]*'
                   r'[\u4e00-\u9fff]')


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def _targets(people):
    """(user, page) of every quality-control page people enter data on."""
    draft = a_revision(people=people, state="draft")
    notice = a_notice(people=people)
    inspection = an_inspection(people=people, inspector=people.quality, state=Inspection.Status.IN_PROGRESS)
    a_checklist(module="cases", name="售后服务检查表", people=people)
    session = a_session(people=people, trainer=people.quality, attendees=[people.member])
    q = people.quality
    return [
        (q, "/quality/standards/new/"), (q, f"/quality/standards/{draft.standard_id}/"),
        (q, f"/quality/standard-versions/{draft.pk}/"), (q, f"/quality/standard-versions/{draft.pk}/edit/"),
        (q, "/quality/checklists/new/"), (q, "/quality/inspection-plans/new/"), (q, "/quality/spot-checks/new/"),
        (q, inspection.get_absolute_url()),
        (q, "/quality/notices/new/"), (people.member, notice.get_absolute_url()),
        (people.manager, "/quality/training/plans/new/"), (q, session.get_absolute_url()),
    ]


@pytest.mark.spec("SEC-1", "QC-1", "QC-2", "QC-3", "QC-5")
def test_every_quality_form_refuses_control_characters_and_10k_strings_in_chinese(people):
    sent, fields = 0, set()
    failures = []
    for user, url in _targets(people):
        client = _client(user)
        for form in _page_forms(client, url):
            for name, kind in form["fields"]:
                if kind != "text":
                    continue
                fields.add((form["action"], name))
                for value in (CONTROL,) if name in DOCUMENT_FIELDS and "standard-versions" in form["action"] \
                        else (CONTROL, LONG):
                    response = client.post(form["action"], {**form["data"], name: value})
                    sent += 1
                    label = f"{url} -> {form['action']} {name}={value[:8]!r}: {response.status_code}"
                    if response.status_code >= 500 or response.status_code in (301, 302):
                        failures.append(label)
                    elif not ERROR.search(response.content.decode()):
                        failures.append(label + " (no Chinese error shown)")
    assert not failures, "\n".join(failures)
    names = {n for _a, n in fields}
    # the sweep reached the forms of every concern
    assert {"title", "requirement", "cause", "comment"} <= names, names
    assert sent > 40, sent
