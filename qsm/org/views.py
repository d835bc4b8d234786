"""ORG-2 pages: customers (list, page with the whole history, type-ahead lookup, quick create)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from qsm import registry
from qsm.parsing import clean_search_term
from qsm.views import DomainErrorMixin, keyset_paginate

from . import services
from .forms import CustomerForm, customer_lookup_rows
from .labels import person_label
from .models import Customer, User
from .selectors import customer_list, customer_search, user_search


class CustomerListView(LoginRequiredMixin, View):
    def get(self, request):
        term = clean_search_term(request.GET.get("q", ""))
        page = keyset_paginate(customer_list(user=request.user, term=term), request, keys=("name", "id"),
                               descending=False)
        return render(request, "org/customer_list.html", {
            "page": page, "customers": page.rows, "q": term,
            "can_add_customer": request.user.has_perm("org.add_customer"),
        })


class CustomerDetailView(LoginRequiredMixin, View):
    """ORG-2: the customer's data, contacts and whole history; each module's section is scoped by its
    own provider, so a department sees only the records it may open."""

    def get(self, request, pk: int):
        try:
            customer = customer_list(user=request.user).prefetch_related("contacts").get(pk=pk)
        except Customer.DoesNotExist:
            raise Http404(_("No such customer.")) from None
        return render(request, "org/customer_detail.html", {
            "customer": customer,
            "contacts": list(customer.contacts.all()),
            "history": registry.customer_history(customer, request.user),
        })


class CustomerLookupView(LoginRequiredMixin, View):
    """Type-ahead for the intake forms: an HTML fragment of up to 10 customers matching name or phone.

    Each match is a radio input named ``customer`` so the picked customer is a plain form field.
    """

    def get(self, request):
        term = clean_search_term(request.GET.get("q") or request.GET.get("customer_q") or "")
        customers = customer_lookup_rows(customer_search(term=term, limit=10).prefetch_related("contacts")) if term else []
        return render(request, "org/_customer_lookup.html", {"customers": customers, "term": term})


class UserLookupView(LoginRequiredMixin, View):
    """Type-ahead of the people filters (owner, engineer) of the list pages: an HTML fragment of up
    to 10 active people whose name or login matches. A select listing every active user cost each
    list page ~2,000 rendered options (PERF-1); each match is a radio input named after the filter,
    and picking one applies it (static/js/qsm.js)."""

    FIELDS = ("owner", "engineer", "trainer")  # trainer: the training session list (QC-5)

    def get(self, request):
        field = request.GET.get("field", "")
        if field not in self.FIELDS:
            return HttpResponseBadRequest(_("Unknown filter."))
        term = clean_search_term(request.GET.get(f"{field}_q") or request.GET.get("q") or "")
        people = user_search(term=term, limit=10) if term else []
        return render(request, "org/_user_lookup.html", {"people": people, "term": term, "field": field})


class PeopleOptionsView(LoginRequiredMixin, View):
    """Type-ahead of the forms' people pickers (qsm.web.forms.PeopleField, PersonField): JSON
    options, up to 20 active people whose name or login matches ``q``. The picker renders only the
    people already picked; a select of every active person was ~2,000 options (170 KB) on each
    record page that offered it (PERF-1).

    A module narrows it to a record's own people (who may own a step of this case) by overriding
    ``people``: load the record through its visibility selector (404 otherwise) and return the
    queryset its service validates against, so the picker offers exactly what will be accepted."""

    LIMIT = 20

    def people(self, request, **kwargs) -> QuerySet[User] | None:
        """The people to search; None searches the whole company."""
        return None

    def get(self, request, **kwargs):
        scope = self.people(request, **kwargs)
        term = clean_search_term(request.GET.get("q") or "")
        people = user_search(term=term, limit=self.LIMIT, among=scope) if term else []
        return JsonResponse({"results": [{"value": str(u.pk), "text": person_label(u)} for u in people]})


class UserOptionsView(PeopleOptionsView):
    """The whole company's people (invitations, engineers)."""


class CustomerCreateView(LoginRequiredMixin, DomainErrorMixin, View):
    """Quick create (ORG-2): a page of its own, or the list page's modal through htmx."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm("org.add_customer"):
            raise PermissionDenied(_("You are not allowed to create customers."))
        return super().dispatch(request, *args, **kwargs)

    def template(self) -> str:
        return "org/_customer_form.html" if self.request.htmx else "org/customer_form.html"

    def get(self, request):
        form = CustomerForm(initial={"name": request.GET.get("name", "")})
        return render(request, self.template(), {"form": form})

    def post(self, request):
        form = CustomerForm(request.POST)
        if form.is_valid():
            customer, error = self.run_service(services.customer_create, form=form, actor=request.user,
                                               **form.cleaned_data)
            if error is None:
                if customer.already_on_file:
                    messages.info(request, _("%(name)s is already on file: its page is shown.") % {"name": customer.name})
                else:
                    messages.success(request, _("Customer %(name)s was created.") % {"name": customer.name})
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = customer.get_absolute_url()
                    return response
                return redirect(customer)
        # Nothing was saved: the form comes back with its errors as a 400 (htmx swaps 400 into the
        # modal, see the htmx-config in base.html).
        return render(request, self.template(), {"form": form}, status=400)
