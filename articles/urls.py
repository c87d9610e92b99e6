from django.urls import path

from articles import views
from articles.feeds import LatestArticlesFeed
from newsroom.pagecache import public_page

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("feed/", public_page(LatestArticlesFeed()), name="feed"),
    path("search/", views.search, name="search"),
    path("section/<slug:slug>/", views.hub, {"kind": "section"}, name="section"),
    path("country/<slug:slug>/", views.hub, {"kind": "country"}, name="country"),
    path("group/<slug:slug>/", views.hub, {"kind": "group"}, name="group"),
    path("topic/<slug:slug>/", views.hub, {"kind": "topic"}, name="topic"),
    path("author/<slug:slug>/", views.hub, {"kind": "author"}, name="author"),
    path("preview/<int:pk>/", views.preview, name="preview"),
    path("article/<slug:slug>/", views.detail, name="detail"),
    path("article/<slug:slug>/helpful/", views.helpful_vote, name="helpful"),
    path("article/<slug:slug>/helpful/why/", views.helpful_more, name="helpful_more"),
    path("article/<slug:slug>/comment/", views.comment, name="comment"),
    path("corrections/", views.corrections, name="corrections"),
]
