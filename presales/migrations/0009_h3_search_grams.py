"""SEARCH-1 / PERF-1: the inquiry's search indexes (qsm.search). The trigram index on the subject is
dropped: the grams index serves every query it served and the two-character words it could not."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations, models

import qsm.search
from qsm import trgm


class Migration(migrations.Migration):

    dependencies = [
        ('presales', '0008_h4_inbox_indexes'),
        ('org', '0012_h3_search_grams'),
    ]

    operations = [
        migrations.RunPython(trgm.drop_index("inq_subject_trgm"),
                             trgm.create_trigram_index("presales_inquiry", "subject", "inq_subject_trgm")),
        migrations.AddIndex(
            model_name='inquiry',
            index=django.contrib.postgres.indexes.GinIndex(qsm.search.Grams('subject', 'contact_name', 'contact_phone'), name='inq_search_grams'),
        ),
        migrations.AddIndex(
            model_name='inquiry',
            index=models.Index(django.db.models.functions.text.Upper('number'), name='inq_number_upper_idx'),
        ),
        # The planner and qsm.search's estimate read the new indexes' statistics: gather them now.
        migrations.RunSQL("ANALYZE presales_inquiry", migrations.RunSQL.noop),
    ]
