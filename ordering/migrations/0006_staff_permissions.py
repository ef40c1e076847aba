"""Staff see orders in the admin's order list (what they may see of it is
limited to their restaurants by ordering.staff); managers edit recipes."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF = ["Gérant", "Pizzaiolo", "Livreur", "Comptoir", "Siège"]
MANAGER_MODELS = ["recipeline", "recipesteps", "ingredient"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    view_order = Permission.objects.get(content_type__app_label="ordering", codename="view_order")
    for group in Group.objects.filter(name__in=STAFF):
        group.permissions.add(view_order)
    manager = Group.objects.get(name="Gérant")
    codenames = [f"{action}_{model}" for model in MANAGER_MODELS for action in ("add", "change", "delete", "view")]
    manager.permissions.add(*Permission.objects.filter(content_type__app_label="ordering", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("ordering", "0005_stock_thresholds")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
