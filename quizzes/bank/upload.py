"""Reading a question bank that an educator uploads: one file in any supported format, or a zip of
quizpack files with their images. Nothing is saved here; the caller decides (dry run or import)."""

import io
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from quizzes.bank import BankInvalid, Problem
from quizzes.bank.gift_reader import parse_gift
from quizzes.bank.moodle_reader import parse_moodle_xml
from quizzes.bank.quizpack import PackQuiz
from quizzes.bank.quizpack_reader import parse_pack_files

FORMATS = {
    "quizpack": "Quiz pack (.yaml, or .zip with images)",
    "moodle": "Moodle XML (.xml)",
    "gift": "GIFT (.gift, .txt)",
}
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
# Banks larger than this import in the background (quizzes/tasks.py) and the import page shows their
# progress; smaller ones import within the request that asks.
BACKGROUND_IMPORT_BYTES = 1024 * 1024
# Moodle XML and GIFT hold questions only: a quiz's kind, status, description, stages, images and
# sources are not in them, so importing one into an existing quiz leaves those as they are.
COMPLETE_FORMATS = {"quizpack"}


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"


@dataclass(frozen=True)
class BankUpload:
    packs: list[PackQuiz]
    images_dir: Path


def guess_format(name: str) -> str:
    suffix = PurePosixPath(name.lower()).suffix
    return {".xml": "moodle", ".gift": "gift", ".txt": "gift"}.get(suffix, "quizpack")


@contextmanager
def read_bank_upload(
    *, name: str, data: bytes, bank_format: str, slug: str = "", title: str = "", topic: str = ""
) -> Iterator[BankUpload]:
    """Parse and validate the upload; raise BankInvalid listing every problem with its place.

    Moodle XML and GIFT files hold questions only, so the quiz they go into (slug, title, topic)
    comes from the educator. Images of a zipped quiz pack are unpacked into a folder that lives
    as long as the `with` block.
    """
    with tempfile.TemporaryDirectory(prefix="bank-upload-") as folder:
        folder = Path(folder)
        if bank_format == "moodle":
            packs = [parse_moodle_xml(data, name, slug=slug, title=title, topic=topic)]
        elif bank_format == "gift":
            packs = [parse_gift(data, name, slug=slug, title=title, topic=topic)]
        elif zipfile.is_zipfile(io.BytesIO(data)):
            packs = parse_pack_files(unzip_safely(data, name, folder), images_dir=folder / "images")
        else:
            (folder / PurePosixPath(name).name).write_bytes(data)
            packs = parse_pack_files([folder / PurePosixPath(name).name], images_dir=folder / "images")
        yield BankUpload(packs=packs, images_dir=folder / "images")


# What zipfile raises on an archive it cannot read: a damaged directory or member (BadZipFile, zlib.error,
# EOFError), an encrypted member (RuntimeError), a compression method it lacks (NotImplementedError).
UNREADABLE_ZIP = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError)


def unzip_safely(data: bytes, name: str, folder: Path) -> list[Path]:
    """Extract *.yaml files and images/*; refuse paths that climb out, archives that balloon and
    archives that cannot be read, each as a problem with the file's name."""
    try:
        return _unzip(data, name, folder)
    except UNREADABLE_ZIP as error:
        raise BankInvalid([Problem(name, f"the archive cannot be read ({error}); make the zip again")]) from None


def _unzip(data: bytes, name: str, folder: Path) -> list[Path]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if sum(info.file_size for info in members) > MAX_UNZIPPED_BYTES:
            raise BankInvalid([Problem(name, "the archive unpacks to more than 50 MB")])
        paths = []
        for info in members:
            parts = PurePosixPath(info.filename).parts
            if ".." in parts or info.filename.startswith("/"):
                raise BankInvalid([Problem(name, f"unsafe path in archive: {info.filename}")])
            leaf = parts[-1]
            if len(parts) >= 2 and parts[-2] == "images":
                target = folder / "images" / leaf
            elif leaf.endswith((".yaml", ".yml")):
                target = folder / leaf
                paths.append(target)
            else:
                continue
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(archive.read(info))
    if not paths:
        raise BankInvalid([Problem(name, "the archive holds no .yaml quiz files")])
    return sorted(paths)
