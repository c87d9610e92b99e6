from django.urls import path

from donations import views

app_name = "donations"

urlpatterns = [
    path("", views.donate, name="donate"),
    path("thanks/", views.thanks, name="thanks"),
    path("manage/", views.manage, name="manage"),
    path("manage/<str:token>/", views.manage_open, name="manage_open"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]
