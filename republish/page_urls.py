"""The "Republish this story" page: in each language's URL scheme, beside its article."""

from django.urls import path

from republish import views

app_name = "republish_pages"

urlpatterns = [
    path("article/<slug:slug>/republish/", views.republish_page, name="page"),
]
