from django.apps import AppConfig


class CoreConfig(AppConfig):
    """No models: installed so Django finds core's management commands."""

    name = "core"
