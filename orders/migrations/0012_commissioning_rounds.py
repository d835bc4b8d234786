"""ORD-3: every commissioning is its own round, never overwritten.

Before this, commissioning again after a rejected acceptance overwrote the installation's one
commissioning record. The record that is left becomes a round: numbered after the commissionings
the timeline counts (an earlier, overwritten one keeps its number, its content is lost), recorded by
whoever fired the last "commission" (null when the timeline does not say).
"""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def forwards(apps, schema_editor):
    Installation = apps.get_model("orders", "Installation")
    CommissioningRound = apps.get_model("orders", "CommissioningRound")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Event = apps.get_model("workflow", "Event")
    ct = ContentType.objects.filter(app_label="orders", model="installation").first()
    rows = []
    kept = Installation.objects.exclude(commissioned_at__isnull=True, site_work="", commissioning_checklist=[])
    for installation in kept.iterator():
        events = (Event.objects.filter(content_type=ct, object_id=installation.pk, kind="transition",
                                       action="commission").order_by("-created_at", "-id")
                  if ct is not None else Event.objects.none())
        last = events.first()
        rows.append(CommissioningRound(
            installation=installation, number=max(events.count(), 1), site_work=installation.site_work,
            checklist=installation.commissioning_checklist or [], measurements=installation.measurements or [],
            notes=installation.commissioning_notes,
            recorded_by_id=last.actor_id if last is not None else None,
            commissioned_at=installation.commissioned_at or (last.created_at if last else installation.created_at),
        ))
    CommissioningRound.objects.bulk_create(rows, batch_size=500)


def backwards(apps, schema_editor):
    Installation = apps.get_model("orders", "Installation")
    CommissioningRound = apps.get_model("orders", "CommissioningRound")
    for installation in Installation.objects.iterator():
        last = CommissioningRound.objects.filter(installation=installation).order_by("-number").first()
        if last is not None:
            Installation.objects.filter(pk=installation.pk).update(
                site_work=last.site_work, commissioning_checklist=last.checklist, measurements=last.measurements,
                commissioning_notes=last.notes)


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0011_fractional_products"),
        ("workflow", "0002_event_actor_via_and_kinds"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CommissioningRound",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveSmallIntegerField(verbose_name="round")),
                ("site_work", models.TextField(blank=True, verbose_name="work done on site")),
                ("checklist", models.JSONField(blank=True, default=list, verbose_name="commissioning checklist")),
                ("measurements", models.JSONField(blank=True, default=list, verbose_name="measurements")),
                ("notes", models.TextField(blank=True, verbose_name="commissioning notes")),
                ("commissioned_at", models.DateTimeField(verbose_name="commissioned at")),
                ("installation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                   related_name="commissioning_rounds", to="orders.installation")),
                ("recorded_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                                  related_name="+", to=settings.AUTH_USER_MODEL,
                                                  verbose_name="recorded by")),
            ],
            options={
                "verbose_name": "commissioning round",
                "verbose_name_plural": "commissioning rounds",
                "ordering": ["number"],
                "constraints": [models.UniqueConstraint(fields=("installation", "number"),
                                                        name="commissioning_round_unique")],
            },
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="installation", name="commissioning_checklist"),
        migrations.RemoveField(model_name="installation", name="commissioning_notes"),
        migrations.RemoveField(model_name="installation", name="measurements"),
        migrations.RemoveField(model_name="installation", name="site_work"),
    ]
