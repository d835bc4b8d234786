"""ORG-2 (issue 7, h1): one customer per normalised name and per credit code; the migration that
made names unique keeps every existing row and marks the later duplicates for an administrator."""
from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from qsm.org.models import Customer, customer_name_key

BEFORE = [("org", "0007_product_whole_units")]
AFTER = [("org", "0009_customer_unique_constraints")]


@pytest.mark.spec("ORG-2")
def test_the_normalised_name():
    assert customer_name_key("  ＡＢＣ　机械（苏州）\t有限公司 ") == "abc 机械(苏州) 有限公司"
    assert customer_name_key("ABC 机械(苏州)") == customer_name_key("abc  机械（苏州）") == "abc 机械(苏州)"


@pytest.mark.spec("ORG-2")
@pytest.mark.django_db
def test_the_database_refuses_a_second_customer_of_one_name_or_code():
    Customer.objects.create(name="江南精密制造", credit_code="91320500ma1abcde2x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(name=" 江南精密制造　")
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(name="另一家", credit_code="91320500MA1ABCDE2X")
    Customer.objects.create(name="第三家")  # no code: many customers may have none
    Customer.objects.create(name="第四家")
    assert Customer.objects.count() == 3


@pytest.mark.spec("ORG-2")
@pytest.mark.django_db(transaction=True)
def test_existing_duplicates_are_kept_and_marked_not_merged():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("org", "Customer")
    try:
        first = old.objects.create(name="华东机械")
        second = old.objects.create(name="华东机械")  # the same name, entered again
        third = old.objects.create(name=" 华东机械 ", notes="老客户")
        other = old.objects.create(name="江南精密")
        MigrationExecutor(connection).migrate(AFTER)
    finally:
        MigrationExecutor(connection).migrate(latest)
    rows = {c.pk: c for c in Customer.objects.all()}
    assert rows[first.pk].name == "华东机械" and rows[other.pk].name == "江南精密"
    assert rows[second.pk].name == f"华东机械 #{second.pk}" and f"#{first.pk}" in rows[second.pk].notes
    assert rows[third.pk].name == f"华东机械 #{third.pk}" and rows[third.pk].notes.startswith("老客户\n")
    assert len({c.name_key for c in rows.values()}) == 4


@pytest.mark.spec("ADMIN-1", "ORD-1")
@pytest.mark.django_db
def test_an_administrator_sets_whether_a_product_is_counted_in_whole_units(admin_client):
    from django.urls import reverse

    from tests.factories import ProductFactory

    product = ProductFactory(code="SV-TRAIN", name="操作与编程培训")
    url = reverse("admin:org_product_change", args=[product.pk])
    form = admin_client.get(url).content.decode()
    assert 'name="whole_units"' in form and "checked" in form.split('name="whole_units"')[1].split(">")[0]

    response = admin_client.post(url, {"code": product.code, "name": product.name, "kind": "service",
                                       "product_line": "", "list_price": "12000", "is_active": "on"})

    assert response.status_code == 302
    product.refresh_from_db()
    assert product.whole_units is False
