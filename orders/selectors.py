from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from qsm.org.rules import sees_everything

from .models import Order


def order_visible(*, user) -> QuerySet[Order]:
    qs = Order.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if sees_everything(user):
        return qs
    return qs.filter(Q(department_id=user.department_id) | Q(owner=user))


def order_list(*, user) -> QuerySet[Order]:
    return order_visible(user=user).select_related("customer", "department", "owner", "source_inquiry")


def order_get(*, user, pk) -> Order:
    try:
        return order_list(user=user).prefetch_related("lines__product").get(pk=pk)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such order.")) from None
