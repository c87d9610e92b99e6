from django.conf import settings
from django.contrib.syndication.views import Feed

from articles.models import Article


class LatestArticlesFeed(Feed):
    description_template = None

    def title(self) -> str:
        return f"{settings.SITE_NAME}: latest"

    def link(self) -> str:
        return "/"

    def items(self):
        return Article.objects.published().newest_first().for_listing()[:30]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.excerpt(300)

    def item_pubdate(self, item: Article):
        return item.publish_at

    def item_author_name(self, item: Article) -> str:
        return ", ".join(author.name for author in item.ordered_authors)
