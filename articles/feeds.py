from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.html import escape

from articles.models import Article


class LatestArticlesFeed(Feed):
    """RSS 2.0. Feed readers treat <title> and <description> as HTML, so every text we send
    is HTML-escaped here *and* XML-escaped by the feed writer: ``<img onerror=...>`` typed
    in a dek reaches the reader as that literal text, never as markup."""

    description_template = None

    def title(self) -> str:
        return escape(f"{settings.SITE_NAME}: latest")

    def link(self) -> str:
        return "/"

    def items(self):
        return Article.objects.published().newest_first().for_listing()[:30]

    def item_title(self, item: Article) -> str:
        return escape(item.title)

    def item_description(self, item: Article) -> str:
        # excerpt() is plain text (tags stripped, entities decoded): escape it back to HTML.
        return escape(item.excerpt(300))

    def item_pubdate(self, item: Article):
        return item.publish_at

    def item_author_name(self, item: Article) -> str:
        return ", ".join(author.name for author in item.ordered_authors)
