from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("In-sale service")
    # Rows every installation needs, reloaded into a flushed test database (qsm.registry).
    reference_data = "orders.reference:load"
    # Its part of the demo data (DATA-1), built by `manage.py load_demo_data` in app order.
    demo_data = "orders.demo:build"
    # What `manage.py bench` measures of it (PERF-1, qsm.bench).
    bench = "orders.bench:lists"
    # Its part of the benchmark data (PERF-1), seeded by `manage.py seed_scale` in app order.
    scale_data = "orders.scale:seeder"

    def ready(self) -> None:
        from qsm import registry

        from . import checks, workflows  # noqa: F401  (the system checks; the order, delivery and installation tables)
        from .selectors import order_customer_history, order_inbox
        from .timeline import register_texts

        registry.register_inbox(order_inbox, module="orders")
        from .selectors import order_for_intake, order_of_delivery

        registry.register_order_picker(find_order=order_for_intake, order_of_delivery=order_of_delivery)
        register_texts()  # how its service lines read on the timeline (WF-2)
        registry.register_customer_history(order_customer_history)
        from . import exports

        exports.register()  # its exports, for the pages, the API and the export jobs (qsm.exports)
        from . import summary

        summary.register()  # what a customer reads about an order on a survey page (qsm.summaries)
        from . import sampling

        sampling.register()  # QC-2: the records a spot check may sample (qsm.sampling)
