"""Backing up and restoring the whole site: one archive holding users, content, attempts, responses
and media, written from one database snapshot and loaded whole or not at all into an empty site.

The backup_site and restore_site commands call site_backup and site_restore.
"""

import datetime as dt
import io
import json
import shutil
import tarfile
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.serializers import json as json_serializer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from quizzes.models import Attempt, Quiz, Source, Topic, User

FORMAT = "quizsite-backup/1"
# Rebuilt by migrate on the target (content types, permissions) or not worth restoring (sessions,
# axes' failed log-ins); natural keys let the rest refer to content types and permissions anyway.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes"]


class ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to milliseconds; a backup keeps every microsecond, so answers
    restored keep their exact order and timings. Django's own json deserializer reads either."""

    def default(self, o):
        if isinstance(o, (dt.datetime, dt.time)):
            return o.isoformat()
        return super().default(o)


class Serializer(json_serializer.Serializer):
    def start_serialization(self):
        self.options.setdefault("cls", ExactJSONEncoder)
        super().start_serialization()


Deserializer = json_serializer.Deserializer
EXACT_JSON = "quizsite-json"


class RestoreRefused(Exception):
    """The archive cannot be restored here; the message says why and what to do."""


def site_backup(*, output_dir: Path) -> Path:
    """Write output_dir/quizsite-<UTC time>.tar.gz and return its path."""
    output_dir.mkdir(parents=True, exist_ok=True)
    created = datetime.now(UTC)
    archive = output_dir / f"quizsite-{created:%Y%m%d-%H%M%S-%f}.tar.gz"
    data = database_dump()
    manifest = {"format": FORMAT, "created": created.isoformat(), "database": connection.vendor}
    partial = archive.with_suffix(".partial")
    with tarfile.open(partial, "w:gz") as tar:
        add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
        add_bytes(tar, "data.json", data)
        media_root = Path(settings.MEDIA_ROOT)
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    tar.add(path, arcname=f"media/{path.relative_to(media_root).as_posix()}")
    # Renamed only when complete: a backups/ folder never holds a half-written archive by this name.
    partial.rename(archive)
    return archive


def database_dump() -> bytes:
    """Every table read in one snapshot, so a response is never dumped without its attempt."""
    out = io.StringIO()
    sqlite_mode = getattr(connection, "transaction_mode", None)
    if connection.vendor == "sqlite":
        # In WAL mode a deferred transaction is a read snapshot that takes no write lock, so
        # trainees keep answering while the backup runs (the site's IMMEDIATE mode would block them).
        connection.transaction_mode = "DEFERRED"
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            serializers.register_serializer(EXACT_JSON, __name__)
            call_command(
                "dumpdata",
                natural_foreign=True,
                natural_primary=True,
                exclude=EXCLUDED,
                format=EXACT_JSON,
                indent=1,
                stdout=out,
            )
    finally:
        if connection.vendor == "sqlite":
            connection.transaction_mode = sqlite_mode
    return out.getvalue().encode()


def add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def site_restore(*, archive: Path) -> Counter:
    """Load `archive`; returns how many objects of each model, and media files, it restored."""
    if not archive.is_file():
        raise RestoreRefused(f"No backup at {archive}")
    with tarfile.open(archive, "r:gz") as tar:
        manifest = read_member(tar, "manifest.json")
        if json.loads(manifest).get("format") != FORMAT:
            raise RestoreRefused(f"{archive} is not a {FORMAT} archive")
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
        raise RestoreRefused(f"The archive has no {name}: it was not written by backup_site")
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
        raise RestoreRefused(
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
