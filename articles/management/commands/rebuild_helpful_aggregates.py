"""Recount the "was this helpful?" aggregates the dashboard reads.

The vote path keeps them current; run this after bulk imports of votes, or to count past
votes under stories' current sections, bylines and tags (``--rollups-only`` keeps the
per-article daily rows and recounts only the per-group ones).
"""

from django.core.management.base import BaseCommand

from articles.feedback import aggregates_rebuild


class Command(BaseCommand):
    help = __doc__.splitlines()[1]

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rollups-only", action="store_true")

    def handle(self, *args, rollups_only: bool = False, **options) -> None:
        daily, rollups = aggregates_rebuild(daily=not rollups_only)
        self.stdout.write(f"{daily} article-day rows, {rollups} group-day rows.")
