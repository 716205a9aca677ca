"""Redraw the bundled schematic images into quizzes/content/images/ (deterministic: same bytes each run)."""

from django.core.management.base import BaseCommand

from quizzes.content import CONTENT_DIR
from quizzes.content.schematics import write_all


class Command(BaseCommand):
    help = "Redraw the schematic PNGs of the content pack from quizzes/content/schematics.py."

    def handle(self, *args, **options):
        for path in write_all(CONTENT_DIR / "images"):
            self.stdout.write(str(path.relative_to(CONTENT_DIR.parent.parent)))
