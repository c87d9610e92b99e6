"""Let the Editor role (articles/0002_roles) read the republication reports."""

from django.db import migrations

EDITOR_GRANTS = ["view_republication"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations run; make sure ours exist now.
    app_config = apps.get_app_config("republish")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(
        *Permission.objects.filter(content_type__app_label="republish", codename__in=EDITOR_GRANTS)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor = Group.objects.filter(name="Editor").first()
    if editor:
        editor.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="republish", codename__in=EDITOR_GRANTS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("republish", "0001_initial"),
        ("articles", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
