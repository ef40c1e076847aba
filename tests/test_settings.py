"""Production settings: refuse to start half-configured, and pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
        and not k.startswith("PAYPAL_")
    }
    clean.update(DJANGO_SETTINGS_MODULE="settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DATABASE_URL=os.environ["DATABASE_URL"])
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_a_database():
    result = manage("check", SECRET_KEY="x" * 60)
    assert result.returncode != 0 and "DATABASE_URL must be set" in result.stderr


def test_check_deploy_is_clean():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k" + "3Xz!9qLm#" * 7,
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
        ALLOWED_HOSTS="www.ocpizza.fr",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_never_uses_the_fake_paypal():
    result = manage("check", SECRET_KEY="x" * 60, DATABASE_URL=os.environ["DATABASE_URL"], PAYPAL_MODE="fake")
    assert result.returncode != 0 and "PAYPAL_MODE must be off, sandbox or live" in result.stderr
    # Nor can it start it: the fake and its command live in devtools/, which production settings do not install.
    result = manage("fake_paypal", "--port", "0", SECRET_KEY="x" * 60, DATABASE_URL=os.environ["DATABASE_URL"])
    assert result.returncode != 0 and "Unknown command: 'fake_paypal'" in result.stderr


def test_production_paypal_needs_its_credentials():
    result = manage("check", SECRET_KEY="x" * 60, DATABASE_URL=os.environ["DATABASE_URL"], PAYPAL_MODE="live")
    assert result.returncode != 0 and "PAYPAL_CLIENT_ID" in result.stderr


# --- local running (issue 9) --------------------------------------------------


def dev_setting(expression, **env):
    clean = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DB_CONN_MAX_AGE", "DATABASE_URL")
    }
    clean.update(DJANGO_SETTINGS_MODULE="settings.dev", **env)
    code = f"import sys; sys.path[:0] = ['.', 'site']; import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def dev_commands():
    clean = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    result = subprocess.run(
        [sys.executable, "manage.py", "help", "--commands"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "settings.dev"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_dev_settings_close_database_connections_after_each_request():
    assert dev_setting('settings.DATABASES["default"]["CONN_MAX_AGE"]') == "0"
    assert dev_setting('settings.DATABASES["default"]["CONN_MAX_AGE"]', DATABASE_URL=os.environ["DATABASE_URL"]) == "0"
    assert (
        dev_setting('settings.DATABASES["default"]["CONN_MAX_AGE"]', DB_CONN_MAX_AGE="30") == "30"
    )  # still an explicit choice


def test_dev_check_passes_without_redis():
    clean = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "settings.dev"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_load_demo_refuses_the_production_settings():
    """The demo's accounts have known passwords: production settings do not even have the command."""
    result = manage(
        "load_demo", SECRET_KEY="x" * 60, DATABASE_URL=os.environ["DATABASE_URL"], REDIS_URL=os.environ["REDIS_URL"]
    )
    assert result.returncode != 0 and "Unknown command: 'load_demo'" in result.stderr
    # ... which the development settings have (so the assertion above is about settings, not a typo).
    commands = dev_commands()
    assert "load_demo" in commands and "fake_paypal" in commands


def test_production_links_customers_to_the_public_site_never_to_localhost():
    def site_url(**env):
        result = manage(
            "shell",
            "-c",
            "from django.conf import settings; print('SITE_URL=' + settings.SITE_URL)",
            SECRET_KEY="x" * 60,
            DATABASE_URL=os.environ["DATABASE_URL"],
            **env,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.split("SITE_URL=")[1].strip()

    assert site_url(ALLOWED_HOSTS="www.ocpizza.fr,ocpizza.fr") == "https://www.ocpizza.fr"
    assert (
        site_url(ALLOWED_HOSTS="www.ocpizza.fr", SITE_URL="https://commande.ocpizza.fr")
        == "https://commande.ocpizza.fr"
    )
    for env in ({}, {"ALLOWED_HOSTS": "www.ocpizza.fr", "SITE_URL": "http://127.0.0.1:8000"}):
        result = manage(
            "check", "--deploy", SECRET_KEY="k" + "3Xz!9qLm#" * 7, DATABASE_URL=os.environ["DATABASE_URL"], **env
        )
        assert result.returncode != 0 and "ordering.E001" in result.stderr + result.stdout
