"""SEARCH-1 / PERF-1: the search indexes of orders and deliveries (qsm.search)."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations, models

import qsm.search


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0015_h4_inbox_indexes'),
        ('org', '0012_h3_search_grams'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='delivery',
            index=django.contrib.postgres.indexes.GinIndex(qsm.search.Grams('carrier'), name='delivery_carrier_grams'),
        ),
        migrations.AddIndex(
            model_name='order',
            index=django.contrib.postgres.indexes.GinIndex(qsm.search.Grams('customer_reference'), name='order_reference_grams'),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(django.db.models.functions.text.Upper('number'), name='order_number_upper_idx'),
        ),
        # The planner and qsm.search's estimate read the new indexes' statistics: gather them now.
        migrations.RunSQL("ANALYZE orders_order", migrations.RunSQL.noop),
        migrations.RunSQL("ANALYZE orders_delivery", migrations.RunSQL.noop),
    ]
