from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    """The project package as an app: it owns the shared rate-limit counter table."""

    default = True
    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from newsroom import pagecache

        pagecache.connect_invalidation()
