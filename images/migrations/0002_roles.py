"""Let the roles (articles/0002_roles) use the image library.

Writers upload and describe pictures for their stories; only editors delete them (a picture
may be shown by someone else's story: the featured-image link protects it, inline use does
not).
"""

from django.db import migrations

GRANTS = {
    "Writer": ["add_image", "change_image", "view_image"],
    "Editor": ["add_image", "change_image", "view_image", "delete_image"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations run; make sure ours exist now.
    app_config = apps.get_app_config("images")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="images", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="images"))


class Migration(migrations.Migration):
    dependencies = [
        ("images", "0001_initial"),
        ("articles", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
