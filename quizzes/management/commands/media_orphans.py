"""List (or with --delete remove) stored files that no row names: left by a crash or a failed write."""

import datetime

from django.core.files.storage import default_storage
from django.core.management import BaseCommand

from quizzes.stored_files import orphans


class Command(BaseCommand):
    help = (
        "List files in the media storage that no database row names; with --delete, remove them. Uploads kept "
        "across a refused form (pending/) count only once a day old, when their form is abandoned. "
        "Goes through the storage API, so it works on S3 as on a folder."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="Remove the files listed (default: only list).")
        parser.add_argument(
            "--older-than",
            type=int,
            default=60,
            metavar="MINUTES",
            help="Only files written at least this long ago (default 60): a file being saved right now is left alone.",
        )

    def handle(self, *, delete: bool, older_than: int, **options):
        found = orphans(storage=default_storage, older_than=datetime.timedelta(minutes=older_than))
        for name in found:
            if delete:
                default_storage.delete(name)
            self.stdout.write(f"{'Deleted' if delete else 'Orphan'}: {name}")
        verb = "deleted" if delete else "found (run with --delete to remove them)"
        self.stdout.write(f"{len(found)} orphaned file(s) {verb}.")
