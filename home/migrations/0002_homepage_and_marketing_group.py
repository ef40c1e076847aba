"""Gives a fresh database the site's home page and the "Marketing" group.

Marketing staff edit pages, the catalogue and images; they get no rights on
users, groups, sites or settings.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MARKETING_GROUP = "Marketing"
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
MODEL_PERMISSIONS = {
    "home": {
        "product": ["add", "change", "delete", "publish"],
        "category": ["add", "change", "delete"],
        "allergen": ["add", "change", "delete"],
        "dietarytag": ["add", "change", "delete"],
    },
}
IMAGE_PERMISSIONS = ["add_image", "change_image", "delete_image", "choose_image"]
DOCUMENT_PERMISSIONS = ["add_document", "change_document", "choose_document"]


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("home.HomePage")

    root = Page.objects.get(depth=1)
    # Wagtail's own placeholder "Welcome" page (its Site goes with it).
    Page.objects.filter(content_type__app_label="wagtailcore", content_type__model="page", depth=2).delete()
    homepage_type, _ = ContentType.objects.get_or_create(app_label="home", model="homepage")
    homepage = HomePage.objects.create(
        title="OC Pizza",
        draft_title="OC Pizza",
        slug="accueil",
        hero_title="Des pizzas généreuses, livrées chaudes",
        content_type=homepage_type,
        path=f"{root.path}0001",
        depth=2,
        numchild=0,
        url_path="/accueil/",
        locale_id=root.locale_id,
        live=True,
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.create(hostname="localhost", port=80, root_page=homepage, is_default_site=True, site_name="OC Pizza")


def create_marketing_group(apps, schema_editor):
    # Permissions of new models are normally made after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    # Wagtail adds "publish" to draftable snippets only after migrations.
    Permission.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(apps.get_model("home.Product")),
        codename="publish_product",
        defaults={"name": "Can publish product"},
    )
    Page = apps.get_model("wagtailcore.Page")
    Collection = apps.get_model("wagtailcore.Collection")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")

    group, _ = Group.objects.get_or_create(name=MARKETING_GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for app_label, models in MODEL_PERMISSIONS.items():
        for model, actions in models.items():
            codenames = [f"{action}_{model}" for action in actions]
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )

    home = Page.objects.get(depth=2, slug="accueil")
    for codename in PAGE_PERMISSIONS:
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
        GroupPagePermission.objects.get_or_create(group=group, page=home, permission=permission)

    root_collection = Collection.objects.get(depth=1)
    for app_label, codenames in (("wagtailimages", IMAGE_PERMISSIONS), ("wagtaildocs", DOCUMENT_PERMISSIONS)):
        for codename in codenames:
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )


def remove_marketing_group(apps, schema_editor):
    apps.get_model("auth.Group").objects.filter(name=MARKETING_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0006_formstate"),
    ]

    operations = [
        migrations.RunPython(create_homepage, migrations.RunPython.noop),
        migrations.RunPython(create_marketing_group, remove_marketing_group),
    ]
