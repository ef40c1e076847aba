"""The journal and its closures refuse UPDATE and DELETE in PostgreSQL itself (whatever
bypasses the ORM), and head office edits the VAT rates and the legal details."""

from django.db import migrations

APPEND_ONLY_TABLES = ("books_journalentry", "books_closure")

FUNCTION = """
CREATE OR REPLACE FUNCTION books_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the sales journal is append-only: % on % refused (a correction is a new entry)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (development): the models' own refusal only
    schema_editor.execute(FUNCTION, params=None)  # no parameters: its % are PL/pgSQL's
    for table in APPEND_ONLY_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION books_refuse_change()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in APPEND_ONLY_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS books_refuse_change()")


HEAD_OFFICE_RIGHTS = {
    "vatrate": ("add", "change", "delete", "view"),
    "legaldetails": ("change", "view"),
}


def grant_head_office(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    head_offices = Group.objects.filter(
        permissions__codename="see_all_restaurants", permissions__content_type__app_label="ordering"
    )
    for model, actions in HEAD_OFFICE_RIGHTS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="books", model=model)
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=f"{action}_{model}", defaults={"name": f"Can {action} {model}"}
            )
            for group in head_offices:
                group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("books", "0001_initial"),
        ("ordering", "0012_staff_roles_as_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(add_triggers, drop_triggers),
        migrations.RunPython(grant_head_office, migrations.RunPython.noop),
    ]
