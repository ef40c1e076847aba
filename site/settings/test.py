"""Tests run against the real services production uses: PostgreSQL and Redis.
`make test` points DATABASE_URL/REDIS_URL at the local servers."""

from django.core.exceptions import ImproperlyConfigured

from .dev import *  # noqa: F401,F403
from .env import env_str

DATABASE_URL = env_str("DATABASE_URL", required=True)
if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("Tests run against PostgreSQL: set DATABASE_URL=postgres://...")
if not env_str("REDIS_URL"):
    raise ImproperlyConfigured("Tests run against Redis: set REDIS_URL=redis://...")

DATABASES = {"default": database_from_url(DATABASE_URL)}  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 0
CACHES["default"]["KEY_PREFIX"] = "ocpizza-test"  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405

# --- Rate limits ---------------------------------------------------------------
# Rate-limit counters live in Redis and would carry over from test to test:
# off here; tests/ordering/test_abuse.py switches them on with fresh counters.
RATELIMIT_ENABLE = False
