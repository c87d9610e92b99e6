from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo corpus and ``seed_demo``: the top floor, which nothing imports."""

    name = "demo"
    verbose_name = "Demo content"
