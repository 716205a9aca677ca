"""Writing quizzes out as bank files: one file for one quiz, a zip for several, and a quiz pack
always as a zip, so its images travel with it and the zip imports back as it is."""

import io
import zipfile
from pathlib import PurePosixPath

from quizzes.bank.gift_writer import export_gift
from quizzes.bank.moodle_writer import export_moodle_xml
from quizzes.bank.quizpack_writer import export_quizpack
from quizzes.models import Quiz

WRITERS = {
    "quizpack": (export_quizpack, "yaml", "application/yaml"),
    "moodle": (export_moodle_xml, "xml", "application/xml"),
    "gift": (export_gift, "gift", "text/plain"),
}


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
                for question in quiz.questions.exclude(image=""):
                    with question.image.open("rb") as image:
                        archive.writestr(f"images/{PurePosixPath(question.image.name).name}", image.read())
    name = quizzes[0].slug if len(quizzes) == 1 else "quizzes"
    return f"{name}-{bank_format}.zip", buffer.getvalue(), "application/zip"
