"""A later module adds sections to an earlier module's record page through the core registry
(qsm.registry.record_sections): the order page shows what after-sales registers for an order
without orders importing aftersales (DESIGN.md: dependencies flow one way)."""
from __future__ import annotations

import pytest

from qsm import registry
from qsm.registry import HistorySection
from tests.builders.orders import order_in


@pytest.fixture
def section_provider():
    """Register a section provider for the order page for one test, and take it away afterwards."""
    calls = []

    def provider(order, user):
        calls.append((order.pk, user.pk))
        if order.customer.name.endswith("无关"):
            return None
        return HistorySection(title="测试分区", columns=["编号", "得分"], key="test-section",
                              rows=[{"url": "/x/1/", "cells": ["HF-1", "2"]}, {"url": None, "cells": ["HF-2", "5"]}])

    registry.register_record_section("orders.Order", provider)
    yield calls
    registry._record_section_providers["orders.order"].remove(provider)


@pytest.mark.spec("ORG-2")
def test_the_order_page_shows_the_sections_other_modules_register_for_it(section_provider, client, sales_user,
                                                                        customer):
    # given an order and a provider registered for order pages
    order = order_in("approved", actor=sales_user, customer=customer)
    client.force_login(sales_user)

    # when its page is opened
    html = client.get(order.get_absolute_url()).content.decode()

    # then the section is on it, with the provider's rows, asked once for this order and user
    assert 'id="test-section"' in html and "测试分区" in html
    assert '<a href="/x/1/">HF-1</a>' in html and "HF-2" in html
    assert section_provider == [(order.pk, sales_user.pk)]
    # and the registry answers only for the model it was registered for
    assert registry.record_sections(customer, sales_user) == []


@pytest.mark.spec("ORG-2")
def test_a_provider_with_nothing_to_show_adds_no_section(section_provider, client, sales_user, customer):
    customer.name = "某某公司无关"
    customer.save(update_fields=["name"])
    order = order_in("approved", actor=sales_user, customer=customer)
    client.force_login(sales_user)

    html = client.get(order.get_absolute_url()).content.decode()

    assert section_provider and "测试分区" not in html and 'id="test-section"' not in html
    assert all(s.key != "test-section" for s in registry.record_sections(order, sales_user))
