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
    # given a copy of the source and the catalogue: makemessages writes temporary files next to
    # each template and rewrites the catalogue, and nothing of that may touch the checkout, which
    # other test processes (pytest-xdist) read at the same time
    source = tmp_path / "source"
    source.mkdir()
    skip = {".venv", "node_modules", "static", "staticfiles", "tests", "var", "test-artifacts", ".git", "docs"}
    for entry in ROOT.iterdir():
        if entry.name in skip or entry.name.startswith("."):
            continue
        if entry.is_dir():
            shutil.copytree(entry, source / entry.name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy2(entry, source / entry.name)
    monkeypatch.chdir(source)  # makemessages reads the source tree below the working folder
    target = source / "locale"
    settings.LOCALE_PATHS = [target]
    # when the catalogue is refreshed from the source as makemessages would
    call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0)
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
