"""SEARCH-1 / PERF-1: the n-gram functions of qsm.search (built-in PostgreSQL only, so the embedded
server has them too) and the customer's search indexes. The trigram index on the name is dropped:
the grams index serves every query it served and the two-character words it could not."""

import django.contrib.postgres.indexes
from django.db import migrations

import qsm.search
from qsm import trgm


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0011_labels'),
    ]

    operations = [
        migrations.RunSQL(qsm.search.CREATE_FUNCTIONS_SQL, qsm.search.DROP_FUNCTIONS_SQL),
        migrations.RunPython(trgm.drop_index("customer_name_trgm"),
                             trgm.create_trigram_index("org_customer", "name", "customer_name_trgm")),
        migrations.AddIndex(
            model_name='customer',
            index=django.contrib.postgres.indexes.GinIndex(qsm.search.Grams('name'), name='customer_name_grams'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=django.contrib.postgres.indexes.GinIndex(qsm.search.Grams('phone', 'email'), name='customer_contact_grams'),
        ),
        migrations.AddIndex(
            model_name='contact',
            index=django.contrib.postgres.indexes.GinIndex(qsm.search.Grams('phone'), name='contact_phone_grams'),
        ),
        # The planner and qsm.search's estimate read the new indexes' statistics: gather them now.
        migrations.RunSQL("ANALYZE org_customer", migrations.RunSQL.noop),
        migrations.RunSQL("ANALYZE org_contact", migrations.RunSQL.noop),
    ]
