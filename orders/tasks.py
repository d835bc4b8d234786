from celery import shared_task

from .services import orders_flag_late_risk


@shared_task(name="orders.tasks.sweep_late_risk")
def sweep_late_risk() -> int:
    """ORD-2: beat runs this hourly; each order is flagged once (conditional update)."""
    return orders_flag_late_risk()
