"""PERF-1 (issue 8): vacuum the deadlines after every few thousand claims, not after 20 % of the table.

Every claimed reminder level leaves a dead entry in its partial index (deadline_remind_open_idx,
deadline_due_open_idx) until the table is vacuumed, and the next sweeps walk over those entries.
At a million records (1.3M deadline rows) PostgreSQL's default threshold (20 % of the rows changed)
would leave 10,000 claims of one busy morning in the indexes for days; the sweep with nothing due
went from ~6 ms to ~90-170 ms in that state. A threshold of 2,000 rows plus 1 % keeps the indexes
as small as what is open and unclaimed.
"""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sla", "0007_field_labels")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE sla_deadline SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 2000, "
            "autovacuum_analyze_scale_factor = 0.02)",
            reverse_sql="ALTER TABLE sla_deadline RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, "
            "autovacuum_analyze_scale_factor)",
        ),
    ]
