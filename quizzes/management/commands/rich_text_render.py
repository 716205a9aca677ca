"""Render every stored rich text again, after a change to how rich text renders (quizzes/rich_text.py)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from quizzes.rich_text import rich_text_render_stored


class Command(BaseCommand):
    help = "Render every stored rich text (Markdown) to its sanitised HTML again, e.g. after the allow-list changed."

    def handle(self, *args, **options):
        with transaction.atomic():
            written = rich_text_render_stored()
        self.stdout.write(f"Rendered {written} texts.")
