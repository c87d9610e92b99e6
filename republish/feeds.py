"""The partner feed: full stories with attribution and the pixel, for automatic syndication.

Only stories whose licence allows republication; each item carries the same HTML as the
"Republish this story" page (so No-Derivatives stories go out whole and unchanged), its
licence in the Creative Commons RSS module and the plain excerpt as the description.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from articles.models import Article
from republish import content
from republish.views import republishable

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
CC_NS = "http://backend.userland.com/creativeCommonsRssModule"


class PartnerRss(Rss201rev2Feed):
    def rss_attributes(self) -> dict[str, str]:
        return {
            **super().rss_attributes(),
            "xmlns:content": CONTENT_NS,
            "xmlns:creativeCommons": CC_NS,
        }

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])
        handler.addQuickElement("creativeCommons:license", item["licence_url"])


class PartnerFeed(Feed):
    feed_type = PartnerRss
    description_template = None

    def title(self) -> str:
        return escape(_("%(site)s: stories to republish") % {"site": settings.SITE_NAME})

    def link(self) -> str:
        return "/"

    def description(self) -> str:
        return escape(_("Full text of our stories licensed for republication, with attribution."))

    def items(self):
        items = list(republishable().order_by("-publish_at", "-pk")[:30])
        # Every item's republishable pictures in one query, not one per item (kept on the
        # items: this Feed instance is shared by every request).
        images = content.republishable_images_for(items)
        for item in items:
            item.republish_images = images.get(item.pk, content.NO_IMAGES)
        return items

    def item_title(self, item: Article) -> str:
        return escape(item.title)

    def item_description(self, item: Article) -> str:
        return escape(item.excerpt(300))

    def item_pubdate(self, item: Article):
        return item.publish_at

    def item_author_name(self, item: Article) -> str:
        return ", ".join(author.name for author in item.ordered_authors)

    def item_extra_kwargs(self, item: Article) -> dict[str, str]:
        package = content.build(item, item.republish_images)
        return {"content_html": package.html, "licence_url": package.licence.deed_url}
