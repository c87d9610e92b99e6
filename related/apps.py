from django.apps import AppConfig


class RelatedConfig(AppConfig):
    """Related content sits above ``articles``: it reads articles and follows their events.

    Everything that ties it to ``articles`` is attached here, so ``articles`` imports nothing
    of this app: the receivers of ``articles.events`` (freshness), the block below each story
    (``articles.reads.register_story_block``) and the admin's related panel.
    """

    name = "related"
    verbose_name = "Related content"

    def ready(self) -> None:
        from articles.reads import register_story_block
        from related import freshness
        from related.admin import attach_to_article_admin
        from related.block import RELATED_BLOCK

        freshness.connect()
        register_story_block(RELATED_BLOCK)
        # The admin app's ready() (first in INSTALLED_APPS) imported articles.admin already.
        attach_to_article_admin()
