from .models import Notification

# The bell on every page shows at most "99+": it counts no further than that, so a quality officer
# with years of unread escalations costs every page the same as anyone else.
BELL_CAP = 100


def notification_unread_count(*, user, cap: int | None = None) -> int:
    """The user's unread notifications, read from the partial index on unread rows of one user;
    with ``cap``, counted only up to ``cap`` (a LIMIT inside the count)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    return unread[:cap].count() if cap else unread.count()


def notification_list(*, user):
    return Notification.objects.filter(recipient=user)
