from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    """The project package as an app: it owns the shared rate-limit counter table."""

    default = True
    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from newsroom import compiled, pagecache

        pagecache.connect_invalidation()
        connection_created.connect(compiled.generic_plans, dispatch_uid="compiled:generic-plans")
