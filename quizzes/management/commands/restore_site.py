"""Load an archive written by backup_site into an empty, migrated database and the media folder."""

import json
import shutil
import tarfile
import tempfile
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command

from quizzes.management.commands.backup_site import FORMAT
from quizzes.models import Attempt, Quiz, Source, Topic, User


class Command(BaseCommand):
    help = "Restore a backup_site archive into an empty database (run migrate first) and the media folder."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="A quizsite-....tar.gz written by backup_site.")

    def handle(self, *, archive: str, **options):
        counts = site_restore(archive=Path(archive))
        summary = ", ".join(f"{count} {label}" for label, count in sorted(counts.items()))
        self.stdout.write(f"Restored {archive}: {summary or 'nothing'}")


def site_restore(*, archive: Path) -> Counter:
    """Load `archive`; returns how many objects of each model, and media files, it restored."""
    if not archive.is_file():
        raise CommandError(f"No backup at {archive}")
    with tarfile.open(archive, "r:gz") as tar:
        manifest = read_member(tar, "manifest.json")
        if json.loads(manifest).get("format") != FORMAT:
            raise CommandError(f"{archive} is not a {FORMAT} archive")
        data = read_member(tar, "data.json")
        refuse_unless_empty()
        counts = Counter(record["model"] for record in json.loads(data))
        with tempfile.TemporaryDirectory() as scratch:
            fixture = Path(scratch) / "data.json"
            fixture.write_bytes(data)
            # loaddata runs in one transaction: a backup loads whole or not at all.
            call_command("loaddata", str(fixture), verbosity=0)
            counts["media files"] = restore_media(tar, Path(scratch) / "extracted")
    return counts


def read_member(tar: tarfile.TarFile, name: str) -> bytes:
    try:
        member = tar.extractfile(name)
    except KeyError:
        member = None
    if member is None:
        raise CommandError(f"The archive has no {name}: it was not written by backup_site")
    return member.read()


def refuse_unless_empty() -> None:
    # Loading over existing rows would mix two sites' primary keys: refuse rather than guess.
    held = {
        "users": User.objects.count(),
        "topics": Topic.objects.count(),
        "sources": Source.objects.count(),
        "quizzes": Quiz.objects.count(),
        "attempts": Attempt.objects.count(),
    }
    if any(held.values()):
        listed = ", ".join(f"{count} {name}" for name, count in held.items() if count)
        raise CommandError(
            f"The database already holds data ({listed}). A backup is restored into an empty database: "
            "create a new one, point DATABASE_URL (or DJANGO_SQLITE_PATH) at it and restore there."
        )


def restore_media(tar: tarfile.TarFile, scratch: Path) -> int:
    members = [m for m in tar.getmembers() if m.name.startswith("media/") and m.isfile()]
    # The "data" filter refuses absolute paths, "..", links and device files: an archive cannot
    # write outside the folder it is unpacked into.
    tar.extractall(scratch, members=members, filter="data")
    if members:
        shutil.copytree(scratch / "media", Path(settings.MEDIA_ROOT), dirs_exist_ok=True)
    return len(members)
