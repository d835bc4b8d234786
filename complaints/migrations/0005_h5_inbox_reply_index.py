# INBOX-1 / PERF-1: "my work" lists the complaints whose reply the user still owes (received by them, not
# replied to, still being handled) through this partial index, led by the receiver and the sort keys.
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0004_h1_constraints"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(condition=models.Q(("replied_at__isnull", True),
                                                  ("status__in", ("received", "investigating", "planning"))),
                               fields=["received_by", "due_at", "received_at", "id"], name="cmp_inbox_reply_idx"),
        ),
    ]
