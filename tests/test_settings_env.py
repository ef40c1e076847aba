"""Settings read from the environment, or from files (Docker secrets) named by NAME_FILE."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from settings.env import env_str


def test_a_variable_wins_over_its_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("from-the-file\n")
    monkeypatch.setenv("OCPIZZA_TEST_SECRET_FILE", str(secret))
    monkeypatch.setenv("OCPIZZA_TEST_SECRET", "from-the-environment")
    assert env_str("OCPIZZA_TEST_SECRET") == "from-the-environment"


def test_the_file_named_by_name_file_is_read_when_the_variable_is_unset(monkeypatch, tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("s3cret value\n")  # as `docker secret create` stores it, newline included
    monkeypatch.delenv("OCPIZZA_TEST_SECRET", raising=False)
    monkeypatch.setenv("OCPIZZA_TEST_SECRET_FILE", str(secret))
    assert env_str("OCPIZZA_TEST_SECRET", required=True) == "s3cret value"


def test_neither_variable_nor_file_gives_the_default_or_refuses(monkeypatch):
    monkeypatch.delenv("OCPIZZA_TEST_SECRET", raising=False)
    monkeypatch.delenv("OCPIZZA_TEST_SECRET_FILE", raising=False)
    assert env_str("OCPIZZA_TEST_SECRET", "default") == "default"
    with pytest.raises(ImproperlyConfigured):
        env_str("OCPIZZA_TEST_SECRET", required=True)


def test_an_unreadable_secret_file_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.delenv("OCPIZZA_TEST_SECRET", raising=False)
    monkeypatch.setenv("OCPIZZA_TEST_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="OCPIZZA_TEST_SECRET_FILE"):
        env_str("OCPIZZA_TEST_SECRET")
