"""Settings shared by every environment. Everything that differs between
machines comes from the environment (see README, "Configuration")."""

from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

SITE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = SITE_DIR.parent

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "core",
    "home",
    "ordering",
    "offers",
    "books",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail_modeladmin",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",  # not routed: wagtail-modeladmin's list filters use it
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "observability.ProbesMiddleware",
    "observability.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "urls"
WSGI_APPLICATION = "wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "ordering.context_processors.cart",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://user:password@host:5432/name). Each
# environment's settings decide the fallback.
DATABASE_URL = env_str("DATABASE_URL")


# --- Managed PostgreSQL (docs/operations-managed.md) ---------------------------
# TLS comes with the URL's query: ?sslmode=require, or
# ?sslmode=verify-full&sslrootcert=/path/ca.crt to check the provider's CA.
# Behind a pooler in transaction mode (PgBouncer, the provider's pools), a
# server-side cursor (.iterator()) could land on another server connection:
# DISABLE_SERVER_SIDE_CURSORS=true turns them off.
def database_from_url(url):
    return dj_database_url.parse(
        url,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
        disable_server_side_cursors=env_bool("DISABLE_SERVER_SIDE_CURSORS", False),
    )


# Cache and sessions: Redis whenever REDIS_URL is set, local memory otherwise.
# A managed Redis: rediss://:PASSWORD@host:port/0 (TLS; the server's certificate
# is checked against the system CAs, or ?ssl_ca_certs=/path/ca.crt).
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "ocpizza"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    # Sessions (carts) are read from Redis and also written to PostgreSQL: a
    # Redis outage slows nothing down and loses no cart.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True  # a cache outage is a cache miss, not an error page
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# The kitchen boards' event stream (ordering.staff.stream, `manage.py board_stream`):
# its own process, which nginx serves under /admin/cuisine/flux/ on the site's
# origin (production settings). Empty: boards poll twice a second (runserver, no
# stream). Another origin (tests, local development) may read it with the staff's
# cookie only if listed in BOARD_STREAM_ALLOWED_ORIGINS.
BOARD_STREAM_URL = env_str("BOARD_STREAM_URL", "")
BOARD_STREAM_ALLOWED_ORIGINS = env_list("BOARD_STREAM_ALLOWED_ORIGINS")
BOARD_STREAM_BIND = env_str("BOARD_STREAM_BIND", "0.0.0.0:8001")
BOARD_STREAM_RECHECK_SECONDS = env_int("BOARD_STREAM_RECHECK_SECONDS", 60)  # session and rights checked again

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# French by default, translatable.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATICFILES_DIRS = [SITE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"


# --- Media storage (docs/operations-managed.md) --------------------------------
# The local folder MEDIA_ROOT by default. With MEDIA_S3_BUCKET, uploads and
# Wagtail's renditions go to S3-compatible object storage, so several web
# servers share them; the browser fetches them from the bucket (public reads,
# or MEDIA_S3_CUSTOM_DOMAIN for a CDN in front of it; MEDIA_S3_SIGNED_URLS=true
# for a private bucket, with links that expire).
def media_origins(options):
    """Where browsers fetch media from the bucket: the Content-Security-Policy allows them."""
    if options["custom_domain"]:
        return [f"https://{options['custom_domain']}"]
    bucket = options["bucket_name"]
    if options["endpoint_url"]:  # path-style (endpoint/bucket/...) or virtual-hosted (bucket.endpoint/...)
        endpoint = urlsplit(options["endpoint_url"])
        return [f"{endpoint.scheme}://{endpoint.netloc}", f"{endpoint.scheme}://{bucket}.{endpoint.netloc}"]
    return [
        f"https://{bucket}.s3.amazonaws.com",
        f"https://{bucket}.s3.{options['region_name'] or 'us-east-1'}.amazonaws.com",
    ]


MEDIA_S3_BUCKET = env_str("MEDIA_S3_BUCKET")
if MEDIA_S3_BUCKET:
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL"),
            "region_name": env_str("MEDIA_S3_REGION"),
            "access_key": env_str("MEDIA_S3_ACCESS_KEY_ID"),
            "secret_key": env_str("MEDIA_S3_SECRET_ACCESS_KEY"),
            "location": env_str("MEDIA_S3_PREFIX", ""),
            "custom_domain": env_str("MEDIA_S3_CUSTOM_DOMAIN"),
            # "public-read" where the provider sets per-object ACLs (DigitalOcean
            # Spaces, Scaleway); empty where a bucket policy grants public reads (AWS).
            "default_acl": env_str("MEDIA_S3_DEFAULT_ACL"),
            # Plain URLs that browsers and CDNs cache (signed ones change at every page view).
            "querystring_auth": env_bool("MEDIA_S3_SIGNED_URLS", False),
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=2592000"},
        },
    }
    # Documents can be private (collections): always served through Wagtail's
    # permission check, never by a redirect to the bucket.
    WAGTAILDOCS_SERVE_METHOD = "serve_view"
    MEDIA_ORIGINS = media_origins(MEDIA_STORAGE["OPTIONS"])
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    MEDIA_ORIGINS = []  # served by this site (nginx)
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Email
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "OC Pizza <commandes@ocpizza.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Wagtail
WAGTAIL_SITE_NAME = "OC Pizza"
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# The public site, for the links in customer e-mails (sent by the scheduler, with no
# request to read a host from). Not WAGTAILADMIN_BASE_URL: the admin may live on another
# host. Not Wagtail's Site record either: Wagtail serves the default site whatever the
# host, so a record left at "localhost" would go unnoticed while every e-mail link breaks.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

LOGIN_URL = "wagtailadmin_login"

# PayPal (Orders v2). PAYPAL_MODE: "off", "fake" (the simulator in devtools/fake_paypal.py,
# development and tests only), "sandbox" or "live". Credentials only from the environment.
PAYPAL_MODE = env_str("PAYPAL_MODE", "off")
PAYPAL_CLIENT_ID = env_str("PAYPAL_CLIENT_ID", "")
PAYPAL_CLIENT_SECRET = env_str("PAYPAL_CLIENT_SECRET", "")
PAYPAL_WEBHOOK_ID = env_str("PAYPAL_WEBHOOK_ID", "")
PAYPAL_FAKE_URL = env_str("PAYPAL_FAKE_URL", "http://127.0.0.1:8765")
PAYPAL_TIMEOUT = env_int("PAYPAL_TIMEOUT", 10)  # seconds per call
PAYPAL_MAX_RETRIES = env_int("PAYPAL_MAX_RETRIES", 2)  # on 5xx and time-outs, with back-off
PAYPAL_PAYMENT_TIMEOUT_MINUTES = env_int(
    "PAYPAL_PAYMENT_TIMEOUT_MINUTES", 10
)  # an unpaid order holds stock: not for long

# Guests' orders keep their name, phone, e-mail and address this long, then
# `manage.py anonymise_guest_orders` (daily, scheduler) blanks them; figures stay.
GUEST_DATA_RETENTION_DAYS = env_int("GUEST_DATA_RETENTION_DAYS", 365)

# --- Errors reach someone (docs/operations-managed.md) -------------------------
# SENTRY_DSN (Sentry or a compatible service such as GlitchTip): every
# unhandled error is sent there (production settings start the SDK). Without
# it, ADMINS ("Name <mail>, Other <mail>") receive them by email.
SENTRY_DSN = env_str("SENTRY_DSN")
ADMINS = getaddresses(env_list("ADMINS"))

# --- /metrics (docs/operations-managed.md) -------------------------------------
# Answered only to a client whose connecting address (REMOTE_ADDR: nginx, or
# Prometheus on the internal network) is in METRICS_ALLOWED_NETWORKS, or that
# sends "Authorization: Bearer <METRICS_TOKEN>".
METRICS_ALLOWED_NETWORKS = env_list(
    "METRICS_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"
)
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# --- Abuse limits -------------------------------------------------------------
# Whose address a request comes from: the socket's, unless the settings name a
# header set by our own proxy (production: nginx's X-Real-IP).
CLIENT_ADDRESS_HEADER = None

# Login throttling with django-axes: after AXES_FAILURE_LIMIT wrong passwords
# for one account from one client address, that pair is locked out for the
# cool-off time (customer login and Wagtail admin login alike). Both logins take
# an e-mail address (accounts.EmailBackend) or a user name (Django's ModelBackend).
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as django-axes requires
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "client_address.client_address"
AXES_USERNAME_CALLABLE = "login_attempts.username_of_attempt"
AXES_LOCKOUT_TEMPLATE = "ordering/locked_out.html"
AXES_VERBOSE = False

# Placing orders, rate-limited with django-ratelimit (counters in the cache,
# Redis in production): per client address (offices and phones share one) and
# per browser session. An unpaid PayPal order holds stock, so a session holds
# one at most (a new checkout releases the previous one) and only for
# PAYPAL_PAYMENT_TIMEOUT_MINUTES.
INSTALLED_APPS += ["django_ratelimit"]
CHECKOUT_RATE_PER_ADDRESS = env_str("CHECKOUT_RATE_PER_ADDRESS", "20/h")
CHECKOUT_RATE_PER_SESSION = env_str("CHECKOUT_RATE_PER_SESSION", "5/10m")
# Customer accounts created, and "forgot your password" e-mails sent, per client address.
SIGNUP_RATE_PER_ADDRESS = env_str("SIGNUP_RATE_PER_ADDRESS", "10/h")
PASSWORD_RESET_RATE_PER_ADDRESS = env_str("PASSWORD_RESET_RATE_PER_ADDRESS", "5/h")
RATELIMIT_FAIL_OPEN = True  # a cache outage must not stop customers from ordering

# Content-Security-Policy with django-csp: the public site runs only its own
# static scripts (a nonce is added for any inline one that uses
# {{ request.csp_nonce }}); site/content_security.py relaxes it for Wagtail's
# admin and adds PayPal's approval page to form-action. Django sends the other
# security headers (SecurityMiddleware, X-Frame-Options): nginx must not repeat them.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1, "content_security.PolicyPerRequestMiddleware")
INSTALLED_APPS += ["csp"]

# The page cache (core/page_cache.py): outside the session's middleware, so that a
# page served from it reads no session; {% csrf_marker %} resolved just inside CSRF's.
MIDDLEWARE.insert(
    MIDDLEWARE.index("content_security.PolicyPerRequestMiddleware") + 1, "core.page_cache.PageCacheMiddleware"
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.csrf.CsrfViewMiddleware") + 1, "core.page_cache.CsrfMarkerMiddleware"
)
# Unchanged kitchen-board polls answered without SQL once their checks passed (ordering/staff/polls.py).
# Wagtail's routing remembered per content version (home/routes.py).
MIDDLEWARE.insert(
    MIDDLEWARE.index("wagtail.contrib.redirects.middleware.RedirectMiddleware"), "home.routes.RouteCacheMiddleware"
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "ordering.staff.polls.UnchangedBoardPollMiddleware",
)
# Pages anonymous visitors share carry no CSRF token: forms get one when submitted
# (site/static/js/csrf.js reads the cookie or asks /csrf-token/); without JavaScript,
# the failure page offers the form again with a token (csrf_tokens.py).
CSRF_FAILURE_VIEW = "csrf_tokens.failure"
# bench/web.py's baseline, a Django "hello world" behind every middleware: off unless asked for.
BENCH_HELLO_WORLD = env_bool("BENCH_HELLO_WORLD", False)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *MEDIA_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],  # Wagtail's live preview
        "frame-ancestors": [SELF],  # ... which shows our pages in a same-origin frame
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
# Staff avatars from Gravatar would send a hash of each e-mail address to a third party (and need a CSP hole).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# The books (issue 13): the key that signs the sales journal's chain and the archives
# for the tax authority (HMAC-SHA256). Unset: derived from SECRET_KEY, so set it before
# ever rotating SECRET_KEY, and keep it as long as the archives (6 years).
BOOKS_JOURNAL_KEY = env_str("BOOKS_JOURNAL_KEY")
