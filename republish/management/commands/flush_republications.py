from django.core.management.base import BaseCommand

from republish.counters import flush


class Command(BaseCommand):
    help = (
        "Move republication views counted by the pixel into the database. Safe to run at "
        "any time and beside the task: each count is written exactly once."
    )

    def handle(self, *args, **options) -> None:
        views = flush()
        self.stdout.write(f"{views} republication views written.")
