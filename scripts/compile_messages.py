#!/usr/bin/env python3
"""Compile every locale/*/LC_MESSAGES/*.po into a .mo next to it, with pure-Python polib.

Django's `compilemessages` needs GNU gettext's msgfmt; this does the same job on a fresh machine
that only has the venv. Fuzzy and obsolete entries are left out, as msgfmt does.

Exit status 1 when a .po file cannot be parsed, or when a translation would crash at run time
because its placeholders do not fit the source string (a named placeholder the source lacks, or
a different number of positional ones) -- the cases `msgfmt --check-format` also refuses.

Usage: scripts/compile_messages.py [LOCALE_DIR ...]    (default: ./locale)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent

# printf-style placeholders as Python's % operator reads them: %(name)s, %s, %5.2f, but not %%.
PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[diouxXeEfFgGcrsa%])"
)
# str.format placeholders: {name}, {0}, {} (but not {{ or }}).
BRACE = re.compile(r"(?<!\{)\{(?P<field>[^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}")


def _percent_fields(text: str) -> tuple[set[str], int]:
    named, positional = set(), 0
    for m in PERCENT.finditer(text):
        if m.group("conv") == "%":
            continue
        if m.group("name") is not None:
            named.add(m.group("name"))
        else:
            positional += 1
    return named, positional


def _format_errors(entry: polib.POEntry) -> list[str]:
    """Placeholder mismatches that would raise KeyError/TypeError when the string is used."""
    if entry.msgid_plural:
        sources = [entry.msgid, entry.msgid_plural]
        translations = [s for _, s in sorted(entry.msgstr_plural.items()) if s]
    else:
        sources = [entry.msgid]
        translations = [entry.msgstr] if entry.msgstr else []
    errors = []
    if "python-format" in entry.flags:
        src_named = set().union(*(_percent_fields(s)[0] for s in sources))
        src_positional = {_percent_fields(s)[1] for s in sources}
        for text in translations:
            named, positional = _percent_fields(text)
            if named - src_named:
                errors.append(f"unknown placeholder(s) {sorted(named - src_named)}")
            # Plural forms may drop the count (Chinese often does), so only singular is strict.
            if not entry.msgid_plural and positional not in src_positional:
                errors.append(f"{positional} positional placeholder(s), source has {min(src_positional)}")
    if "python-brace-format" in entry.flags:
        src_fields = {m.group("field") for s in sources for m in BRACE.finditer(s)}
        for text in translations:
            fields = {m.group("field") for m in BRACE.finditer(text)}
            if fields - src_fields:
                errors.append(f"unknown placeholder(s) {sorted(fields - src_fields)}")
    return errors


def compile_po(po_path: Path) -> list[str]:
    """Write po_path's .mo; return the problems found (nothing is written when there are any)."""
    try:
        po = polib.pofile(str(po_path), wrapwidth=0)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return [f"cannot parse: {exc}"]
    problems = []
    for entry in po.translated_entries():
        for error in _format_errors(entry):
            problems.append(f"line {entry.linenum}: msgid {entry.msgid!r}: {error}")
    if not problems:
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
    return problems


def main(argv: list[str]) -> int:
    dirs = [Path(a) for a in argv] or [ROOT / "locale"]
    po_files = sorted(p for d in dirs for p in d.glob("*/LC_MESSAGES/*.po"))
    failed = 0
    for po_path in po_files:
        problems = compile_po(po_path)
        shown = po_path.relative_to(ROOT) if po_path.is_relative_to(ROOT) else po_path
        if problems:
            failed += 1
            print(f"messages: {shown}: FAILED", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
        else:
            print(f"messages: {shown} -> {shown.with_suffix('.mo').name}")
    if not po_files:
        print(f"messages: no .po files under {', '.join(str(d) for d in dirs)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
