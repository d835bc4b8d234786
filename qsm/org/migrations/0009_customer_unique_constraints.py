"""The unique indexes of 0007, in a transaction of their own (after the data was made unique)."""
from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0008_customer_unique_name"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.UniqueConstraint(fields=["name_key"], name="customer_name_key_unique"),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.UniqueConstraint(condition=~Q(credit_code=""), fields=["credit_code"],
                                               name="customer_credit_code_unique"),
        ),
    ]
