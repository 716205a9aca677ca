"""Load an archive written by backup_site into an empty, migrated database and the media folder."""

from pathlib import Path

from django.core.management import BaseCommand, CommandError

from quizzes.backup import RestoreRefused, site_restore


class Command(BaseCommand):
    help = "Restore a backup_site archive into an empty database (run migrate first) and the media folder."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="A quizsite-....tar.gz written by backup_site.")

    def handle(self, *, archive: str, **options):
        try:
            counts = site_restore(archive=Path(archive))
        except RestoreRefused as refused:
            raise CommandError(str(refused)) from None
        summary = ", ".join(f"{count} {label}" for label, count in sorted(counts.items()))
        self.stdout.write(f"Restored {archive}: {summary or 'nothing'}")
