from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Editorial"

    def ready(self) -> None:
        from articles import checks  # noqa: F401  (registers the system checks)
        from articles.services import article_bodies_redraw
        from articles.sqlite_triggers import create_after_migrate, drop_before_migrate
        from images.hooks import on_display_changed

        # Bodies draw their inline images when saved: redraw them when an image changes.
        on_display_changed(article_bodies_redraw)

        # SQLite rebuilds tables for schema changes; the triggers must not be in the way.
        pre_migrate.connect(drop_before_migrate, dispatch_uid="articles:sqlite_triggers_drop")
        post_migrate.connect(create_after_migrate, dispatch_uid="articles:sqlite_triggers_create")
