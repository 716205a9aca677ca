"""Image uploads are judged by their content, re-encoded without metadata, and thumbnailed."""

import io
import re
from pathlib import PurePath

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from PIL import Image

from quizzes import images
from quizzes.content import CONTENT_DIR
from quizzes.images import image_prepare
from quizzes.models import Question
from quizzes.services.questions import question_image_set
from tests.factories import make_question, make_quiz


def png_bytes(size=(40, 30), **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG", **save_options)
    return buffer.getvalue()


def test_a_text_file_named_png_is_refused_by_name():
    with pytest.raises(ValidationError, match=r"notes\.png is not an image"):
        image_prepare(b"just some notes, not a picture", "notes.png")


def test_a_png_header_followed_by_html_is_refused():
    with pytest.raises(ValidationError, match="not an image"):
        image_prepare(b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "evil.png")


def test_an_svg_with_a_script_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'

    with pytest.raises(ValidationError, match="not an image"):
        image_prepare(svg, "drawing.svg")


def test_html_appended_to_a_valid_png_does_not_survive_re_encoding():
    prepared = image_prepare(png_bytes() + b"<script>alert(1)</script>", "tail.png")

    assert b"<script>" not in prepared.image.read()


def test_an_image_over_the_pixel_limit_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 100 * 100)

    with pytest.raises(ValidationError, match="pixels"):
        image_prepare(png_bytes(size=(101, 100)), "big.png")


def test_a_file_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 1000)

    with pytest.raises(ValidationError, match="MB"):
        image_prepare(png_bytes() + b"\0" * 1000, "heavy.png")


def test_metadata_is_dropped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Patient name and hospital number")
    prepared = image_prepare(png_bytes(pnginfo=info), "tagged.png")

    data = prepared.image.read()
    assert b"Patient name" not in data and b"tEXt" not in data


def test_a_thumbnail_fits_the_thumbnail_box_and_keeps_the_aspect_ratio():
    prepared = image_prepare(png_bytes(size=(1600, 800)), "wide.png")

    with Image.open(prepared.thumbnail) as thumbnail:
        assert thumbnail.size == (640, 320)
    with Image.open(prepared.image) as full:
        assert full.size == (1600, 800)


# A camera stores the sensor's pixels and an EXIF tag saying how to turn them for display. A red block
# in the stored pixels' top-left corner must end where a viewer honouring the tag shows it: in radiology
# a left/right flip is a wrong answer. Each case: tag -> (displayed size, corner holding the block).
ORIENTATIONS = {
    1: ((60, 30), "top-left"),
    2: ((60, 30), "top-right"),  # mirrored left to right
    3: ((60, 30), "bottom-right"),  # turned 180 degrees
    4: ((60, 30), "bottom-left"),  # mirrored top to bottom
    5: ((30, 60), "top-left"),  # mirrored along the main diagonal
    6: ((30, 60), "top-right"),  # turned 90 degrees clockwise
    7: ((30, 60), "bottom-right"),  # mirrored along the other diagonal
    8: ((30, 60), "bottom-left"),  # turned 90 degrees anticlockwise
}


def jpeg_with_orientation(orientation: int) -> bytes:
    picture = Image.new("RGB", (60, 30), "white")
    picture.paste((220, 0, 0), (0, 0, 30, 15))
    exif = picture.getexif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "Hospital camera"  # Make: metadata that must not survive
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=95, exif=exif.tobytes())
    return buffer.getvalue()


def corner_colours(picture: Image.Image) -> dict[str, tuple[int, ...]]:
    width, height = picture.size
    centres = {
        "top-left": (width // 4, height // 4),
        "top-right": (3 * width // 4, height // 4),
        "bottom-left": (width // 4, 3 * height // 4),
        "bottom-right": (3 * width // 4, 3 * height // 4),
    }
    rgb = picture.convert("RGB")
    return {corner: rgb.getpixel(point) for corner, point in centres.items()}


def is_red(colour: tuple[int, ...]) -> bool:
    red, green, blue = colour
    return red > 150 and green < 100 and blue < 100


@pytest.mark.parametrize("orientation", sorted(ORIENTATIONS))
def test_the_exif_orientation_is_applied_to_the_pixels_then_dropped(orientation):
    size, red_corner = ORIENTATIONS[orientation]

    prepared = image_prepare(jpeg_with_orientation(orientation), "scan.jpg")

    for stored in (prepared.image, prepared.thumbnail):
        with Image.open(stored) as picture:
            assert picture.size == size
            assert [corner for corner, colour in corner_colours(picture).items() if is_red(colour)] == [red_corner]
            assert not picture.getexif(), "no EXIF (orientation, camera) may survive re-encoding"
    assert b"Hospital camera" not in prepared.image.read()


def test_a_jpeg_stays_a_jpeg_whatever_its_uploaded_name_says():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="JPEG")

    prepared = image_prepare(buffer.getvalue(), "photo.png")

    assert prepared.image.name.endswith(".jpg") and prepared.thumbnail.name.endswith(".jpg")


def words(*names: str) -> set[str]:
    # Words of three letters or more: a digit or two ("stage-1") turns up in any hex name by chance.
    split = {word for name in names for word in re.split(r"[^a-z0-9]+", name.lower()) if len(word) >= 3}
    return split - {"png", "jpg"}


def test_stored_names_come_from_the_content_never_the_uploaded_name():
    prepared = image_prepare(png_bytes(), "pulmonary-metastases-cannonball.png")

    for stored in (prepared.image, prepared.thumbnail):
        assert re.fullmatch(r"[0-9a-f]{32}\.png", stored.name), stored.name


@pytest.mark.django_db
def test_no_stored_file_name_carries_a_word_of_the_upload_quiz_or_question():
    quiz = make_quiz(questions=0, slug="pulmonary-metastases", title="Pulmonary metastases")
    question = make_question(quiz=quiz, key="cannonball-metastases")

    question_image_set(question=question, data=png_bytes(), name="pulmonary-metastases-cannonball.png", alt="Chest")

    question.refresh_from_db()
    giveaways = words(quiz.slug, quiz.title, question.key, "pulmonary-metastases-cannonball.png")
    for stored in (question.image.name, question.thumbnail.name):
        assert not {word for word in giveaways if word in stored.lower()}, stored


@pytest.mark.django_db
def test_the_bundled_packs_stored_image_names_give_no_answer_away():
    call_command("load_content", verbosity=0)

    questions = Question.objects.exclude(image="").select_related("quiz")
    assert questions.exists()
    source_names = [path.name for path in (CONTENT_DIR / "images").iterdir()]
    for question in questions:
        giveaways = words(question.quiz.slug, question.key, *source_names)
        for stored in (question.image.name, question.thumbnail.name):
            assert not {word for word in giveaways if word in PurePath(stored).name.lower()}, stored


@pytest.mark.django_db
def test_a_refused_image_leaves_the_question_unchanged():
    question = make_question(quiz=make_quiz(questions=0))
    question_image_set(question=question, data=png_bytes(), name="first.png", alt="A red square")

    with pytest.raises(ValidationError):
        question_image_set(question=question, data=b"not an image", name="second.png", alt="Other")

    question.refresh_from_db()
    assert question.image.name.endswith(".png") and question.image_alt == "A red square"
    assert question.thumbnail
