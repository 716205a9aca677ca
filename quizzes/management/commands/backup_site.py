"""Write one archive holding everything the site knows: users, content, attempts, responses, media."""

import datetime as dt
import io
import json
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management import BaseCommand, call_command
from django.core.serializers import json as json_serializer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

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


class Command(BaseCommand):
    help = "Back up the database (as Django fixtures with natural keys) and the media folder into one .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", default="backups", help="Folder for the archive (created if missing).")

    def handle(self, *, output_dir: str, **options):
        archive = site_backup(output_dir=Path(output_dir))
        self.stdout.write(f"Backup written to {archive}")


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
