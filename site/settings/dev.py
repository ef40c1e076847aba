"""Local development: runs with nothing configured (SQLite, local-memory
cache, console email). Any variable from the environment still wins."""

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, DATABASE_URL, INSTALLED_APPS, database_from_url
from .env import env_int, env_list, env_str

DEBUG = True
# Development and test tooling (devtools/): `manage.py load_demo` (accounts with known
# passwords) and `manage.py fake_paypal` exist only here; production settings never
# install it, and the Docker image leaves it out (.dockerignore).
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
DATABASES = {"default": database_from_url(DATABASE_URL or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# The local demo pays through the fake PayPal that `make run` starts.
PAYPAL_MODE = env_str("PAYPAL_MODE", "fake")
PAYPAL_CLIENT_ID = env_str("PAYPAL_CLIENT_ID", "fake-client-id")
PAYPAL_CLIENT_SECRET = env_str("PAYPAL_CLIENT_SECRET", "fake-client-secret")
PAYPAL_WEBHOOK_ID = env_str("PAYPAL_WEBHOOK_ID", "FAKE-WEBHOOK-ID")

# --- Local running: database connections and rate limits --------------------
# runserver opens a connection per request thread: kept for 60 s they pile up
# (57 idle after 25 minutes) until PostgreSQL refuses clients. 0 closes each one.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 0)
# One local process: the local-memory cache is enough for rate-limit counters here.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
