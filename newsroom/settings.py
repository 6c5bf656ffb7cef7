"""
Newsroom settings: one module, driven by environment variables.

DATABASE_URL   default: SQLite file db.sqlite3 beside manage.py (WAL journal)
DATABASE_REPLICA_URL  optional read replica of DATABASE_URL: reads go there (newsroom.routers)
DATABASE_PREPARED_STATEMENTS  PostgreSQL: "0" stops the server keeping the busiest
               lists' statements prepared (for a pooler in transaction mode
               without prepared statements); default on (articles.statements)
CONN_MAX_AGE   seconds a worker keeps its database connection; default 60 (0: one per request)
SECRET_KEY     required in production; a development key is used otherwise
DEBUG          "1"/"true" to enable; off unless asked
ALLOWED_HOSTS  comma-separated; defaults to local hosts only
TIME_ZONE      default UTC (times are stored in UTC whatever this says)
API_ANON_RATE  requests per address for anonymous API clients; default "120/min"
PROXY_COUNT    proxies in front of the site that append to X-Forwarded-For; default 0
CACHE_URL      unset: local memory (one process); redis://host:6379/0: Redis, shared
               by every worker (needed for invalidation to reach them all); dummy://: none
CACHE_LOCAL_SECONDS  how long a worker trusts the cache generation it read before
               asking the shared cache again (default 1; 0: every request asks)
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# The fallback is deliberately marked insecure: `check --deploy` refuses it
# (see newsroom.checks), so a production without SECRET_KEY cannot pass.
DEV_SECRET_KEY = "django-insecure-newsroom-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "newsroom",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# BENCH_CEILING=1 adds the benchmark's trivial view (bench/run.py) to the site.
ROOT_URLCONF = "newsroom.bench_urls" if env_bool("BENCH_CEILING") else "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_from_env(name: str = "DATABASE_URL") -> dict:
    config = dj_database_url.parse(
        os.environ.get(name) or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers proceed while a writer works; IMMEDIATE transactions
        # take the write lock up front so concurrent writers wait (busy timeout)
        # instead of failing with "database is locked" on lock upgrade.
        # Connections persist (CONN_MAX_AGE) as on PostgreSQL: a new one per
        # request started with a cold page cache, which cost a list of twenty
        # articles several times its own work (bench/RESULTS.md).
        config.setdefault("OPTIONS", {}).update(
            {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                ),
            }
        )
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # A request runs on one core: parallel workers for one query only
        # take the others' cores, and their start-up costs more than the
        # index lookups every response is made of (bench/RESULTS.md).
        # PG_PARALLEL_WORKERS turns them back on (per query). JIT compiling
        # a plan the planner thinks costly took 156 ms for a query that then
        # ran in 30: off, as for any workload of short queries.
        workers = int(os.environ.get("PG_PARALLEL_WORKERS", "0"))
        config.setdefault("OPTIONS", {})["options"] = (
            f"-c max_parallel_workers_per_gather={workers} -c jit=off")
        # Prepared statements, for the statements articles.statements marks
        # (Django's own cursors bind on the client and never prepare): the
        # threshold only switches psycopg's preparing on. Each is planned
        # once, for any parameters (its generic plan): left to choose, the
        # server plans some again on every run (a filter's person, 0.9 ms
        # against 0.3 with its plan kept), and may switch others to a plan
        # that sorts the archive. `bench/run.py --plans` times every
        # prepared statement's generic plan; a statement whose plan must
        # know its parameters is not prepared (Statement(prepare=False)).
        # Only statements with parameters bound on the server have a plan
        # to keep: Django's queries carry their values in their text.
        # DATABASE_GENERIC_PLANS=0 leaves the choice to the server.
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            config["OPTIONS"]["prepare_threshold"] = 5
            if env_bool("DATABASE_GENERIC_PLANS", True):
                config["OPTIONS"]["options"] += " -c plan_cache_mode=force_generic_plan"
    return config


DATABASES = {"default": database_from_env()}
if os.environ.get("DATABASE_REPLICA_URL"):
    # A read replica of the primary: newsroom.routers sends reads there.
    DATABASES["replica"] = {**database_from_env("DATABASE_REPLICA_URL"),
                            "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["newsroom.routers.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Counts failed logins and refuses further attempts once locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours: a locked-out user and address may try again after 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# PROXY_COUNT: how many proxies in front of the site append to X-Forwarded-For
# (0, the default: trust no such header). Login lockouts and the API throttle
# both identify a client by the address this yields, so a client cannot pick
# its own identity by sending the header.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("STATIC_MANIFEST", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
STATICFILES_DIRS = [BASE_DIR / "static"]


def cache_from_env() -> dict:
    url = os.environ.get("CACHE_URL", "").strip()
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "newsroom"}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url.startswith("dummy://"):
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(f"CACHE_URL must be redis://..., dummy:// or unset, not {url!r}.")


CACHES = {"default": {**cache_from_env(), "KEY_PREFIX": "newsroom"}}
# Each process's first level in front of CACHES (articles/cache.py): how long
# it trusts the public generation it read (0: not at all), and how many pages
# it keeps.
try:
    PUBLIC_CACHE_LOCAL_SECONDS = float(os.environ.get("CACHE_LOCAL_SECONDS", "1") or 0)
except ValueError:
    raise ImproperlyConfigured("CACHE_LOCAL_SECONDS must be a number of seconds.") from None
PUBLIC_CACHE_LOCAL_PAGES = 500
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Security ------------------------------------------------------------------
# HTTPS=1 in production behind TLS (a proxy setting X-Forwarded-Proto): redirect
# to https, secure cookies, HSTS. Off by default so that `make run` works on http.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # The admin and the API docs set inline styles; scripts stay external only.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Restoring a revision goes through articles.curation.restore, which brings
# back content but never a workflow state; the library's revert would do both.
SIMPLE_HISTORY_REVERT_DISABLED = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that a request without credentials is answered 401
        # with a WWW-Authenticate challenge rather than 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "articles.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "articles.api.exceptions.exception_handler",
    "NUM_PROXIES": PROXY_COUNT,
}

# Requests per client address for anonymous API clients ("120/min", "5000/day";
# empty: unthrottled). Signed-in staff are not throttled.
API_ANON_RATE = os.environ.get("API_ANON_RATE", "120/min") or None

SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom API",
    "DESCRIPTION": "Live articles with their curated tags, and the editorial desk's operations.",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from our own static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"ArticleStatusEnum": "articles.models.Article.Status"},
}
