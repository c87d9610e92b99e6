"""Let the Editor role (articles/0002_roles) see donations and run the report.

Editors get view and change on the donation models: change is what lets them correct
attribution, edit the form's suggested amounts and reprocess ledger entries; money
fields stay read-only in the admin whatever the permission.
"""

from django.db import migrations

EDITOR_GRANTS = [
    "view_donation", "change_donation",
    "view_payment", "change_payment",
    "view_stripeevent", "change_stripeevent",
    "view_donationsettings", "change_donationsettings", "add_donationsettings",
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations run; make sure ours exist now.
    app_config = apps.get_app_config("donations")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(
        *Permission.objects.filter(content_type__app_label="donations", codename__in=EDITOR_GRANTS)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor = Group.objects.filter(name="Editor").first()
    if editor:
        editor.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="donations", codename__in=EDITOR_GRANTS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0001_initial"),
        ("articles", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
