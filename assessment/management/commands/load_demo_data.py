"""DATA-1: load a realistic demo data set into an empty database.

Departments, users of every role (one documented password), customers, products and a year of
pre-sales inquiries in every state, with discussions, tailored solutions, communication logs and
hand-overs; and orders in every state, some converted from those inquiries and some entered
directly, with review rounds (returned and amended, waivers), production, partial and rejected
deliveries, progress updates and answered questions, installations in every state (some
rejected at acceptance, then accepted), late orders flagged by the late-risk sweep, and
follow-up visits due; after-sales cases in every state (general and complex with special plans,
reopened, overdue, waiting for the customer) and the follow-up visits planned from the queue, done
by phone and by survey link with a spread of scores, low scores opening new cases. Every record
is written through the domain services, each step at its own moment of the past year
(time-machine moves the clock), so numbers, timelines, deadlines, reminders and notifications
are what real use would have produced.

Each app builds its own part (``qsm/org/demo.py``, ``presales/demo.py``, ``orders/demo.py``,
``aftersales/demo.py``, ...,
declared on its AppConfig as ``demo_data``); this command only checks the database is empty,
runs them in dependency order in one transaction (``qsm.demo.demo_load``) and reports.

    manage.py load_demo_data [--if-empty] [--seed N] [--small]
"""
from __future__ import annotations

import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aftersales.models import Case, Visit
from orders.models import Delivery, Installation, Order, ReviewRound
from presales.models import Inquiry
from qsm.demo import demo_load
from qsm.notify.models import Notification
from qsm.org.demo import LOGINS_FILE, logins_text  # noqa: F401  (LOGINS_FILE: the file make run prints)
from qsm.org.models import Customer, Department, Product, User
from qsm.sla.models import Deadline
from qsm.workflow.models import Event

S = Inquiry.Status
OS = Order.Status
IS = Installation.Status


class Command(BaseCommand):
    help = "Load demo data (departments, users of every role, customers, a year of records) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing (and succeed) when the database already has departments.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--small", action="store_true",
                            help="Every state, fewer records (about 25 inquiries): for tests.")

    def handle(self, *args, if_empty: bool = False, seed: int = 2026, small: bool = False, **options):
        if Department.objects.exists():
            message = "The database already has data (departments exist); demo data is loaded only into an empty database."
            if if_empty:
                self.stdout.write(message + " Nothing loaded.")
                return
            raise CommandError(message)
        started = time.monotonic()
        # Each app builds its part (AppConfig.demo_data, in dependency order), then the year runs,
        # all in one transaction.
        demo_load(seed=seed, small=small)
        self._print_logins()
        self._report(time.monotonic() - started)

    def _print_logins(self) -> None:
        # docs/demo-logins.txt holds the same text (a test keeps them equal); `make run` prints it.
        self.stdout.write("Demo logins:\n" + logins_text())

    def _report(self, seconds: float) -> None:
        now = timezone.now()
        today = timezone.localdate()
        statuses = Counter(Inquiry.objects.values_list("status", flat=True))
        overdue = Inquiry.objects.filter(status__in=Inquiry.OPEN_STATES, due_at__lt=now).count()
        months = Inquiry.objects.dates("received_at", "month").count()
        counts = {
            "departments": Department.objects.count(),
            "users": User.objects.count(),
            "customers": Customer.objects.count(),
            "products": Product.objects.count(),
            "inquiries": sum(statuses.values()),
            "orders": Order.objects.count(),
            "deliveries": Delivery.objects.count(),
            "installations": Installation.objects.count(),
            "timeline events": Event.objects.count(),
            "deadlines": Deadline.objects.count(),
            "notifications": Notification.objects.count(),
        }
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {seconds:.1f} s: "
                                             + ", ".join(f"{v} {k}" for k, v in counts.items())))
        self.stdout.write("Inquiries by status: " + ", ".join(f"{s} {statuses.get(s, 0)}" for s in S.values)
                          + f"; {overdue} overdue; received over {months} months.")
        order_statuses = Counter(Order.objects.values_list("status", flat=True))
        late = Order.objects.filter(status__in=Order.UNDELIVERED_STATES, promised_date__lt=today).count()
        self.stdout.write(
            "Orders by status: " + ", ".join(f"{s} {order_statuses.get(s, 0)}" for s in OS.values)
            + f"; {Order.objects.filter(source_inquiry__isnull=False).count()} from inquiries; {late} late; "
            f"{Order.objects.filter(risk_flagged_at__isnull=False).count()} flagged at risk; "
            f"{ReviewRound.objects.filter(outcome=ReviewRound.Outcome.RETURNED).count()} review rounds returned; "
            f"{Order.objects.filter(follow_up_due_at__isnull=False).count()} follow-up visits due.")
        installations = Counter(Installation.objects.values_list("status", flat=True))
        deliveries = Counter(Delivery.objects.values_list("status", flat=True))
        self.stdout.write("Installations: " + ", ".join(f"{s} {installations.get(s, 0)}" for s in IS.values)
                          + "; deliveries: " + ", ".join(f"{s} {deliveries.get(s, 0)}" for s in Delivery.Status.values)
                          + ".")
        cases = Counter(Case.objects.values_list("status", flat=True))
        visits = Counter(Visit.objects.values_list("status", flat=True))
        methods = Counter(Visit.objects.exclude(method="").values_list("method", flat=True))
        self.stdout.write("After-sales cases: " + ", ".join(f"{s} {cases.get(s, 0)}" for s in Case.Status.values)
                          + f"; {Case.objects.filter(reopen_count__gt=0).count()} reopened; "
                          f"{Case.objects.filter(status__in=Case.OPEN_STATES, due_at__lt=now).count()} overdue. "
                          "Visits: " + ", ".join(f"{s} {visits.get(s, 0)}" for s in Visit.Status.values)
                          + f" ({methods.get('phone', 0)} by phone, {methods.get('link', 0)} by link); "
                          f"{Case.objects.filter(source_visit__isnull=False).count()} cases opened from low scores.")
