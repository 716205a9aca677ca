"""Backing up and restoring the whole site: one archive holding users, content, attempts, responses
and media, written from one database snapshot and loaded whole or not at all into an empty site.

The backup_site and restore_site commands call site_backup and site_restore.
"""

import datetime as dt
import io
import json
import os
import tarfile
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files import File
from django.core.files.storage import default_storage
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
    # Readable by the owner alone from its first byte: it holds every password hash.
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
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
    """Load `archive`; returns how many objects of each model, and media files, it restored.

    Nothing is kept unless everything is: the media are unpacked and checked in a staging folder
    first, then the rows are loaded and the media copied into storage in one transaction, so a
    failure at any step leaves the site empty and the restore can simply be run again.
    """
    if not archive.is_file():
        raise RestoreRefused(f"No backup at {archive}")
    with tarfile.open(archive, "r:gz") as tar:
        manifest = read_member(tar, "manifest.json")
        if json.loads(manifest).get("format") != FORMAT:
            raise RestoreRefused(f"{archive} is not a {FORMAT} archive")
        data = read_member(tar, "data.json")
        refuse_unless_empty()
        records = json.loads(data)
        refuse_over_length(records)
        counts = Counter(record["model"] for record in records)
        with tempfile.TemporaryDirectory() as scratch:
            staged = stage_media(tar, Path(scratch) / "media")
            fixture = Path(scratch) / "data.json"
            fixture.write_bytes(data)
            with transaction.atomic():
                call_command("loaddata", str(fixture), verbosity=0)
                counts["media files"] = media_store(staged)
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


def refuse_over_length(records: list[dict]) -> None:
    """Refuse, naming each, values longer than their column takes. SQLite stores them anyway; PostgreSQL
    would fail part-way with a database error, so a site moving from one to the other hears it here."""
    problems = []
    for number, record in enumerate(records, start=1):
        model = apps.get_model(record["model"])
        for name, value in record["fields"].items():
            field = model._meta.get_field(name)
            limit = getattr(field, "max_length", None)
            if isinstance(value, str) and limit and len(value) > limit:
                key = f"pk {record['pk']}" if "pk" in record else f"record {number}"
                problems.append(
                    f"{record['model']} ({key}) field “{name}” holds {len(value)} characters; it takes at most {limit}."
                )
    if problems:
        raise RestoreRefused(
            "The archive holds values longer than their columns take, so nothing was restored. Shorten them "
            "on the site the backup came from and back it up again:\n" + "\n".join(problems)
        )


def stage_media(tar: tarfile.TarFile, staging: Path) -> dict[str, Path]:
    """Unpack the archive's media into `staging`; returns each file's storage name and staged path.

    The "data" filter refuses absolute paths, "..", links and device files: an archive cannot write
    outside the folder it is unpacked into. Any bad or unreadable member stops the restore here,
    before the database is touched.
    """
    members = [m for m in tar.getmembers() if m.name.startswith("media/") and m.isfile()]
    try:
        tar.extractall(staging.parent, members=members, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise RestoreRefused(f"The archive's media could not be unpacked ({error}); nothing was restored.") from None
    staged = {m.name.removeprefix("media/"): staging.parent / m.name for m in members}
    short = [name for name, path in staged.items() if path.stat().st_size != tar.getmember(f"media/{name}").size]
    if short:
        raise RestoreRefused(
            f"Media files came out of the archive incomplete: {', '.join(short)}; nothing was restored."
        )
    return staged


def media_store(staged: dict[str, Path]) -> int:
    """Copy staged media into storage under their own names, replacing what an earlier failed restore
    left, through the storage API (so S3 can hold the media)."""
    for name, path in staged.items():
        if default_storage.exists(name):
            default_storage.delete(name)
        with path.open("rb") as content:
            stored = default_storage.save(name, File(content))
        if stored != name:
            raise RestoreRefused(f"The storage kept {name} as {stored}; nothing was restored.")
    return len(staged)
