"""Fetch the home page and one article through Django's test client; fail loudly if either breaks.

Used by CI on the embedded SQLite path after `migrate` and `seed_demo`.
"""

from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.test.utils import setup_test_environment

from articles.models import Article


class Command(BaseCommand):
    help = "Fetch / and one published article; exit non-zero unless both answer 200."

    def handle(self, *args, **options) -> None:
        setup_test_environment()
        client = Client()
        article = Article.objects.published().newest_first().first()
        if article is None:
            raise CommandError("No published article: did seed_demo run?")
        for url in ("/", "/es/", article.get_absolute_url(), "/donate/", "/es/donate/"):
            response = client.get(url)
            if response.status_code != 200:
                raise CommandError(f"GET {url} answered {response.status_code}")
            self.stdout.write(f"GET {url} -> 200 ({len(response.content)} bytes)")
