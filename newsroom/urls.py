import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path

from articles import sitemaps
from articles.views import robots_txt
from newsroom.csrf_views import csrf_token
from newsroom.media import serve_media
from newsroom.pagecache import public_page

admin.site.site_header = f"{settings.SITE_NAME} editorial"
admin.site.site_title = f"{settings.SITE_NAME} editorial"
admin.site.index_title = "Newsroom"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("csrf-token/", csrf_token, name="csrf_token"),
    # Outside any language prefix: one index lists every language's sitemaps.
    path("robots.txt", public_page(robots_txt), name="robots_txt"),
    path("sitemap.xml", public_page(sitemaps.index), name="sitemap"),
    path("sitemap-<slug:section>.xml", public_page(sitemaps.section), name="sitemap-section"),
    # Reader and donor pages in each language: English unprefixed (so every URL from
    # before the Spanish site still answers), Spanish under /es/. The request's language
    # comes from this prefix alone (newsroom/language.py).
    # The republication pixel and the partner feed: one address for every language.
    path("", include("republish.urls")),
    *i18n_patterns(
        path("donate/", include("donations.urls")),
        path("", include("republish.page_urls")),
        path("", include("articles.urls")),
        prefix_default_language=False,
    ),
]

# Uploads on local disk are served by the app, DEBUG or not (newsroom/media.py); on object
# storage (MEDIA_STORAGE=s3) pages link to the store instead.
if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", serve_media),
    ]
