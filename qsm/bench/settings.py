"""Settings of the gunicorn that `manage.py bench` measures: the project's own, with the
benchmark's URLconf (the bare view) and the overrides the in-process run applies too."""
import os
import sys

from qsm.settings import *  # noqa: F403


def overrides(base) -> dict:
    """What the benchmark changes in ``base`` (a settings object), and why. Applied here for the
    gunicorn, and with override_settings by the in-process run:

    - the bare view is mounted (``qsm.bench.urls``);
    - DEBUG off: a benchmark of debug mode measures its query log;
    - static files from the source folders: no collectstatic needed, and no static file is measured;
    - the API rate limits far above what repeats reach (a 429 is not a measurement);
    - no HTTPS redirect: the in-process client and wrk speak plain HTTP to 127.0.0.1.
    """
    rest = dict(base.REST_FRAMEWORK)
    rates = dict.fromkeys(rest.get("DEFAULT_THROTTLE_RATES") or {}, "1000000/minute")
    return {
        "ROOT_URLCONF": "qsm.bench.urls",
        "DEBUG": False,
        "STORAGES": {**base.STORAGES,
                     "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
        "WHITENOISE_USE_FINDERS": True,
        "REST_FRAMEWORK": {**rest, "DEFAULT_THROTTLE_RATES": rates},
        "SECURE_SSL_REDIRECT": False,
        "ALLOWED_HOSTS": [*base.ALLOWED_HOSTS, "testserver", "127.0.0.1"],
    }


globals().update(overrides(sys.modules[__name__]))

# The gunicorn's queries stop where the in-process run's do (``manage.py bench --statement-timeout``):
# a runaway query under wrk must not keep a database backend busy after the run.
_statement_timeout_ms = int(float(os.environ.get("QSM_BENCH_STATEMENT_TIMEOUT", "60")) * 1000)
if _statement_timeout_ms:
    _bench_options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _bench_options["options"] = " ".join(
        filter(None, [_bench_options.get("options", ""), f"-c statement_timeout={_statement_timeout_ms}"]))
