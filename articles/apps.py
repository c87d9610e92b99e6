from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Editorial"

    def ready(self) -> None:
        from articles import checks  # noqa: F401  (registers the system checks)
        from articles.services import article_bodies_redraw
        from images.hooks import on_display_changed

        # Bodies draw their inline images when saved: redraw them when an image changes.
        on_display_changed(article_bodies_redraw)
