"""Templates: what a Django template would print to the user by mistake."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Django's {# ... #} comment ends on its own line; one spread over several lines is printed as text.
MULTILINE_COMMENT = re.compile(r"\{#(?:(?!#\}).)*$", re.M)


def test_no_template_has_a_comment_that_would_be_printed():
    offenders = [f"{path.relative_to(TEMPLATES)}:{text[:m.start()].count(chr(10)) + 1}"
                 for path in TEMPLATES.rglob("*.html")
                 for text in [path.read_text(encoding="utf-8")]
                 for m in MULTILINE_COMMENT.finditer(text)]
    assert offenders == [], "use {% comment %} for comments over several lines"


def test_the_scan_finds_a_multiline_comment():
    assert MULTILINE_COMMENT.search("{% load i18n %}{# first line\nsecond line #}<p>")
    assert not MULTILINE_COMMENT.search("{# one line #}\n<p>{# another #}</p>")


@pytest.mark.django_db
def test_record_pages_print_no_template_syntax(client, staff_user):
    from tests.builders.inquiries import inquiry_in

    inquiry = inquiry_in("answered", actor=staff_user)
    client.force_login(staff_user)
    html = client.get(inquiry.get_absolute_url()).content.decode()
    assert "{#" not in html and "#}" not in html and "{%" not in html
