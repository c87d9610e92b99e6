"""The pixel and the partner feed: language-neutral, outside the /es/ prefix (the pixel's
address is pasted into other sites and must never change)."""

from django.urls import path

from newsroom.pagecache import public_page
from republish import views
from republish.feeds import PartnerFeed

app_name = "republish"

urlpatterns = [
    path("republish/pixel/<int:article_id>.gif", views.pixel, name="pixel"),
    path("republish/feed/", public_page(PartnerFeed()), name="feed"),
]
