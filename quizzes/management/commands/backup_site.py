"""Write one archive holding everything the site knows: users, content, attempts, responses, media."""

from pathlib import Path

from django.core.management import BaseCommand

from quizzes.backup import site_backup


class Command(BaseCommand):
    help = "Back up the database (as Django fixtures with natural keys) and the media folder into one .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", default="backups", help="Folder for the archive (created if missing).")

    def handle(self, *, output_dir: str, **options):
        archive = site_backup(output_dir=Path(output_dir))
        self.stdout.write(f"Backup written to {archive}")
