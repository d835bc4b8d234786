from .models import Notification


def notification_unread_count(*, user) -> int:
    # Bounded by the partial index on unread rows of one user; never a whole-table count.
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(*, user):
    return Notification.objects.filter(recipient=user)
