"""Files the site hands out: CSV streamed as it is written (so large exports use little memory), with
cells a spreadsheet cannot run, and question banks written out in any supported format."""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath

from django.db.models.fields.files import FieldFile
from django.http import StreamingHttpResponse

from quizzes.bank.gift_writer import export_gift
from quizzes.bank.moodle_writer import export_moodle_xml
from quizzes.bank.quizpack_writer import export_quizpack
from quizzes.models import MatchStem, Quiz

# A spreadsheet runs a cell that starts with one of these as a formula, and names are typed by
# trainees; a leading apostrophe makes the cell plain text (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
WRITERS = {
    "quizpack": (export_quizpack, "yaml", "application/yaml"),
    "moodle": (export_moodle_xml, "xml", "application/xml"),
    "gift": (export_gift, "gift", "text/plain"),
}


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


class Echo:
    """A file-like object whose write returns the text, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_download(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """The rows as a CSV file download, each line written as the response streams."""
    writer = csv.writer(Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def bank_download(quizzes: list[Quiz], bank_format: str) -> tuple[str, bytes, str]:
    """(file name, content, content type) of the export of `quizzes` in `bank_format`."""
    write, extension, content_type = WRITERS[bank_format]
    if len(quizzes) == 1 and bank_format != "quizpack":
        quiz = quizzes[0]
        return f"{quiz.slug}.{extension}", write(quiz).encode("utf-8"), content_type
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for quiz in quizzes:
            archive.writestr(f"{quiz.slug}.{extension}", write(quiz))
            if bank_format == "quizpack":
                for stored in pack_images(quiz):
                    with stored.open("rb") as image:
                        archive.writestr(f"images/{PurePosixPath(stored.name).name}", image.read())
    name = quizzes[0].slug if len(quizzes) == 1 else "quizzes"
    return f"{name}-{bank_format}.zip", buffer.getvalue(), "application/zip"


def pack_images(quiz: Quiz) -> Iterator[FieldFile]:
    """The stored images a quiz pack names by file: each question's and each matching stem's."""
    for question in quiz.questions.exclude(image=""):
        yield question.image
    for stem in MatchStem.objects.filter(question__quiz=quiz).exclude(image=""):
        yield stem.image
