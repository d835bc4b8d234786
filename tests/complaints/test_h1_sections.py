"""The record page's section registry (complaints.sections): the parts of the module add their
sections without the page importing them; shown in order, hidden when their context is None."""
from __future__ import annotations

import pytest

from complaints import sections


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(sections, "_sections", {})
    return sections


def test_sections_render_in_order_and_hide_without_context(registry):
    registry.register_section("plans", 30, "complaints/_plans.html", lambda c, u: {"plans": [c, u]})
    registry.register_section("investigation", 20, "complaints/_investigation.html")
    registry.register_section("report", 40, "complaints/_report.html", lambda c, u: None)
    shown = registry.page_sections("complaint", "user")
    assert [(s["key"], s["template"]) for s in shown] == [("investigation", "complaints/_investigation.html"),
                                                          ("plans", "complaints/_plans.html")]
    assert shown[1]["context"] == {"plans": ["complaint", "user"]} and shown[0]["context"] == {}


def test_registering_a_key_again_replaces_it(registry):
    registry.register_section("plans", 30, "a.html")
    registry.register_section("plans", 10, "b.html")
    assert [(s.key, s.order, s.template) for s in registry.sections()] == [("plans", 10, "b.html")]
    registry.unregister_section("plans")
    assert registry.sections() == []
