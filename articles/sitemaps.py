from django.contrib.sitemaps import Sitemap

from articles.models import Article


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return Article.objects.published().newest_first().only("slug", "updated_at")

    def lastmod(self, article: Article):
        return article.updated_at
