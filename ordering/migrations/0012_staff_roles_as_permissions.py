"""The staff roles become permissions (StaffMember's Meta.permissions), checked by
ordering.staff.permissions instead of group names: renaming a group in the admin no
longer takes its members' rights away. Today's groups get their role's permission,
so existing installations keep working; a missing group is created, with what
migrations 0004 and 0006 give every staff group (admin access, the orders list)."""

from django.db import migrations

PERMISSIONS = [
    ("manage_restaurant", "Manager: runs their restaurants (every order step, cancelling, stock, dashboard)"),
    ("prepare_orders", "Pizzaiolo: prepares the orders of their restaurants"),
    ("deliver_orders", "Courier: delivers the orders of their restaurants"),
    ("serve_counter", "Counter: takes phone and counter orders, hands over take-away orders"),
    ("see_all_restaurants", "Head office: reads the orders and figures of every restaurant"),
]
ROLE_OF_GROUP = {
    "Gérant": "manage_restaurant",
    "Pizzaiolo": "prepare_orders",
    "Livreur": "deliver_orders",
    "Comptoir": "serve_counter",
    "Siège": "see_all_restaurants",
}


def grant_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # Django creates a model's permissions after migrating (post_migrate): too late for the grant.
    staff_member, _ = ContentType.objects.get_or_create(app_label="ordering", model="staffmember")
    roles = {
        codename: Permission.objects.get_or_create(content_type=staff_member, codename=codename, defaults={"name": name})[0]
        for codename, name in PERMISSIONS
    }
    every_staff_group = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    ) | Permission.objects.filter(content_type__app_label="ordering", codename="view_order")
    for group_name, codename in ROLE_OF_GROUP.items():
        group, created = Group.objects.get_or_create(name=group_name)
        group.permissions.add(roles[codename], *(every_staff_group if created else ()))


class Migration(migrations.Migration):
    dependencies = [
        ("ordering", "0011_refund_ids_unique"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="staffmember",
            options={
                "permissions": PERMISSIONS,
                "verbose_name": "staff member",
                "verbose_name_plural": "staff members",
            },
        ),
        # Back to 0011: the code then reads group names again; the permissions are left, unused.
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
    ]
