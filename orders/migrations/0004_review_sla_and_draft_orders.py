"""ORD-1: the review SLA policy, and orders created before review rounds existed get their first round."""
from django.db import migrations


def forwards(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    Order = apps.get_model("orders", "Order")
    ReviewRound = apps.get_model("orders", "ReviewRound")
    SlaPolicy.objects.get_or_create(
        record_type="orders.order", stage="review", channel="", priority="",
        defaults={"name": "订单审核 / order review", "working_minutes": 480, "remind_at_percent": 75},
    )
    Order.objects.filter(status="draft").update(status="review")
    for order in Order.objects.filter(status="review").exclude(review_rounds__isnull=False):
        ReviewRound.objects.create(order=order, number=1)


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_order_review_delivery_installation"), ("sla", "0004_reminder_label")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
