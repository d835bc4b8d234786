"""Events record who (staff, customer through a link, system) and through what (via).

Events written before this are marked: actor_kind "system" where no user is named, via blank
("not recorded"): the old rows do not say whether a page or the API wrote them.
"""

import django.db.models.deletion
from django.db import migrations, models


def _mark_actorless_events_as_system(apps, schema_editor):
    Event = apps.get_model("workflow", "Event")
    Event.objects.filter(actor__isnull=True).update(actor_kind="system")


class Migration(migrations.Migration):

    dependencies = [
        ('links', '0001_signed_links'),
        ('workflow', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='event',
            name='data',
            field=models.JSONField(blank=True, default=dict, verbose_name='data'),
        ),
        migrations.AddField(
            model_name='event',
            name='actor_kind',
            field=models.CharField(choices=[('user', 'staff'), ('customer', 'customer'), ('system', 'system')], default='user', max_length=10, verbose_name='actor kind'),
        ),
        migrations.AddField(
            model_name='event',
            name='actor_label',
            field=models.CharField(blank=True, max_length=100, verbose_name='actor name'),
        ),
        migrations.AddField(
            model_name='event',
            name='link',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='links.signedlink', verbose_name='customer link'),
        ),
        migrations.AddField(
            model_name='event',
            name='via',
            field=models.CharField(blank=True, choices=[('page', 'page'), ('api', 'API'), ('link', 'customer link'), ('system', 'system')], default='', max_length=10, verbose_name='via'),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='event',
            name='via',
            field=models.CharField(blank=True, choices=[('page', 'page'), ('api', 'API'), ('link', 'customer link'), ('system', 'system')], default='system', max_length=10, verbose_name='via'),
        ),
        migrations.RunPython(_mark_actorless_events_as_system, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='event',
            name='kind',
            field=models.CharField(choices=[('created', 'Created'), ('transition', 'Status change'), ('edit', 'Edit'), ('comment', 'Comment'), ('attachment', 'Attachment'), ('solution', 'Solution'), ('meeting_note', 'Meeting note'), ('communication', 'Communication'), ('review', 'Review')], max_length=20, verbose_name='kind'),
        ),
    ]
