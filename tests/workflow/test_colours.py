"""Status colours are declared by the module that owns the states (issue 6 §4)."""
from __future__ import annotations

import pytest
from django.template import Context, Template

from orders.models import Delivery, Order, ReviewFinding
from presales.models import Inquiry
from qsm.workflow.colours import COLOURS, colour_for, declare_colours, declared
from qsm.workflow.engine import _registry


def test_every_lifecycle_declares_a_colour_for_every_state():
    colours = declared()
    for model, wf in _registry.items():
        states = {value for value, _label in model._meta.get_field(wf.state_field).choices}
        assert set(colours[(model, wf.state_field)]) == states, model.__name__
        assert set(colours[(model, wf.state_field)].values()) <= COLOURS


def test_a_declaration_missing_a_state_or_naming_an_unknown_one_fails_at_once():
    with pytest.raises(ValueError, match="missing"):
        declare_colours(Delivery, {Delivery.Status.SHIPPED: "info"})
    with pytest.raises(ValueError, match="unknown"):
        declare_colours(Delivery, {**{s: "info" for s in Delivery.Status.values}, "lost": "dark"})
    with pytest.raises(ValueError, match="Bootstrap"):
        declare_colours(Delivery, {s: "pink" for s in Delivery.Status.values})
    assert colour_for(Delivery(status="rejected")) == "danger"  # the module's declaration still stands


def test_the_badge_uses_the_owning_module_colour_and_grey_for_the_undeclared():
    tpl = Template('{% load qsm_ui %}{% status_badge record field %}')
    returned_order = tpl.render(Context({"record": Order(status="returned"), "field": "status"}))
    assert "text-bg-danger" in returned_order and "status-returned" in returned_order
    assert "text-bg-info" in tpl.render(Context({"record": Inquiry(status="answered"), "field": "status"}))
    waived = tpl.render(Context({"record": ReviewFinding(result="waived"), "field": "result"}))
    assert "text-bg-warning" in waived
    # a field nobody declared colours for is grey, not an error
    assert "text-bg-secondary" in tpl.render(Context({"record": Order(status="review"), "field": "channel"}))
