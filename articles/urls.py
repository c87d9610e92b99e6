from django.urls import path

from articles import views
from articles.feeds import FEEDS
from newsroom.pagecache import public_page

app_name = "articles"


def _feed_paths(prefix: str, kind: str | None) -> list:
    """RSS at <prefix>feed/ and Atom at <prefix>feed/atom/ (the old /feed/ stays RSS)."""
    rss, atom = FEEDS[kind]
    name = f"{kind}_feed" if kind else "feed"
    return [
        path(f"{prefix}feed/", public_page(rss), name=name),
        path(f"{prefix}feed/atom/", public_page(atom), name=f"{name}_atom"),
    ]


urlpatterns = [
    path("", views.home, name="home"),
    *_feed_paths("", None),
    path("search/", views.search, name="search"),
    path("section/<slug:slug>/", views.hub, {"kind": "section"}, name="section"),
    *_feed_paths("section/<slug:slug>/", "section"),
    path("country/<slug:slug>/", views.hub, {"kind": "country"}, name="country"),
    *_feed_paths("country/<slug:slug>/", "country"),
    path("group/<slug:slug>/", views.hub, {"kind": "group"}, name="group"),
    *_feed_paths("group/<slug:slug>/", "group"),
    path("topic/<slug:slug>/", views.hub, {"kind": "topic"}, name="topic"),
    path("author/<slug:slug>/", views.hub, {"kind": "author"}, name="author"),
    *_feed_paths("author/<slug:slug>/", "author"),
    path("preview/<int:pk>/", views.preview, name="preview"),
    path("article/<slug:slug>/", views.detail, name="detail"),
    path("article/<slug:slug>/helpful/", views.helpful_vote, name="helpful"),
    path("article/<slug:slug>/helpful/why/", views.helpful_more, name="helpful_more"),
    path("article/<slug:slug>/comment/", views.comment, name="comment"),
    path("corrections/", views.corrections, name="corrections"),
]
