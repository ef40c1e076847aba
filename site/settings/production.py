"""Production: refuses to start without a secret key and a database."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import (
    ADMINS,
    ALLOWED_HOSTS,
    MEDIA_STORAGE,
    PAYPAL_CLIENT_ID,
    PAYPAL_CLIENT_SECRET,
    PAYPAL_MODE,
    PAYPAL_WEBHOOK_ID,
    REDIS_URL,
    SENTRY_DSN,
    database_from_url,
)
from .env import env_bool, env_int, env_str

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", required=True)
DATABASES = {"default": database_from_url(env_str("DATABASE_URL", required=True))}

# Static files carry a content hash in their name so nginx can cache them for a year.
STORAGES = {
    "default": MEDIA_STORAGE,  # local volume, or object storage (base.py, "Media storage")
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}

# nginx terminates TLS and tells us the original scheme.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Wagtail's live preview shows the page in a same-origin iframe, so frames are
# allowed from this site only (DENY would break the editors' preview).
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]
# Kitchen boards are pushed to by the board-stream service (compose.yml), behind nginx;
# BOARD_STREAM_URL=off: they poll twice a second instead (as before the stream).
BOARD_STREAM_URL = env_str("BOARD_STREAM_URL", "/admin/cuisine/flux/" if REDIS_URL else "")
if BOARD_STREAM_URL == "off":
    BOARD_STREAM_URL = ""
if not REDIS_URL:
    # Without Redis (a one-process setup), each gunicorn worker counts checkout
    # rate limits on its own: looser limits, never wrong ones.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003", "django_ratelimit.W001"]

# Logs: JSON lines on stdout, collected by Docker.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "observability.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
    "root": {"handlers": ["stdout"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"handlers": ["stdout"], "level": "WARNING", "propagate": False}},
}

# --- Errors reach someone: Sentry when SENTRY_DSN is set, else mail to ADMINS --
if SENTRY_DSN:
    from observability import init_error_reporting

    init_error_reporting(
        SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT", "production"), release=env_str("APP_VERSION")
    )
elif ADMINS:
    LOGGING["handlers"]["mail_admins"] = {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR"}
    LOGGING["loggers"]["django.request"]["handlers"].append("mail_admins")

# Real money only: the simulator can never be used in production.
if PAYPAL_MODE not in ("off", "sandbox", "live"):
    raise ImproperlyConfigured("PAYPAL_MODE must be off, sandbox or live in production.")
if PAYPAL_MODE != "off" and not (PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET and PAYPAL_WEBHOOK_ID):
    raise ImproperlyConfigured("PayPal needs PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET and PAYPAL_WEBHOOK_ID.")

# --- Client address ------------------------------------------------------------
# nginx (docker/nginx/ocpizza.conf.template) sets X-Real-IP to the address it was
# connected from, replacing what the client sent: lockouts and rate limits count per real client.
CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"

# Customer e-mails link to the public site: SITE_URL, else the first allowed
# host over HTTPS; never the development default (`check --deploy` says if neither is set).
SITE_URL = env_str("SITE_URL") or (f"https://{ALLOWED_HOSTS[0]}" if ALLOWED_HOSTS else "")
