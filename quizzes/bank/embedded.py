"""Images carried inside a bank file: Moodle XML's base64 <file> elements (shown by
@@PLUGINFILE@@/name in the text) and data: URLs (GIFT, or HTML anywhere), made into a question's
one image. Nothing is fetched and nothing is silently lost: every image that cannot come in is a
warning that names it. The bytes are checked and re-encoded by the importer, as an upload is.
"""

import base64
import mimetypes
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from quizzes.bank.text import EmbeddedImage

PLUGINFILE = "@@PLUGINFILE@@/"
DATA_URL = re.compile(r"data:(?P<type>image/[\w.+-]+)?(?P<parameters>(?:;[^,;]*)*),(?P<data>.*)", re.DOTALL)


@dataclass
class QuestionImage:
    """The image a question gets (data None: none) and what was said about the others."""

    data: bytes | None = None
    name: str = ""
    alt: str = ""
    warnings: list[str] = field(default_factory=list)


def question_image(
    shown: list[EmbeddedImage],
    *,
    files: dict[str, bytes] | None = None,
    elsewhere: dict[str, list[EmbeddedImage]] | None = None,
) -> QuestionImage:
    """The first image the question text shows becomes the question's image; each other one is a warning.

    `files`: Moodle's embedded files by name. `elsewhere`: images in other fields (an option, the
    feedback), by where they are, which the site cannot show there.
    """
    files = files or {}
    result = QuestionImage()
    for image in shown:
        data, name, problem = image_bytes(image.src, files)
        if problem:
            result.warnings.append(problem)
        elif result.data is None:
            result.data, result.name, result.alt = data, name, image.alt
        else:
            result.warnings.append(f"second image {name or 'in the question text'} dropped: a question has one image")
    for where, images in (elsewhere or {}).items():
        for image in images:
            result.warnings.append(
                f"image {describe(image.src)} in {where} dropped: only the question text's image is imported"
            )
    return result


def image_bytes(src: str, files: dict[str, bytes]) -> tuple[bytes | None, str, str]:
    """(bytes, original name, "") for an image in the file, or (None, "", why it cannot come in)."""
    if src.startswith(PLUGINFILE):
        name = unquote(src[len(PLUGINFILE) :].split("?", 1)[0])
        if name not in files:
            return None, "", f"image {name} is shown but not embedded in the file: add it in the admin"
        return files[name], name, ""
    if match := DATA_URL.fullmatch(src.strip()):
        if ";base64" not in match["parameters"].lower():
            return None, "", "an image written as a data: URL without base64 cannot be read: add it in the admin"
        data = base64_bytes(match["data"])
        if data is None:
            return None, "", "an embedded image's base64 data is damaged: add the image in the admin"
        extension = mimetypes.guess_extension(match["type"] or "") or ""
        return data, f"embedded-image{extension}", ""
    if urlsplit(src).scheme.lower() in {"http", "https"}:
        return None, "", f"remote image {src[:200]} not fetched: download it and add it in the admin"
    return None, "", f"image {describe(src)} is not in the file: add it in the admin"


def embedded_files(elements) -> dict[str, bytes]:
    """Moodle's <file name=... encoding="base64"> elements as {name: bytes}; damaged ones left out
    (image_bytes then says the image is not embedded)."""
    files = {}
    for element in elements:
        data = base64_bytes(element.text or "")
        if data is not None:
            files[element.get("name", "")] = data
    return files


def base64_bytes(text: str) -> bytes | None:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except ValueError:  # binascii.Error is one
        return None


def describe(src: str) -> str:
    if src.startswith("data:"):
        return "(embedded data)"
    return repr(unquote(src.removeprefix(PLUGINFILE))[:120]) if src else "(no address)"
