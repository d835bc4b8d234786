"""ADMIN-1: the SLA policies of pre-sales are named in Chinese only (they read "咨询首次响应 / first response"): an
administrator renames a policy freely, so only a name still as first written is changed."""
from django.db import migrations

RENAMES = {
    '咨询首次响应 / first response': '咨询首次响应',
    '电话咨询首次响应 / first response, phone': '电话咨询首次响应',
    '在线客服首次响应 / first response, chat': '在线客服首次响应',
    '业务部门确认交接 / hand-over acknowledgement': '业务部门确认交接',
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
        ("presales", "0006_remove_discussion_models"),
        ("sla", "0002_default_calendar_and_policies"),
    ]

    operations = [migrations.RunPython(rename, restore)]
