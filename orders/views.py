"""Order pages: for now the list, the record page and converting an inquiry (PRE-4).

The review, delivery and installation pages (ORD-1..4) come with the orders module's own work.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from presales.selectors import inquiry_get
from presales.views import render_inquiry_page
from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.views import keyset_paginate
from qsm.workflow.selectors import timeline

from .selectors import order_get, order_list
from .services import order_create_from_inquiry


class OrderListView(LoginRequiredMixin, View):
    def get(self, request):
        page = keyset_paginate(order_list(user=request.user), request, keys=("created_at", "id"), descending=True)
        return render(request, "orders/order_list.html", {"page": page, "orders": page.rows})


class OrderDetailView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        order = order_get(user=request.user, pk=pk)
        return render(request, "orders/order_detail.html", {
            "order": order, "lines": list(order.lines.all()), "timeline": timeline(order),
        })


class OrderFromInquiryView(LoginRequiredMixin, View):
    """PRE-4: the department an inquiry was handed to turns it into an order and lands on it.

    Refusals re-render the inquiry page like its own actions do: 409 with the reason, 403 for a
    user of the wrong department (raised by the transition), 404 outside the user's scope.
    """

    def post(self, request, pk: int):
        inquiry = inquiry_get(user=request.user, pk=pk)
        try:
            order = order_create_from_inquiry(inquiry=inquiry, actor=request.user)
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            return render_inquiry_page(request, inquiry_get(user=request.user, pk=pk), status=409)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
            return render_inquiry_page(request, inquiry_get(user=request.user, pk=pk))
        messages.success(request, _("Order %(number)s was created from inquiry %(inquiry)s.")
                         % {"number": order.number, "inquiry": inquiry.number})
        return redirect(order)
