"""The staff roles as groups. Their rights on orders are checked by
ordering.staff; the groups only need to reach the Wagtail admin."""

from django.db import migrations

ROLES = ["Gérant", "Pizzaiolo", "Livreur", "Comptoir", "Siège"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)


def remove_groups(apps, schema_editor):
    apps.get_model("auth.Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("ordering", "0003_staff_board_notifications"), ("home", "0002_homepage_and_marketing_group")]
    operations = [migrations.RunPython(create_groups, remove_groups)]
