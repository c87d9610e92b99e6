"""Create the Writer and Editor groups with their permissions."""

from django.db import migrations

WRITER = {
    "articles": ["add_article", "change_article", "view_article", "delete_article",
                 "view_byline", "add_byline", "change_byline", "delete_byline",
                 "view_author", "view_section", "view_country", "view_criminalgroup",
                 "view_topic", "add_topic"],
}
EDITOR = {
    "articles": ["add_article", "change_article", "view_article", "delete_article",
                 "publish_article",
                 "view_byline", "add_byline", "change_byline", "delete_byline",
                 "add_author", "change_author", "view_author", "delete_author",
                 "add_section", "change_section", "view_section",
                 "add_country", "change_country", "view_country",
                 "add_criminalgroup", "change_criminalgroup", "view_criminalgroup",
                 "add_topic", "change_topic", "view_topic", "delete_topic",
                 "view_slugredirect", "add_slugredirect", "change_slugredirect",
                 "delete_slugredirect",
                 "view_readercomment", "change_readercomment", "delete_readercomment",
                 "view_helpfulvote"],
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations run; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in (("Writer", WRITER), ("Editor", EDITOR)):
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in grants.items():
            perms = Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            group.permissions.add(*perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Writer", "Editor"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
