"""A product that an order line already holds a fraction of stays fractional (issue 7).

``org`` 0006 counts every product in whole units from now on; a product evidently sold in fractions
before (hours, days) keeps taking fractions, so no existing order becomes impossible to amend.
Order lines without a unit price (accepted before issue 7) cannot be priced by a migration: they
stay as they are, the order page shows the total as incomplete, the review refuses to approve the
order until it is amended with a price, and every new or amended line needs one.
"""
from django.db import migrations
from django.db.models.functions import Mod


def fractional_products_stay_fractional(apps, schema_editor):
    Product = apps.get_model("org", "Product")
    OrderLine = apps.get_model("orders", "OrderLine")
    fractional = (OrderLine.objects.annotate(fraction=Mod("quantity", 1)).exclude(fraction=0)
                  .values_list("product_id", flat=True).distinct())
    Product.objects.filter(pk__in=list(fractional)).update(whole_units=False)


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0007_product_whole_units"),
        ("orders", "0010_production_steps"),
    ]

    operations = [
        migrations.RunPython(fractional_products_stay_fractional, migrations.RunPython.noop),
    ]
