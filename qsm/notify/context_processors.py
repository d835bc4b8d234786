from .selectors import BELL_CAP, notification_unread_count


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    count = notification_unread_count(user=user, cap=BELL_CAP)
    return {"unread_notifications": count, "unread_notifications_label": f"{BELL_CAP - 1}+" if count >= BELL_CAP else count}
