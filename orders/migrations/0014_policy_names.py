"""ADMIN-1: the SLA policies of orders are named in Chinese only (they read "订单审核 / order review"): an
administrator renames a policy freely, so only a name still as first written is changed."""
from django.db import migrations

RENAMES = {
    '订单审核 / order review': '订单审核',
}


def rename(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    for old, new in RENAMES.items():
        SlaPolicy.objects.filter(name=old).update(name=new)


def restore(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    for old, new in RENAMES.items():
        SlaPolicy.objects.filter(name=new).update(name=old)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0013_labels"),
    ]

    operations = [migrations.RunPython(rename, restore)]
