"""Products say whether they are counted in whole units (issue 7: 1.5 robots were accepted).

Every product starts as counted in whole units; ``orders`` 0010 turns the flag off for a product
some order line already holds a fraction of. An administrator changes the flag in the admin.
"""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0006_department_is_production"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="whole_units",
            field=models.BooleanField(default=True, help_text="Order quantities of this product must be whole numbers.",
                                      verbose_name="counted in whole units"),
        ),
    ]
