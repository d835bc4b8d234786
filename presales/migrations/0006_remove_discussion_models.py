"""PRE-3: the old discussion tables go; their rows were copied into qsm.discussions by 0005.

Whole-model deletes, children first: unapplied, the tables come back with their fields and the
version constraint in one piece (the parent first)."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('presales', '0005_discussions_to_core'),
    ]

    operations = [
        migrations.DeleteModel(name='DiscussionNote'),
        migrations.DeleteModel(name='Solution'),
        migrations.DeleteModel(name='Discussion'),
    ]
