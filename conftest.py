"""Root fixtures: departments and one user per role (STYLE.md, Tests)."""
from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from qsm.org.models import Department, Role
from tests.factories import CustomerFactory, DepartmentFactory, ProductFactory, UserFactory


def pytest_configure(config):
    # Tests render templates without running collectstatic first: no manifest lookup.
    django_settings.STORAGES = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    django_settings.WHITENOISE_USE_FINDERS = True
    from pathlib import Path

    Path(django_settings.STATIC_ROOT).mkdir(exist_ok=True)  # whitenoise warns on every request otherwise
    django_settings.AXES_ENABLED = False  # lockout has its own test; logins in tests must not trip it
    # API throttling too (tests/api/test_h5_auth.py): the whole suite calls from one address in a minute.
    django_settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]),
    }
    # Tasks queued by the code under test (e-mails on commit) run inline instead of landing in a
    # shared broker queue; the real-worker test turns this off for itself.
    from qsm.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    _isolate_the_cache()
    # Argon2 is slow on purpose, and every role fixture creates a user: tests hash with MD5.
    # Production keeps Argon2 (tests/test_project_setup.py checks qsm.settings itself).
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _isolate_the_cache():
    """PERF-1: the suite runs on the sessions production runs with a shared cache ("cached_db": the
    session read from the cache, written through to the database) whatever the machine, so query
    counts do not depend on whether a Redis broker is configured. On the broker's Redis, this run's
    keys get a prefix of their own (test database and xdist worker): parallel workers and other
    checkouts sharing the Redis never see each other's sessions or throttle counters."""
    import os

    from django.test.signals import setting_changed

    django_settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    default = django_settings.CACHES["default"]
    if default["BACKEND"] == "qsm.cache.RedisCache":
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        default["KEY_PREFIX"] = f"{default.get('KEY_PREFIX', 'qsm')}:test:{django_settings.DATABASES['default']['TEST']['NAME']}:{worker}"
    # The cache handler may have read the settings already: Django's own handler makes it read them again.
    setting_changed.send(sender=None, setting="CACHES", value=django_settings.CACHES, enter=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache (its own keys only: qsm.cache.RedisCache.clear): no
    session, throttle counter or cached value of an earlier test reaches it."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(scope="session", autouse=True)
def _no_stray_sessions_at_teardown(django_db_setup, django_db_blocker):
    """Threads and subprocesses of the concurrency, live-server and worker tests may leave a
    session on the test database; end them so the database can be dropped cleanly."""
    from django.db import connection

    from qsm.registry import load_reference_data
    from qsm.sla.models import WorkCalendar

    # pytest-django sets up no test database when no collected test needs one: then the
    # connection still names the real database, which this fixture must not touch.
    on_test_database = connection.settings_dict["NAME"] == connection.settings_dict["TEST"]["NAME"]
    if on_test_database:
        with django_db_blocker.unblock():
            # A database kept with --reuse-db after a run that ended on a transactional test was
            # flushed: put the reference data back before the first test relies on it.
            if not WorkCalendar.objects.exists():
                load_reference_data()
    yield
    if not on_test_database:
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _vacuumed_before_a_timed_test(request):
    """A ``serial`` test times something (a demo build). The test before it rolled back a build of its
    own, leaving thousands of dead rows and statistics of tables that are empty again; until autovacuum
    comes by, the next build's queries wade through them (a 70 s build took 350 s). VACUUM ANALYZE on a
    connection of its own (VACUUM cannot run in the test's transaction) first."""
    if request.node.get_closest_marker("serial") is None or "db" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    import psycopg2
    from django.db import connection

    with blocker.unblock():
        raw = psycopg2.connect(**connection.get_connection_params())
        try:
            raw.autocommit = True
            with raw.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        finally:
            raw.close()
    yield


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Tests on a real transaction (browser, concurrency) flush the database afterwards, which
    also removes what the migrations loaded: put back what every app declares as its reference
    data (AppConfig.reference_data: role groups, the default calendar, SLA policies)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction"))
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps as django_apps
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType

    from qsm.registry import load_reference_data
    from qsm.sla.models import WorkCalendar

    # A live-server test (serialized_rollback) flushes without post_migrate: the content types are
    # gone until a test restores them, and the process still caches their old ids. A timeline event
    # written with a cached id would then violate its foreign key: start from the table, not the cache.
    ContentType.objects.clear_cache()
    if not ContentType.objects.exists():
        for app_config in django_apps.get_app_configs():
            create_contenttypes(app_config, verbosity=0)
    if not WorkCalendar.objects.exists():  # flushed by the transactional test before this one
        load_reference_data()
    yield


@pytest.fixture
def quality_department(db):
    return DepartmentFactory(name="质量管理部", code="quality", kind=Department.Kind.QUALITY)


@pytest.fixture
def business_department(db):
    return DepartmentFactory(name="客户服务部", code="service", kind=Department.Kind.BUSINESS)


@pytest.fixture
def sales_department(db):
    return DepartmentFactory(name="销售部", code="sales", kind=Department.Kind.BUSINESS)


@pytest.fixture
def other_department(db):
    return DepartmentFactory(name="工程部", code="engineering", kind=Department.Kind.BUSINESS)


@pytest.fixture
def production_department(db):
    return DepartmentFactory(name="生产部", code="production", kind=Department.Kind.OTHER)


@pytest.fixture
def staff_user(business_department):
    return UserFactory(username="staff", department=business_department, roles=[Role.STAFF])


@pytest.fixture
def colleague(business_department):
    return UserFactory(username="colleague", department=business_department, roles=[Role.STAFF])


@pytest.fixture
def manager(business_department):
    return UserFactory(username="manager", department=business_department, roles=[Role.MANAGER])


@pytest.fixture
def sales_user(sales_department):
    return UserFactory(username="sales", department=sales_department, roles=[Role.STAFF])


@pytest.fixture
def sales_manager(sales_department):
    return UserFactory(username="sales_manager", department=sales_department, roles=[Role.MANAGER])


@pytest.fixture
def quality_officer(quality_department):
    return UserFactory(username="quality", department=quality_department, roles=[Role.QUALITY_OFFICER])


@pytest.fixture
def quality_manager(quality_department):
    return UserFactory(username="quality_manager", department=quality_department, roles=[Role.MANAGER])


@pytest.fixture
def administrator(quality_department):
    return UserFactory(username="admin_user", department=None, roles=[Role.ADMINISTRATOR])


@pytest.fixture
def other_department_staff(other_department):
    return UserFactory(username="outsider", department=other_department, roles=[Role.STAFF])


@pytest.fixture
def production_user(production_department):
    return UserFactory(username="producer", department=production_department, roles=[Role.STAFF])


@pytest.fixture
def customer(db):
    return CustomerFactory(name="华东机械有限公司", phone="021-55550000")


@pytest.fixture
def product(db):
    return ProductFactory(code="CNC-100", name="数控机床 CNC-100")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """List which SPEC requirement IDs have passing tests (closing notes quote this)."""
    passed: dict[str, int] = {}
    failed: dict[str, int] = {}
    for key, bucket in (("passed", passed), ("failed", failed)):
        for report in terminalreporter.stats.get(key, []):
            if report.when != "call":
                continue
            for spec_id in getattr(report, "spec_ids", ()):
                bucket[spec_id] = bucket.get(spec_id, 0) + 1
    if passed or failed:
        ids = sorted(set(passed) | set(failed))
        terminalreporter.write_sep("-", "SPEC coverage (passing tests per requirement)")
        terminalreporter.write_line(
            "  ".join(f"{i}:{passed.get(i, 0)}" + (f"(!{failed[i]} failed)" if i in failed else "") for i in ids)
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.spec_ids = tuple(i for m in item.iter_markers("spec") for i in m.args)


def _serialize_every_transactional_test(items) -> None:
    """Every test on a real transaction rolls back by serialization, not only the live-server ones.

    A transactional test flushed the plain way re-runs post_migrate, which recreates the content
    types under new ids; a live-server test later in the same process then restores the serialized
    rows on top of them and fails on their unique key. Serially the file order hid it (the race
    tests ran after the browser tests); spread over xdist processes any order happens. Marking them
    here (closest marker first) keeps each test's own ``transaction=True`` declaration honest and
    costs one restore of the snapshot per such test."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = "transactional_db" in getattr(item, "fixturenames", ()) or (
            marker is not None and marker.kwargs.get("transaction"))
        if not transactional or (marker is not None and marker.kwargs.get("serialized_rollback")):
            continue
        kwargs = dict(marker.kwargs) if marker is not None else {}
        kwargs.update(transaction=True, serialized_rollback=True)
        item.add_marker(pytest.mark.django_db(*(marker.args if marker is not None else ()), **kwargs), append=False)


def pytest_collection_modifyitems(config, items):
    """A live-server test must roll back by serialization (``django_db(transaction=True,
    serialized_rollback=True)``). One without it is flushed with post_migrate, which recreates the
    content types under new ids; the next serialized test then restores the old rows on top of them
    and fails on their unique key (seen in CI when the generated-client test ran before the
    browser tests). Refused at collection, so the order of the suite cannot hide it."""
    _serialize_every_transactional_test(items)
    offenders = []
    for item in items:
        if "live_server" not in getattr(item, "fixturenames", ()):
            continue
        marker = item.get_closest_marker("django_db")
        if marker is None or not marker.kwargs.get("serialized_rollback"):
            offenders.append(item.nodeid)
    if offenders:
        raise pytest.UsageError(
            "live-server tests need @pytest.mark.django_db(transaction=True, serialized_rollback=True): "
            + ", ".join(offenders))


def _warm_content_types():
    """A process reads each content type once and keeps it (ContentTypeManager's cache); a test
    on a real transaction clears that cache (see ``_reference_data``), so the first record-list
    request after one would count a look-up that no steady-state request makes. Query budgets
    measure the steady state: warm every model's content type (one query) before counting."""
    from django.apps import apps as django_apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_models(*django_apps.get_models())


@pytest.fixture
def django_assert_num_queries(django_assert_num_queries):
    _warm_content_types()
    return django_assert_num_queries


@pytest.fixture
def django_assert_max_num_queries(django_assert_max_num_queries):
    _warm_content_types()
    return django_assert_max_num_queries
