"""Fetch the home page, one article, the donate page and the home page's first picture through
Django's test client; fail loudly if any breaks.

Used by CI on the embedded SQLite path after `migrate` and `seed_demo`.
"""

import re

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
        # The demo's pictures: the lead's rendition is served (media from disk, DEBUG or not).
        found = re.search(r'<img src="([^"]+)"', client.get("/").content.decode())
        if found is None:
            raise CommandError("No picture on the home page: did seed_demo draw them?")
        response = client.get(found.group(1))
        if response.status_code != 200 or not response["Content-Type"].startswith("image/"):
            raise CommandError(f"GET {found.group(1)} answered {response.status_code}")
        self.stdout.write(f"GET {found.group(1)} -> 200 ({response['Content-Type']})")
