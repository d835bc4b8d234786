"""The sections of a complaint's record page, contributed by the parts of the module.

The page (complaints/views/record.py) renders, in ``order``, every section registered here; each
part of the module registers its own in its module (investigation, plans and measures, the
customer's confirmation, the case report and prevention) without the page importing it::

    register_section("investigation", 20, "complaints/_investigation.html", investigation_context)

``context_fn(complaint, user)`` returns the template's extra context (or None: the section is not
shown, e.g. no plan yet). It reads with a fixed number of queries whatever the number of rows
(PERF-1) and only what ``user`` may see (the complaint itself was loaded through the scope).
Records of other modules shown on the page (and complaints shown on theirs) use the core's
``qsm.registry.register_record_section`` instead.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ContextFn = Callable[[Any, Any], "dict | None"]


@dataclass(frozen=True)
class Section:
    key: str  # a stable name: the HTML id of the section and its anchor (#investigation)
    order: int  # lower first
    template: str
    context_fn: ContextFn | None = None


_sections: dict[str, Section] = {}


def register_section(key: str, order: int, template: str, context_fn: ContextFn | None = None) -> Section:
    """Declare a section (idempotent: the same key registered again replaces the first)."""
    section = Section(key=key, order=order, template=template, context_fn=context_fn)
    _sections[key] = section
    return section


def unregister_section(key: str) -> None:
    _sections.pop(key, None)


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def page_sections(complaint, user) -> list[dict]:
    """What the record page renders: for each shown section its key, template and context."""
    shown = []
    for section in sections():
        context = section.context_fn(complaint, user) if section.context_fn else {}
        if context is None:
            continue
        shown.append({"key": section.key, "template": section.template, "context": context})
    return shown
