"""Atrium settings: one module, read from the environment.

Environment variables:
  DEBUG            "1"/"true" turns debug mode on (off by default).
  SECRET_KEY       required unless DEBUG is on.
  DATABASE_URL     default: SQLite file ``db.sqlite3`` in the project folder.
  ALLOWED_HOSTS    comma-separated host names.
  ATRIUM_HTTPS     "1" when served over HTTPS (default: on when DEBUG is off);
                   turns on secure cookies, HSTS and the HTTPS redirect.
  ATRIUM_*         everything else Atrium-specific (see below).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    SECRET_KEY = "atrium-insecure-development-key-only-for-debug-mode"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # the API docs page: Swagger UI from the package's own static files, no CDN
    "atrium.core",
    "atrium.accounts",
    "atrium.network",
    "atrium.events",
    "atrium.registration",
    "atrium.checkin",
    "atrium.visas",
    "atrium.api",
    "atrium.webhooks",
    "atrium.matchmaking",
    "atrium.exhibition",
    "atrium.reviews",
    "atrium.insight",
    "atrium.demo",
    "atrium.ops",
]

MIDDLEWARE = [
    "atrium.ops.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "atrium.core.middleware.RequestSizeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "atrium.urls"
WSGI_APPLICATION = "atrium.wsgi.application"
ASGI_APPLICATION = "atrium.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "atrium" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "atrium.events.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
# Database connections (docs/deploy.md). ATRIUM_DB_POOL (PostgreSQL only) keeps a pool of
# connections in each server process (psycopg_pool): "1"/"on" for Django's default sizes,
# or "MIN,MAX" (e.g. "2,8"). Without a pool, ATRIUM_DB_CONN_MAX_AGE keeps each connection
# this many seconds for the next request: 60 by default in production, 0 (a connection
# per request) with DEBUG on and with the pool (Django refuses both at once).
ATRIUM_DB_POOL = os.environ.get("ATRIUM_DB_POOL", "").strip().lower()
if ATRIUM_DB_POOL in {"", "0", "false", "no", "off"}:
    ATRIUM_DB_POOL = ""
if ATRIUM_DB_POOL and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    pool: bool | dict = True
    if "," in ATRIUM_DB_POOL:
        try:
            min_size, max_size = (int(part) for part in ATRIUM_DB_POOL.split(","))
        except ValueError:
            raise ImproperlyConfigured(
                'ATRIUM_DB_POOL must be "1" or two numbers "MIN,MAX" (e.g. "2,8").'
            ) from None
        pool = {"min_size": min_size, "max_size": max_size}
    elif ATRIUM_DB_POOL not in {"1", "true", "yes", "on"}:
        raise ImproperlyConfigured('ATRIUM_DB_POOL must be "1" or two numbers "MIN,MAX".')
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = pool
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    ATRIUM_DB_POOL = ""
    DATABASES["default"]["CONN_MAX_AGE"] = int(
        os.environ.get("ATRIUM_DB_CONN_MAX_AGE", "0" if DEBUG else "60")
    )
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_MAX_AGE"] > 0
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Take the write lock when a transaction starts, so two requests that both
    # read-then-write (a seat sign-up) queue up instead of failing with
    # "database is locked" when one upgrades its lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: English and Simplified Chinese. The language comes from the
# language cookie (set by the switcher) or the Accept-Language header.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "atrium" / "locale"]
USE_I18N = True
# Times are stored in UTC and shown in each conference's time zone.
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "atrium" / "static"]
# Browser libraries installed from the npm registry by `make install` (package.json), served
# as our own static files under vendor/. Missing (no npm on the machine): the check-in desk
# hides its camera scanner and works with handheld scanners and name search.
QR_DECODER_DIR = BASE_DIR / "node_modules" / "jsqr" / "dist"
ATRIUM_CAMERA_SCAN = (QR_DECODER_DIR / "jsQR.js").is_file()
if ATRIUM_CAMERA_SCAN:
    STATICFILES_DIRS.append(("vendor/jsqr", QR_DECODER_DIR))
# The world map of the organiser insight page: Natural Earth's countries as TopoJSON (npm
# `world-atlas`), read on the server and drawn as SVG. Missing: the page shows tables only.
ATRIUM_WORLD_ATLAS = BASE_DIR / "node_modules" / "world-atlas" / "countries-110m.json"
STATIC_ROOT = Path(os.environ.get("ATRIUM_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    # Uploads and private files (badge runs, photos, letters, proofs under "private/"):
    # the folder ATRIUM_MEDIA_ROOT by default (shared by all servers: an NFS mount or
    # similar), or any Django storage class by ATRIUM_FILE_STORAGE (for example
    # django-storages' S3 storage, configured by its own settings). Never served by URL.
    "default": {
        "BACKEND": os.environ.get(
            "ATRIUM_FILE_STORAGE", "django.core.files.storage.FileSystemStorage"
        )
    },
    "staticfiles": {
        # Hashed, compressed files from `collectstatic` in production; plain files
        # found in the apps in debug mode and in the tests.
        "BACKEND": os.environ.get(
            "ATRIUM_STATIC_STORAGE",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = "Manifest" not in STORAGES["staticfiles"]["BACKEND"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("ATRIUM_MEDIA_ROOT", BASE_DIR / "media"))

# Sizes of requests (bytes). The form fields of a request other than files (Django refuses
# more with a 413 page); files larger than the second are streamed to a temporary file
# instead of memory; one uploaded file (each upload form may have a smaller limit of its
# own); a whole request body, refused unread. Keep the proxy's body limit (nginx
# client_max_body_size) at or above ATRIUM_REQUEST_MAX_SIZE.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("ATRIUM_FORM_MAX_SIZE", str(2_621_440)))
FILE_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("ATRIUM_UPLOAD_MEMORY_SIZE", str(2_621_440)))
ATRIUM_UPLOAD_MAX_SIZE = int(os.environ.get("ATRIUM_UPLOAD_MAX_SIZE", str(10 * 1024 * 1024)))
ATRIUM_REQUEST_MAX_SIZE = int(
    os.environ.get("ATRIUM_REQUEST_MAX_SIZE", str(ATRIUM_UPLOAD_MAX_SIZE + 2 * 1024 * 1024))
)

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "registration:me"
LOGOUT_REDIRECT_URL = "home"

# Shared cache and sessions. ATRIUM_REDIS_URL (e.g. redis://127.0.0.1:6379/0) puts the
# cache on Redis: throttles and API rate limits then count across every server and worker,
# and sessions are "cached_db" (read from Redis, written to the database too, so they
# survive a Redis restart). Without it: Django's local-memory cache (per process) and
# database sessions, as in the demo.
ATRIUM_REDIS_URL = os.environ.get("ATRIUM_REDIS_URL", "").strip()
if ATRIUM_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": ATRIUM_REDIS_URL,
            "KEY_PREFIX": os.environ.get("ATRIUM_CACHE_PREFIX", "atrium"),
            "TIMEOUT": 300,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Background work: the Django Tasks API. ATRIUM_TASK_BACKEND "db" (the default,
# django-tasks-db: `manage.py db_worker`), "rq" (Redis through RQ: `manage.py rqworker
# default`, needs ATRIUM_REDIS_URL or ATRIUM_RQ_URL), "immediate" (inline, the demo), or
# a backend's dotted path. Tests run tasks inline.
TASK_BACKENDS = {
    "db": "django_tasks_db.backend.DatabaseBackend",
    "rq": "atrium.core.rq.RetryingRQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
ATRIUM_TASK_BACKEND = os.environ.get("ATRIUM_TASK_BACKEND", "").strip() or "db"
TASKS = {
    "default": {"BACKEND": TASK_BACKENDS.get(ATRIUM_TASK_BACKEND.lower(), ATRIUM_TASK_BACKEND)}
}
if "rq" in TASKS["default"]["BACKEND"].lower():
    ATRIUM_RQ_URL = os.environ.get("ATRIUM_RQ_URL", "").strip() or ATRIUM_REDIS_URL
    if not ATRIUM_RQ_URL:
        raise ImproperlyConfigured(
            "ATRIUM_TASK_BACKEND=rq needs Redis: set ATRIUM_REDIS_URL (or ATRIUM_RQ_URL)."
        )
    INSTALLED_APPS.append("django_rq")
    # A task interrupted by a killed worker is tried again (RQ's abandoned-job clean-up)
    # up to this many times; every task is idempotent (docs/deploy.md).
    ATRIUM_TASK_RETRIES = int(os.environ.get("ATRIUM_TASK_RETRIES", "3"))
    RQ_QUEUES = {
        "default": {
            "URL": ATRIUM_RQ_URL,
            "DEFAULT_TIMEOUT": int(os.environ.get("ATRIUM_TASK_TIMEOUT", "900")),
        }
    }

EMAIL_BACKEND = os.environ.get(
    "ATRIUM_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("ATRIUM_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("ATRIUM_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("ATRIUM_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ATRIUM_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("ATRIUM_EMAIL_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("ATRIUM_EMAIL_FROM", "Atrium <noreply@localhost>")

# Security. Behind HTTPS (the default whenever DEBUG is off) cookies are secure,
# HSTS is sent and plain HTTP is redirected.
HTTPS = env_bool("ATRIUM_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
# The load balancer's health checks and the metrics scraper speak plain HTTP inside.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("ATRIUM_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind a reverse proxy: trust its X-Forwarded-Proto, and take the client's address from
# the last entry of X-Forwarded-For (atrium.core.throttle.client_ip).
ATRIUM_BEHIND_PROXY = env_bool("ATRIUM_BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if ATRIUM_BEHIND_PROXY else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, fonts and requests from the
# site itself only; no inline <script>, style="" or on…= handler anywhere (htmx is
# told not to add its indicator <style>, see base.html). Images may also be data: URIs
# (Swagger UI's icons). Templates and static JS must keep to it: tests/browser/test_csp.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env_list("ATRIUM_CSRF_TRUSTED_ORIGINS")

# Logs. ATRIUM_LOG_JSON=1: every record is one JSON line, and every request writes one
# (request id, user id, edition, status, duration: atrium.ops.requestlog). Off by default.
ATRIUM_LOG_JSON = env_bool("ATRIUM_LOG_JSON")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "atrium.ops.requestlog.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if ATRIUM_LOG_JSON else {}),
        }
    },
    "loggers": {
        name: {"handlers": ["console"], "level": "INFO", "propagate": False}
        for name in (["atrium.request", "atrium.tasks"] if ATRIUM_LOG_JSON else [])
    },
    "root": {"handlers": ["console"], "level": os.environ.get("ATRIUM_LOG_LEVEL", "WARNING")},
}
# Prometheus metrics at /metrics, for a scraper sending "Authorization: Bearer <token>";
# without a token set, /metrics is a 404.
ATRIUM_METRICS_TOKEN = os.environ.get("ATRIUM_METRICS_TOKEN", "")

# Atrium's own settings.
ATRIUM_SITE_NAME = os.environ.get("ATRIUM_SITE_NAME", "Atrium")
# The address of the site, for links in e-mails sent outside a request.
ATRIUM_SITE_URL = os.environ.get("ATRIUM_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Payment providers offered to delegates ("test" pays at once: demo and tests only).
ATRIUM_PAYMENT_PROVIDERS = env_list(
    "ATRIUM_PAYMENT_PROVIDERS", "bank_transfer,test" if DEBUG else "bank_transfer"
)
# Webhooks: request timeout, attempts, and hosts allowed over plain HTTP and on a private
# network (local receivers in development and tests; every other private address is refused).
ATRIUM_WEBHOOK_TIMEOUT = float(os.environ.get("ATRIUM_WEBHOOK_TIMEOUT", "10"))
ATRIUM_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("ATRIUM_WEBHOOK_MAX_ATTEMPTS", "6"))
ATRIUM_WEBHOOK_HTTP_HOSTS = env_list(
    "ATRIUM_WEBHOOK_HTTP_HOSTS", "localhost,127.0.0.1,::1" if DEBUG else ""
)
# Throttles (counted in the default cache: give several workers a shared CACHES).
# Failed log-ins per e-mail address and per client address in each window (seconds);
# password-reset requests likewise.
ATRIUM_LOGIN_LIMIT_PER_EMAIL = int(os.environ.get("ATRIUM_LOGIN_LIMIT_PER_EMAIL", "10"))
ATRIUM_LOGIN_LIMIT_PER_IP = int(os.environ.get("ATRIUM_LOGIN_LIMIT_PER_IP", "50"))
ATRIUM_LOGIN_WINDOW = int(os.environ.get("ATRIUM_LOGIN_WINDOW", "900"))
ATRIUM_RESET_LIMIT_PER_EMAIL = int(os.environ.get("ATRIUM_RESET_LIMIT_PER_EMAIL", "3"))
ATRIUM_RESET_LIMIT_PER_IP = int(os.environ.get("ATRIUM_RESET_LIMIT_PER_IP", "20"))
ATRIUM_RESET_WINDOW = int(os.environ.get("ATRIUM_RESET_WINDOW", "3600"))
# API rate limits (atrium.api.ratelimit), e.g. "token=5000/hour,write=30/min"; counted in
# the default cache, so across servers once ATRIUM_REDIS_URL is set.
ATRIUM_API_RATES = (
    dict(item.split("=", 1) for item in env_list("ATRIUM_API_RATES") if "=" in item) or None
)
ATRIUM_PAGE_SIZE = int(os.environ.get("ATRIUM_PAGE_SIZE", "48"))
# Passport data of visa-letter requests is encrypted with Fernet. ATRIUM_PASSPORT_KEY is one
# key, or several separated by commas for rotation (the first encrypts, all decrypt). With
# DEBUG on and no key, a development key is derived from SECRET_KEY (the demo); otherwise
# passport data cannot be read or written until a key is set (ImproperlyConfigured).
ATRIUM_PASSPORT_KEY = os.environ.get("ATRIUM_PASSPORT_KEY", "")
if not ATRIUM_PASSPORT_KEY and DEBUG:
    import base64
    import hashlib

    ATRIUM_PASSPORT_KEY = base64.urlsafe_b64encode(
        hashlib.sha256(b"atrium.passport-key:" + SECRET_KEY.encode()).digest()
    ).decode("ascii")
# Days after an edition's last day when `manage.py visa_purge` removes its passport data.
ATRIUM_PASSPORT_RETENTION_DAYS = int(os.environ.get("ATRIUM_PASSPORT_RETENTION_DAYS", "90"))
# Organisers and check-in staff see a delegate's photo until this many days after the
# edition's last day (and only while the registration is pending or confirmed).
ATRIUM_PHOTO_VISIBLE_DAYS = int(os.environ.get("ATRIUM_PHOTO_VISIBLE_DAYS", "30"))
# Delegation invitations go out from the organisers' address: at most this many per head in
# 24 hours, and in all per delegation.
ATRIUM_DELEGATION_INVITES_PER_DAY = int(os.environ.get("ATRIUM_DELEGATION_INVITES_PER_DAY", "30"))
ATRIUM_DELEGATION_INVITES_MAX = int(os.environ.get("ATRIUM_DELEGATION_INVITES_MAX", "200"))
