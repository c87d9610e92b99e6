from django.urls import path

from newsroom.pagecache import public_page
from republish import views
from republish.feeds import PartnerFeed

app_name = "republish"

urlpatterns = [
    path("article/<slug:slug>/republish/", views.republish_page, name="page"),
    path("republish/pixel/<int:article_id>.gif", views.pixel, name="pixel"),
    path("republish/feed/", public_page(PartnerFeed()), name="feed"),
]
