"""`manage.py check --deploy` stays clean under the production settings with
each managed-service option on, and the options reach the settings."""

import json
import os
import secrets
import subprocess
import sys

import pytest

from devtools.production_stack import ROOT

BASE = {
    "DJANGO_SETTINGS_MODULE": "settings.production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DATABASE_URL": "postgres://ocpizza:secret@127.0.0.1:5432/ocpizza",
    "ALLOWED_HOSTS": "ocpizza.fr",
    "CSRF_TRUSTED_ORIGINS": "https://ocpizza.fr",
    "PAYPAL_MODE": "off",
}
OPTIONS = {
    "local defaults": {},
    "managed PostgreSQL behind a pooler": {
        "DATABASE_URL": "postgres://ocpizza:secret@db.example.net:25061/ocpizza?sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca-certificates.crt",
        "DISABLE_SERVER_SIDE_CURSORS": "true",
    },
    "managed Redis": {"REDIS_URL": "rediss://default:secret@redis.example.net:25061/0"},
    "media on object storage": {
        "MEDIA_S3_BUCKET": "ocpizza-media",
        "MEDIA_S3_ENDPOINT_URL": "https://fra1.digitaloceanspaces.com",
        "MEDIA_S3_ACCESS_KEY_ID": "key",
        "MEDIA_S3_SECRET_ACCESS_KEY": "secret",
        "MEDIA_S3_DEFAULT_ACL": "public-read",
    },
    "Sentry": {"SENTRY_DSN": "https://public@127.0.0.1:9/1"},
    "ADMINS mail": {"ADMINS": "Exploitation <exploitation@ocpizza.fr>, Astreinte <astreinte@ocpizza.fr>"},
    "metrics token": {"METRICS_TOKEN": secrets.token_hex(32), "METRICS_ALLOWED_NETWORKS": "10.0.0.0/8"},
}


def production(environment, *args):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PAYPAL_", "REDIS_", "DATABASE_"))
    }
    env.update(BASE, **environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


ALL_ON = {key: value for option in OPTIONS.values() for key, value in option.items()}
# The options are independent except Sentry, which replaces the ADMINS mail:
# three runs cover every branch (each run imports the whole project, ~5 s).
CONFIGURATIONS = {"none": {}, "all": ALL_ON, "all but Sentry": {**ALL_ON, "SENTRY_DSN": ""}}


@pytest.mark.parametrize("configuration", CONFIGURATIONS)
def test_check_deploy_is_clean_with_the_options_on(configuration):
    result = production(CONFIGURATIONS[configuration], "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_options_reach_the_settings():
    environment = ALL_ON
    script = """
import json
from django.conf import settings
from django.core.files.storage import storages
default_storage = storages["default"]
import sentry_sdk
db = settings.DATABASES["default"]
print(json.dumps({
    "cursors": db["DISABLE_SERVER_SIDE_CURSORS"], "ssl": db["OPTIONS"], "cache": settings.CACHES["default"]["LOCATION"],
    "storage": type(default_storage).__name__, "bucket": default_storage.bucket_name, "acl": default_storage.default_acl,
    "sentry": sentry_sdk.get_client().is_active(), "admins": settings.ADMINS,
    "mail_admins": "mail_admins" in settings.LOGGING["loggers"]["django.request"]["handlers"],
}))
"""
    result = production(environment, "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["cursors"] is True
    assert values["ssl"] == {"sslmode": "verify-full", "sslrootcert": "/etc/ssl/certs/ca-certificates.crt"}
    assert values["cache"].startswith("rediss://")
    assert values["storage"] == "S3Storage" and values["bucket"] == "ocpizza-media" and values["acl"] == "public-read"
    assert values["sentry"] is True and values["mail_admins"] is False  # Sentry wins when both are set
    assert values["admins"] == [["Exploitation", "exploitation@ocpizza.fr"], ["Astreinte", "astreinte@ocpizza.fr"]]


def test_without_options_media_stay_local_and_no_error_reporting():
    result = production(
        {},
        "shell",
        "-c",
        "from django.core.files.storage import storages; import sentry_sdk;"
        " print(type(storages['default']).__name__, sentry_sdk.get_client().is_active())",
    )
    assert result.stdout.strip().splitlines()[-1] == "FileSystemStorage False"
