"""Marketing edits and publishes promotions (drafts, scheduling); nothing else of offers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MARKETING_GROUP = "Marketing"
ACTIONS = ("add", "change", "delete", "view", "publish")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("offers")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    content_type = ContentType.objects.get_for_model(apps.get_model("offers.Promotion"))
    # Wagtail adds "publish" to draftable snippets only after migrations.
    Permission.objects.get_or_create(
        content_type=content_type, codename="publish_promotion", defaults={"name": "Can publish promotion"}
    )
    group = Group.objects.filter(name=MARKETING_GROUP).first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(content_type=content_type, codename__in=[f"{a}_promotion" for a in ACTIONS])
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    group = Group.objects.filter(name=MARKETING_GROUP).first()
    if group is not None:
        group.permissions.remove(*group.permissions.filter(content_type__app_label="offers"))


class Migration(migrations.Migration):
    dependencies = [("offers", "0001_initial"), ("home", "0002_homepage_and_marketing_group")]

    operations = [migrations.RunPython(grant, revoke)]
