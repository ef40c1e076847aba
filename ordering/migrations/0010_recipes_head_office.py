"""Head office owns the group's recipes (recipe lines, steps, ingredients),
shared by every restaurant: only head office adds, changes and deletes them;
managers keep reading them. (A manager's edit changed what every restaurant
can make.)"""

from django.db import migrations

RECIPE_MODELS = ["recipeline", "recipesteps", "ingredient"]
WRITE = ("add", "change", "delete")


def _permissions(apps, actions):
    Permission = apps.get_model("auth.Permission")
    codenames = [f"{action}_{model}" for model in RECIPE_MODELS for action in actions]
    return Permission.objects.filter(content_type__app_label="ordering", codename__in=codenames)


def head_office_owns_recipes(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Group.objects.get(name="Siège").permissions.add(*_permissions(apps, WRITE + ("view",)))
    Group.objects.get(name="Gérant").permissions.remove(*_permissions(apps, WRITE))


def managers_edit_recipes_again(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Group.objects.get(name="Gérant").permissions.add(*_permissions(apps, WRITE))
    Group.objects.get(name="Siège").permissions.remove(*_permissions(apps, WRITE + ("view",)))


class Migration(migrations.Migration):
    dependencies = [("ordering", "0009_notification_claim")]
    operations = [migrations.RunPython(head_office_owns_recipes, managers_edit_recipes_again)]
