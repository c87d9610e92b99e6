"""Let the Editor role (articles/0002_roles) see the task queue's results in the admin.

View only: a failed receipt or related refresh is something an editor should be able to
see and report; the rows are written by the worker and nobody edits them.
"""

from django.db import migrations

TASK_RESULT_GRANTS = {"django_tasks_database": ["view_dbtaskresult"]}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations run; make sure these exist now.
    app_config = apps.get_app_config("django_tasks_database")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name="Editor")
    for app_label, codenames in TASK_RESULT_GRANTS.items():
        editor.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor = Group.objects.filter(name="Editor").first()
    if editor:
        for app_label, codenames in TASK_RESULT_GRANTS.items():
            editor.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_initial"),
        ("articles", "0002_roles"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
