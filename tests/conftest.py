import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_migrate


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Tests run with DEBUG off; plain static storage avoids needing collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def page_cache_on(settings):
    """The page cache on (in the test cache), no front cache, nothing kept from before."""
    from django.core.cache import cache

    from newsroom.pagecache import forget_local

    settings.PAGE_CACHE = True
    settings.FRONT_CACHE_PURGE_URLS = []
    cache.clear()
    forget_local()
    yield
    cache.clear()
    forget_local()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    # DEBUG off on PostgreSQL defaults to the database queue (production); tests run tasks
    # in-process unless they ask for the queue (tests/test_tasks.py).
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _restore_roles(sender, **kwargs) -> None:
    """Transactional tests flush the database, taking the roles made by data migrations
    with it; bring them back after each flush so later tests find a migrated database."""
    if sender.label == "republish":  # its permissions exist only once its own turn comes
        republish = importlib.import_module("republish.migrations.0002_editor_permissions")
        Group.objects.get_or_create(name="Editor")[0].permissions.add(
            *Permission.objects.filter(
                content_type__app_label="republish", codename__in=republish.EDITOR_GRANTS
            )
        )
    if sender.label != "donations":
        return
    roles = importlib.import_module("articles.migrations.0002_roles")
    grants = importlib.import_module("donations.migrations.0002_editor_permissions")
    for name, by_app in (("Writer", roles.WRITER), ("Editor", roles.EDITOR)):
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in by_app.items():
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
    Group.objects.get(name="Editor").permissions.add(
        *Permission.objects.filter(
            content_type__app_label="donations", codename__in=grants.EDITOR_GRANTS
        )
    )
    images = importlib.import_module("images.migrations.0002_roles")
    for name, codenames in images.GRANTS.items():
        Group.objects.get(name=name).permissions.add(
            *Permission.objects.filter(content_type__app_label="images", codename__in=codenames)
        )
    tasks = importlib.import_module("newsroom.migrations.0002_editor_sees_task_results")
    for app_label, codenames in tasks.TASK_RESULT_GRANTS.items():
        Group.objects.get(name="Editor").permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


post_migrate.connect(_restore_roles, weak=False, dispatch_uid="tests.restore_roles")
