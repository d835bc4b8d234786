"""UI in Simplified Chinese first: every source string has a Chinese translation."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def _untranslated(po: polib.POFile) -> list[str]:
    return [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


def test_committed_catalogue_is_complete_and_consistent():
    po = polib.pofile(str(PO))
    assert len(po) > 300
    assert _untranslated(po) == []
    for e in po:
        if e.msgid_plural:
            continue
        assert set(PLACEHOLDER.findall(e.msgid)) == set(PLACEHOLDER.findall(e.msgstr)), e.msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_no_source_string_is_missing_from_the_catalogue(tmp_path, settings, monkeypatch):
    monkeypatch.chdir(ROOT)  # makemessages reads the source tree below the working folder
    # given a copy of the catalogue, refreshed from the source as makemessages would
    target = tmp_path / "locale"
    shutil.copytree(ROOT / "locale", target)
    settings.LOCALE_PATHS = [target]
    call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0,
                 ignore_patterns=[".venv/*", "node_modules/*", "static/*", "staticfiles/*", "tests/*", "var/*",
                                  "test-artifacts/*"])
    # then nothing new is untranslated
    refreshed = polib.pofile(str(target / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert _untranslated(refreshed) == []


@pytest.mark.django_db
def test_pages_speak_chinese_by_default_and_english_on_request(client, staff_user):
    client.force_login(staff_user)
    page = client.get("/").content.decode()
    assert "我的工作" in page
    client.post("/language/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "My work" in page and "我的工作" not in page
