import re

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from articles.sitemaps import ArticleSitemap
from newsroom.csrf_views import csrf_token
from newsroom.media import serve_media
from newsroom.pagecache import public_page

admin.site.site_header = f"{settings.SITE_NAME} editorial"
admin.site.site_title = f"{settings.SITE_NAME} editorial"
admin.site.index_title = "Newsroom"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("donate/", include("donations.urls")),
    path("csrf-token/", csrf_token, name="csrf_token"),
    path(
        "sitemap.xml",
        public_page(sitemap),
        {"sitemaps": {"articles": ArticleSitemap}},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("", include("republish.urls")),
    path("", include("articles.urls")),
]

# Uploads on local disk are served by the app, DEBUG or not (newsroom/media.py); on object
# storage (MEDIA_STORAGE=s3) pages link to the store instead.
if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", serve_media),
    ]
