from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "qsm.org"
    label = "org"
    verbose_name = _("Organisation")
    # Rows every installation needs, reloaded into a flushed test database (qsm.registry).
    reference_data = "qsm.org.reference:load"
    # Its part of the demo data (DATA-1), built by `manage.py load_demo_data` in app order.
    demo_data = "qsm.org.demo:build"
    # What `manage.py bench` measures of it (PERF-1, qsm.bench).
    bench = "qsm.org.bench:lists"
    # Its part of the benchmark data (PERF-1), seeded by `manage.py seed_scale` in app order.
    scale_data = "qsm.org.scale:seeder"

    def ready(self) -> None:
        from django.contrib import admin
        from django.contrib.auth.models import Group

        from .models import Role

        # ADMIN-1: a role group is stored under its code (``has_role`` reads it), but everywhere a
        # person reads it (the user form, the list filters, the admin's history) it is the role's
        # name in the reader's language: 系统管理员, not ``administrator``.
        def group_str(group) -> str:
            return str(Role(group.name).label) if group.name in Role.values else group.name

        Group.__str__ = group_str

        # The admin's header and titles: QSM's name, not "Django 管理".
        admin.site.site_header = _("QSM quality service management")
        admin.site.site_title = _("QSM quality service management")
        admin.site.index_title = _("Administration")
