"""Keel settings. Every value comes from the environment, with defaults that make `make run`
work on a fresh machine: SQLite file, tasks in-process, console email."""

import importlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


DEBUG = env_bool("DEBUG", default=True)
# A development key only works with DEBUG on; production must set SECRET_KEY.
SECRET_KEY = env("SECRET_KEY") or ("django-insecure-keel-development-only" if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "simple_history",
    # Security: login lockout and the Content Security Policy.
    "axes",
    "csp",
    "core",
    # First of Keel's apps only for its catalog: an app listed earlier wins where two catalogs
    # translate the same msgid differently ("Unit", "Committed", "Reject", ...), and the
    # resources catalog won over every app's while it was in LOCALE_PATHS. In the layering it
    # sits above goals and tracking.
    "resources",
    "org",
    "goals",
    "tracking",
    "incentives",
    "retros",
    "reviews",
    "notifications",
    "coordination",
    "reminders",
    "integrations",
    "dashboard",
    "directory",
    # Single sign-on (django-allauth): only the identity-provider sign-in is used (the local
    # sign-in stays Django's LoginView); off until a provider is configured (directory/sso.py).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.feishu",
    "allauth.socialaccount.providers.dingtalk",
    # Demo and scale data, benchmarks (development tooling; installed everywhere: seed_demo).
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Oversized API bodies (413) and query parameters with NUL or undecodable text (400).
    "core.guard.RequestGuardMiddleware",
    "csp.middleware.CSPMiddleware",
    # The sign-in page's forms post to Keel, which redirects to the identity provider: its
    # origin joins the page's form-action (directory/sso.py).
    "directory.sso.FormActionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's AuthenticationMiddleware, the user row taken from the cached viewer when current.
    "org.middleware.SessionUserMiddleware",
    # Cache-Control: no-store on every signed-in answer (session or token).
    "core.nostore.NoStoreForSignedInMiddleware",
    "org.middleware.ViewerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.db.PinAfterWriteMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, as django-axes asks: turns a lockout flagged during sign-in into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "org.context_processors.keel",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Transactions take SQLite's write lock when they begin (Django 5.1+): concurrent writers
    # (the check-in's autosave racing its submit) queue up instead of each reading, then
    # overwriting the other; SQLite has no row locks for select_for_update to take.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT for the app's queries: they are short, and compiling an aggregate over a team's
    # key results took 3.8 s where running it without JIT took 0.3 s.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DATABASES["default"].setdefault("TEST", {})
# An optional read replica for the summary pages (core/db.py, docs/scaling.md). Without one the
# alias is the primary again, a mirror in tests, and nothing is routed to it.
REPLICA_URL = env("DATABASE_REPLICA_URL")
KEEL_READ_REPLICA = bool(REPLICA_URL)
KEEL_REPLICA_PIN_SECONDS = env_int("KEEL_REPLICA_PIN_SECONDS", 5)
if REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        REPLICA_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
else:
    DATABASES["replica"] = {**DATABASES["default"]}
DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.db.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    # A Redis that is down or slow counts as a cache miss (short timeouts), never an error.
    CACHES = {
        "default": {"BACKEND": "core.cache.FailSoftRedisCache", "LOCATION": REDIS_URL},
        "sessions": {"BACKEND": "core.cache.FailSoftRedisCache", "LOCATION": REDIS_URL},
    }
    # Sessions read from Redis, written through to the database: a signed-in request costs no
    # session query, and a Redis outage costs speed, never a sign-in (their own fail-soft alias).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
# The signed-in person and their roles kept between requests (org/identity.py): only with a
# cache every process shares, since any process's write to the organisation must reach it.
KEEL_VIEWER_CACHE = env_bool("KEEL_VIEWER_CACHE", default=bool(REDIS_URL))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Validates nothing: its password_changed hook ends the user's API tokens.
    {"NAME": "org.tokens.RevokeTokensOnPasswordChange"},
]
# django-axes first: it refuses a locked-out username + address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Refuses an address with too many failures across usernames (password spraying).
    "core.lockout.AddressThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Single sign-on (directory/sso.py): off until a provider is configured, here from the
# environment or as a "Social application" in the admin. Keel never creates an account from a
# sign-in; it matches people by an external id or a verified email address.
ACCOUNT_ADAPTER = "directory.sso.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "directory.sso.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_OPENID_CONNECT_URL_PREFIX = "oidc"
# People signed in through a provider lose their local password (they sign in there only).
KEEL_SSO_DISABLE_PASSWORDS = env_bool("KEEL_SSO_DISABLE_PASSWORDS")
SOCIALACCOUNT_PROVIDERS: dict = {
    "openid_connect": {
        "provider_class": "directory.sso.KeelOIDCProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [],
    },
    "feishu": {"APPS": []},
    "dingtalk": {"APPS": []},
}
if env("KEEL_OIDC_SERVER_URL"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
        {
            "provider_id": env("KEEL_OIDC_PROVIDER_ID", "oidc"),
            "name": env("KEEL_OIDC_NAME", "Single sign-on"),
            "client_id": env("KEEL_OIDC_CLIENT_ID"),
            "secret": env("KEEL_OIDC_CLIENT_SECRET"),
            "settings": {"server_url": env("KEEL_OIDC_SERVER_URL")},
        }
    )
for _provider in ("feishu", "dingtalk"):
    if env(f"KEEL_{_provider.upper()}_CLIENT_ID"):
        SOCIALACCOUNT_PROVIDERS[_provider]["APPS"].append(
            {
                "client_id": env(f"KEEL_{_provider.upper()}_CLIENT_ID"),
                "secret": env(f"KEEL_{_provider.upper()}_CLIENT_SECRET"),
            }
        )

LANGUAGE_CODE = env("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Number formats per language over Django's (config/formats/zh_Hans: grouped amounts).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Email: EMAIL_URL-less; EMAIL_BACKEND picks the backend, console by default.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# A hung mail server must not hold a delivery (or a worker) forever; the send is retried.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Keel <keel@localhost>")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

# Security: production (DEBUG off) passes `manage.py check --deploy`.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No script reads either cookie: htmx sends the CSRF token from the page (hx-headers on <body>)
# and the API docs embed it the same way. Lax keeps both off cross-site subresource requests.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14)  # two weeks, Django's default
# Reverse proxies in front of Keel that append to X-Forwarded-For (0: trust REMOTE_ADDR only).
# Lockout and throttling use the client address; never trust the header without a proxy.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)

# Login lockout (django-axes, database handler: shared by every worker, on SQLite and PostgreSQL).
# Counted per username + client address, so one attacker cannot lock everyone out; a successful
# sign-in clears that pair's failures.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Failures from one address across all usernames within the cool-off before every sign-in
# from it is refused (core.lockout.AddressThrottleBackend).
KEEL_SIGNIN_ADDRESS_LIMIT = env_int("KEEL_SIGNIN_ADDRESS_LIMIT", 20)
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.lockout.client_address"  # TRUSTED_PROXIES-aware, as DRF's

# The token endpoint's rate limit counts in its own in-process cache: it never depends on Redis
# (a Redis fault cannot turn a sign-in into a 500) and never touches the shared default cache.
# Per process, so the effective limit is the rate times the worker count; axes above is the
# shared, durable guard against password guessing.
CACHES["throttle"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "keel-throttle",
}

# Content Security Policy (django-csp): no inline script, no eval, <style> elements only from our
# own static files. Keel's templates carry no style attribute either (tests/security/test_csp.py);
# style attributes stay allowed for third-party pages (DRF's browsable API, simple-history's admin
# history page).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "org.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["org.access.SignedIn"],
    # JSON deeper than 50 levels, or with NUL / lone surrogates in a string: 400 (core.guard).
    "DEFAULT_PARSER_CLASSES": [
        "core.guard.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["core.api.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "20/min"},
    "NUM_PROXIES": TRUSTED_PROXIES,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Keel API",
    "DESCRIPTION": "Goals, key results, check-ins, incentives and lessons.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs pages: signed-in people (KEEL_PUBLIC_API_DOCS opens them).
    "SERVE_PERMISSIONS": ["core.api.DocsPermission"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.document_error_responses",
        "integrations.schema.document_webhooks",
    ],
    # Choice sets that share a field name across apps get explicit component names.
    "ENUM_NAME_OVERRIDES": {
        "GoalKindEnum": "goals.models.Goal.Kind",
        "GoalLevelEnum": "goals.models.Goal.Level",
        "CycleKindEnum": "goals.models.Cycle.Kind",
        "GoalStateEnum": "goals.models.Goal.State",
        "CycleStateEnum": "goals.models.Cycle.State",
        "AdjustmentStateEnum": "goals.models.TargetAdjustment.State",
        "PersonLevelEnum": "org.models.Person.Level",
        "LanguageEnum": "config.settings.LANGUAGES",
        "RatingEnum": "reviews.models.Rating.choices",
        "DevelopmentActionKindEnum": "reviews.models.DEVELOPMENT_KINDS",
        "ReviewStateEnum": "reviews.models.Review.State",
        "ReviewCycleStateEnum": "reviews.models.ReviewCycle.State",
        "FeedbackRequestStateEnum": "reviews.models.FeedbackRequest.State",
        "MeetingKindEnum": "coordination.models.Meeting.Kind",
        "MeetingSourceEnum": "coordination.models.Meeting.Source",
        "TaskForceStateEnum": "coordination.models.TaskForce.State",
        "TaskForceRoleEnum": "org.models.TaskForceMembership.Role",
    },
}

# Celery: without REDIS_URL tasks run in-process (the embedded default).
# The in-process broker names a host only so that kombu does not warn that it has none.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
# CELERY_TASK_ALWAYS_EAGER=1 keeps them in-process with Redis as the cache (`make bench`).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending a task never stalls a request for long when Redis is down or hung: short socket
# timeouts and one quick retry, then core.queue.enqueue logs it and moves on (the database
# keeps the work; the periodic dispatch and its sweep send it when the broker is back).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Each app declares its periodic tasks in a `schedule.py` (UTC, each entry with "expires" so a
# late run is dropped); the tasks themselves work out local times.
CELERY_BEAT_SCHEDULE: dict = {}
for _module in (
    "goals.schedule",
    "reminders.schedule",
    "resources.schedule",
    "incentives.schedule",
    "integrations.schedule",
    "coordination.schedule",
):
    CELERY_BEAT_SCHEDULE.update(importlib.import_module(_module).BEAT_SCHEDULE)

# Directory sync (directory/sync.py, `manage.py sync_directory`): the platforms whose contact
# API Keel reads, hourly, with their app credentials. None unless configured.
KEEL_DIRECTORY_SYNC: dict = {}
if env("KEEL_FEISHU_SYNC_APP_ID"):
    KEEL_DIRECTORY_SYNC["feishu"] = {
        "app_id": env("KEEL_FEISHU_SYNC_APP_ID"),
        "app_secret": env("KEEL_FEISHU_SYNC_APP_SECRET"),
        "api_base": env("KEEL_FEISHU_API_BASE", "https://open.feishu.cn"),
    }
if env("KEEL_DINGTALK_SYNC_APP_KEY"):
    KEEL_DIRECTORY_SYNC["dingtalk"] = {
        "app_key": env("KEEL_DINGTALK_SYNC_APP_KEY"),
        "app_secret": env("KEEL_DINGTALK_SYNC_APP_SECRET"),
        "api_base": env("KEEL_DINGTALK_API_BASE", "https://oapi.dingtalk.com"),
    }
if env("KEEL_WECOM_CORP_ID"):
    KEEL_DIRECTORY_SYNC["wecom"] = {
        "corp_id": env("KEEL_WECOM_CORP_ID"),
        "secret": env("KEEL_WECOM_CONTACT_SECRET"),
        "api_base": env("KEEL_WECOM_API_BASE", "https://qyapi.weixin.qq.com"),
    }
# Direct messages (integrations.direct): each chat platform's app that sends a person their
# reminders, with its credentials. None unless configured.
KEEL_CHAT_APPS: dict = {}
if env("KEEL_FEISHU_APP_ID"):
    KEEL_CHAT_APPS["feishu"] = {
        "app_id": env("KEEL_FEISHU_APP_ID"),
        "app_secret": env("KEEL_FEISHU_APP_SECRET"),
        "api_base": env("KEEL_FEISHU_API_BASE", "https://open.feishu.cn"),
    }
if env("KEEL_DINGTALK_APP_KEY"):
    KEEL_CHAT_APPS["dingtalk"] = {
        "app_key": env("KEEL_DINGTALK_APP_KEY"),
        "app_secret": env("KEEL_DINGTALK_APP_SECRET"),
        "robot_code": env("KEEL_DINGTALK_ROBOT_CODE", env("KEEL_DINGTALK_APP_KEY")),
        "api_base": env("KEEL_DINGTALK_API_BASE", "https://api.dingtalk.com"),
    }
if env("KEEL_WECOM_APP_AGENT_ID"):
    KEEL_CHAT_APPS["wecom"] = {
        "corp_id": env("KEEL_WECOM_CORP_ID"),
        "secret": env("KEEL_WECOM_APP_SECRET"),
        "agent_id": env("KEEL_WECOM_APP_AGENT_ID"),
        "api_base": env("KEEL_WECOM_API_BASE", "https://qyapi.weixin.qq.com"),
    }
CELERY_BEAT_SCHEDULE.update(
    importlib.import_module("directory.schedule").beat_schedule(KEEL_DIRECTORY_SYNC)
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_client_errors": {"()": "core.logfilters.OneLineClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A 403 (or any 4xx) is one line, not a traceback.
        "django.request": {"filters": ["one_line_client_errors"]},
    },
}
# django-axes logs failures and lockouts as warnings; its per-sign-in chatter stays out.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}
if CELERY_TASK_ALWAYS_EAGER:
    # Tasks run in-process: a line for every task that succeeded is noise in the server's and
    # seed_demo's output (a worker still logs them); failures are still logged as errors.
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# Benchmark mode (`make bench`): every response carries its server time and query count, and a
# minimal view at /bench/floor measures what the framework itself costs.
KEEL_BENCH = env_bool("KEEL_BENCH")
if KEEL_BENCH:
    MIDDLEWARE.insert(0, "demo.bench.BenchHeadersMiddleware")

# Keel domain defaults (organisation-editable values live in the database).
KEEL_DEMO_PASSWORD = "keel-demo"
# The OpenAPI schema and Swagger UI / ReDoc for everyone, not only signed-in people.
KEEL_PUBLIC_API_DOCS = env_bool("KEEL_PUBLIC_API_DOCS")
# The largest API request body accepted (core.guard answers 413 above it).
KEEL_MAX_API_BODY = env_int("KEEL_MAX_API_BODY", 1024 * 1024)
# How long a new API token works unless its maker chooses (org.tokens; at most 366 days).
KEEL_TOKEN_DAYS = env_int("KEEL_TOKEN_DAYS", 90)
# How long the outbound webhooks' delivery log is kept (days); older deliveries that are done
# (sent or failed) and their events are deleted by the hourly purge (integrations.tasks).
KEEL_WEBHOOK_LOG_DAYS = env_int("KEEL_WEBHOOK_LOG_DAYS", 30)
# A reminder that could not go out within this many hours of its time (worker or broker down,
# a backlog) is not sent any more; it is logged as expired (reminders.services).
REMINDER_EXPIRY_HOURS = env_int("REMINDER_EXPIRY_HOURS", 12)
