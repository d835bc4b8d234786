"""One customer per normalised name, and per unified social credit code when given (issue 7: two
quick-creates of the same customer at the same moment made two customers).

Existing duplicates (same normalised name) cannot simply be merged here: inquiries, orders and every
later record point at them, and which one is right is a person's call. The oldest row keeps its name;
each later one gets " #<id>" appended to its name, and a line in its notes says which customer it
duplicates, so an administrator can merge or rename them. Nothing else changes, and the unique index
can then be built.
"""
import unicodedata

from django.db import migrations, models


def _key(name: str) -> str:  # qsm.org.models.customer_name_key, frozen here
    return " ".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


def fill_keys_and_disambiguate(apps, schema_editor):
    Customer = apps.get_model("org", "Customer")
    first_of: dict[str, int] = {}
    batch = []
    for customer in Customer.objects.order_by("id").only("id", "name", "notes").iterator(chunk_size=2000):
        key = _key(customer.name)
        if key in first_of:
            original = first_of[key]
            suffix = f" #{customer.pk}"
            customer.name = " ".join(customer.name.split())
            while key in first_of:  # " #<id>" taken as a name already: add it again
                customer.name = customer.name[:200 - len(suffix)] + suffix
                key = _key(customer.name)
            note = f"[duplicate of customer #{original}: renamed when customer names became unique]"
            customer.notes = f"{customer.notes}\n{note}".strip()
        first_of[key] = customer.pk
        customer.name_key = key
        batch.append(customer)
        if len(batch) >= 2000:
            Customer.objects.bulk_update(batch, ["name", "name_key", "notes"])
            batch = []
    if batch:
        Customer.objects.bulk_update(batch, ["name", "name_key", "notes"])


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0007_product_whole_units"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=200, verbose_name="normalised name"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="customer",
            name="credit_code",
            field=models.CharField(blank=True, help_text="18 characters; unique when given.", max_length=18,
                                   verbose_name="unified social credit code", default=""),
            preserve_default=False,
        ),
        migrations.RunPython(fill_keys_and_disambiguate, migrations.RunPython.noop),
    ]
